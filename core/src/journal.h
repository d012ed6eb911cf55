// The journal: the tamper-evident audit log and the durable event outbox.
//
// Audit: every write that changes the directories (and later draws and lists) appends one
// record per changed entity: who, what, when, the digests of the entity before and after,
// and the SHA-256 of the previous record. The chain head is kept in audit_head, so that
// removing the newest records is detected too. Records are appended inside the caller's
// write transaction; on PostgreSQL a transaction-scoped advisory lock serialises appenders
// of all nodes, which also makes event ids commit in id order (what the dispatcher relies on).
//
// Not thread-safe: one Database, one thread.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <memory>
#include <string_view>

#include "database.h"
#include "hash.h"
#include "xinjian/events.h"
#include "xinjian/status.h"

namespace xj {

struct AuditEntry {
  std::string action;         // "insert" | "update" | "delete" | later: "task.draw", ...
  std::string entity;         // "subject", "inspector", "item", "relation", "department"
  std::string entity_key;
  std::string before_digest;  // hex SHA-256 of the canonical form before ("" if none)
  std::string after_digest;   // after ("" if removed)
  // Optional: AuditContentHash(actor, *this), when the caller computed it already (the
  // import computes it on its reader thread). Left empty, AppendJournal computes it.
  std::string content_hash;
};

struct OutboxEvent {
  std::string topic;
  std::string key;
  std::string payload_json;   // a JSON object
};

struct AuditRecord {
  std::int64_t seq = 0;
  std::int64_t at_us = 0;
  std::string actor;
  AuditEntry entry;
  std::string prev_hash;  // the hash of record seq - 1 (not stored; genesis: 64 zeros)
  std::string hash;
};

// A record's hash is computed in two steps, so that the sequential part is short:
//   content = SHA-256(actor \n action \n entity \n entity_key \n before_digest \n after_digest \n)
//   hash    = SHA-256(prev_hash (32 bytes) || seq (8 bytes, big-endian) || at_us (8 bytes,
//                     big-endian) || content (32 bytes))
// prev_hash is the previous record's hash (32 zero bytes for the first). Both in hex here.
std::string AuditContentHash(const std::string& actor, const AuditEntry& e);
std::string AuditChainHash(const std::string& prev_hash_hex, std::int64_t seq, std::int64_t at_us,
                           const std::string& content_hash_hex);
std::string AuditRecordHash(const AuditRecord& r);
// The same two steps on raw 32-byte digests (what the writers use; no hex round trips).
Digest AuditContentDigest(std::string_view actor, std::string_view action, std::string_view entity,
                          std::string_view entity_key, std::string_view before_hex, std::string_view after_hex);
Digest AuditChainDigest(const Digest& prev, std::int64_t seq, std::int64_t at_us, const Digest& content);

// Appends audit records one by one inside the caller's WriteTransaction, without first
// collecting them: Begin reads the chain head (on PostgreSQL after taking the journal lock),
// Add chains and writes a record (SQLite: one prepared insert; PostgreSQL: COPY, buffered),
// Finish writes what is buffered and the new head. AppendJournal is built on it.
class AuditWriter {
 public:
  static Result<std::unique_ptr<AuditWriter>> Begin(Database& db, std::string actor, std::int64_t at_us);
  virtual ~AuditWriter() = default;
  // `content`: AuditContentDigest of the record when the caller has it already (the import
  // computes it on its reader thread); nullptr: computed here.
  virtual Status Add(std::string_view action, std::string_view entity, std::string_view entity_key,
                     std::string_view before_hex, std::string_view after_hex, const Digest* content = nullptr) = 0;
  virtual Status Finish() = 0;
  std::int64_t records() const { return added_; }

 protected:
  std::int64_t added_ = 0;
};

// Appends audit records and events inside the caller's WriteTransaction (which must be
// active). `at_us` is the instant recorded for all of them.
Status AppendJournal(Database& db, const std::string& actor, std::int64_t at_us,
                     const std::vector<AuditEntry>& audit, const std::vector<OutboxEvent>& events);

struct AuditVerifyReport {
  bool ok = true;
  std::int64_t records = 0;       // records checked
  std::int64_t first_bad_seq = 0; // the first record altered or removed (0 when ok)
  std::string problem;            // bilingual description of the first problem
};
// Recomputes the chain from the first record: each seq follows the previous one, each
// hash matches its content and the previous record's hash, and the head names the
// last record. Stops at the first problem. `progress` (optional) receives records checked.
Result<AuditVerifyReport> VerifyAudit(Database& db, const std::function<void(std::int64_t)>& progress = {});

// Reads events with id > after_id (at most `limit`), whose topic starts with `topic_prefix`.
Result<std::vector<Event>> ReadEvents(Database& db, std::int64_t after_id, const std::string& topic_prefix, int limit);

struct DispatchReport {
  std::int64_t delivered = 0;
  std::vector<std::string> failures;  // "subscriber: message"
};
// Delivers pending events to each subscriber, at least once and in id order, keeping each
// subscriber's position in event_positions. A subscriber that returns an error keeps its
// position before the failed event and is offered it again next time; the others go on.
// Each batch is one write transaction that reads and advances the position (PostgreSQL:
// the position's row locked FOR UPDATE; SQLite: BEGIN IMMEDIATE, at most 100 events per
// transaction), so several processes may dispatch at once without delivering an event twice.
Result<DispatchReport> DispatchEvents(Database& db, const std::map<std::string, EventSubscriber*>& subscribers,
                                      int batch = 1000);

}  // namespace xj
