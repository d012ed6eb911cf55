#include "journal.h"

#include <soci/soci.h>
#include "soci_util.h"

#include <algorithm>
#include <array>
#include <map>

#include <sqlite3.h>

#include "bulk.h"
#include "hash.h"

namespace xj {
namespace {
constexpr long long kJournalLockKey = 0x58494e4a49414e02LL;
const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";
}  // namespace

namespace {
// Decodes 2n hex digits (lower or upper case) into n bytes; missing or bad digits read as 0.
void FromHex(const std::string& hex, std::uint8_t* out, std::size_t n) {
  static const auto kNibble = [] {
    std::array<std::uint8_t, 256> t{};
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<std::uint8_t>(c);
    for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<std::uint8_t>(10 + c);
    return t;
  }();
  if (hex.size() < 2 * n) {
    std::fill(out, out + n, 0);
    return;
  }
  const auto* h = reinterpret_cast<const unsigned char*>(hex.data());
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(kNibble[h[2 * i]] << 4 | kNibble[h[2 * i + 1]]);
}
}  // namespace

Digest AuditContentDigest(std::string_view actor, std::string_view action, std::string_view entity,
                          std::string_view entity_key, std::string_view before_hex, std::string_view after_hex) {
  thread_local std::string s;
  s.clear();
  for (std::string_view f : {actor, action, entity, entity_key, before_hex, after_hex}) {
    s += f;
    s += '\n';
  }
  return Sha256(s);
}

Digest AuditChainDigest(const Digest& prev, std::int64_t seq, std::int64_t at_us, const Digest& content) {
  std::uint8_t buf[80];
  std::copy(prev.begin(), prev.end(), buf);
  for (int i = 0; i < 8; ++i) buf[32 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(seq) >> (56 - 8 * i));
  for (int i = 0; i < 8; ++i) buf[40 + i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(at_us) >> (56 - 8 * i));
  std::copy(content.begin(), content.end(), buf + 48);
  return Sha256(std::string_view(reinterpret_cast<const char*>(buf), sizeof buf));
}

std::string AuditContentHash(const std::string& actor, const AuditEntry& e) {
  return ToHex(AuditContentDigest(actor, e.action, e.entity, e.entity_key, e.before_digest, e.after_digest));
}

std::string AuditChainHash(const std::string& prev_hash_hex, std::int64_t seq, std::int64_t at_us,
                           const std::string& content_hash_hex) {
  Digest prev, content;
  FromHex(prev_hash_hex, prev.data(), 32);
  FromHex(content_hash_hex, content.data(), 32);
  return ToHex(AuditChainDigest(prev, seq, at_us, content));
}

std::string AuditRecordHash(const AuditRecord& r) {
  return AuditChainHash(r.prev_hash, r.seq, r.at_us, AuditContentHash(r.actor, r.entry));
}

namespace {
// The chain state shared by both backends: the head is read at Begin and written at Finish.
class ChainedWriter : public AuditWriter {
 public:
  ChainedWriter(Database& db, std::string actor, std::int64_t at_us) : db_(db), actor_(std::move(actor)), at_us_(at_us) {}
  Status Load() {
    try {
      if (db_.dialect() == Dialect::kPostgresql) {
        if (Status s = db_.ExecScript("SELECT pg_advisory_xact_lock(" + std::to_string(kJournalLockKey) + ")"); !s.ok()) return s;
      }
      std::string head;
      db_.session() << "SELECT seq, hash FROM audit_head WHERE id = 1", soci::into(seq_), soci::into(head);
      FromHex(head, head_.data(), head_.size());
      return Status::Ok();
    } catch (const std::exception& e) {
      return DbError(e, "读取审计链头失败", "cannot read the audit chain head");
    }
  }
  Status Add(std::string_view action, std::string_view entity, std::string_view entity_key, std::string_view before_hex,
             std::string_view after_hex, const Digest* content) override {
    Digest c = content ? *content : AuditContentDigest(actor_, action, entity, entity_key, before_hex, after_hex);
    ++seq_;
    head_ = AuditChainDigest(head_, seq_, at_us_, c);
    ++added_;
    return Write(action, entity, entity_key, before_hex, after_hex);
  }
  Status Finish() override {
    if (Status s = Flush(); !s.ok()) return s;
    if (added_ == 0) return Status::Ok();
    try {
      std::string hex = ToHex(head_);
      db_.session() << "UPDATE audit_head SET seq = :s, hash = :h WHERE id = 1", soci::use(seq_), soci::use(hex);
      return Status::Ok();
    } catch (const std::exception& e) {
      return DbError(e, "写入审计链头失败", "cannot write the audit chain head");
    }
  }

 protected:
  virtual Status Write(std::string_view action, std::string_view entity, std::string_view entity_key,
                       std::string_view before_hex, std::string_view after_hex) = 0;
  virtual Status Flush() = 0;
  // The hash of the record just chained, in hex, in a buffer that lives until the next Add.
  std::string_view HeadHex() {
    static const char* kHex = "0123456789abcdef";
    for (std::size_t i = 0; i < head_.size(); ++i) {
      head_hex_[2 * i] = kHex[head_[i] >> 4];
      head_hex_[2 * i + 1] = kHex[head_[i] & 15];
    }
    return std::string_view(head_hex_, sizeof head_hex_);
  }
  Database& db_;
  std::string actor_;
  long long at_us_;
  long long seq_ = 0;
  Digest head_{};
  char head_hex_[64];
};

class SqliteAuditWriter final : public ChainedWriter {
 public:
  using ChainedWriter::ChainedWriter;
  ~SqliteAuditWriter() override { sqlite3_finalize(st_); }
  Status Prepare() {
    sqlite3* h = db_.sqlite_handle();
    const char* sql =
        "INSERT INTO audit_log(seq, at_us, actor, action, entity, entity_key, before_digest, after_digest, hash) "
        "VALUES (?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(h, sql, -1, &st_, nullptr) != SQLITE_OK) return Error("prepare");
    return Status::Ok();
  }

 private:
  Status Write(std::string_view action, std::string_view entity, std::string_view entity_key, std::string_view before_hex,
               std::string_view after_hex) override {
    std::string_view hash = HeadHex();
    sqlite3_reset(st_);
    sqlite3_bind_int64(st_, 1, seq_);
    sqlite3_bind_int64(st_, 2, at_us_);
    int i = 3;
    for (std::string_view v : {std::string_view(actor_), action, entity, entity_key, before_hex, after_hex, hash})
      sqlite3_bind_text(st_, i++, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    if (sqlite3_step(st_) != SQLITE_DONE) return Error("insert");
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }
  Status Error(const std::string& what) {
    std::string m = sqlite3_errmsg(db_.sqlite_handle());
    return Status::Error(StatusCode::kInternal, "审计日志 " + what + " 失败：" + m, "audit log " + what + " failed: " + m);
  }
  sqlite3_stmt* st_ = nullptr;
};

class PgAuditWriter final : public ChainedWriter {
 public:
  using ChainedWriter::ChainedWriter;
  Status Prepare() {
    auto sink = RowSink::Create(db_, "audit_log",
                                {"seq", "at_us", "actor", "action", "entity", "entity_key", "before_digest", "after_digest",
                                 "hash"});
    if (!sink.ok()) return sink.status();
    sink_ = std::move(sink.value());
    row_.assign(9, std::string());
    row_[1] = std::to_string(at_us_);
    row_[2] = actor_;
    return Status::Ok();
  }

 private:
  Status Write(std::string_view action, std::string_view entity, std::string_view entity_key, std::string_view before_hex,
               std::string_view after_hex) override {
    row_[0]->assign(std::to_string(seq_));
    row_[3]->assign(action);
    row_[4]->assign(entity);
    row_[5]->assign(entity_key);
    row_[6]->assign(before_hex);
    row_[7]->assign(after_hex);
    row_[8]->assign(HeadHex());
    return sink_->Add(row_);
  }
  Status Flush() override { return sink_->Finish(); }
  std::unique_ptr<RowSink> sink_;
  Row row_;
};
}  // namespace

Result<std::unique_ptr<AuditWriter>> AuditWriter::Begin(Database& db, std::string actor, std::int64_t at_us) {
  if (db.dialect() == Dialect::kSqlite) {
    auto w = std::make_unique<SqliteAuditWriter>(db, std::move(actor), at_us);
    if (Status s = w->Load(); !s.ok()) return s;
    if (Status s = w->Prepare(); !s.ok()) return s;
    return std::unique_ptr<AuditWriter>(std::move(w));
  }
  auto w = std::make_unique<PgAuditWriter>(db, std::move(actor), at_us);
  if (Status s = w->Load(); !s.ok()) return s;
  if (Status s = w->Prepare(); !s.ok()) return s;
  return std::unique_ptr<AuditWriter>(std::move(w));
}

Status AppendJournal(Database& db, const std::string& actor, std::int64_t at_us,
                     const std::vector<AuditEntry>& audit, const std::vector<OutboxEvent>& events) {
  if (audit.empty() && events.empty()) return Status::Ok();
  try {
    if (!audit.empty()) {
      auto w = AuditWriter::Begin(db, actor, at_us);
      if (!w.ok()) return w.status();
      for (const AuditEntry& e : audit) {
        Digest content;
        if (!e.content_hash.empty()) FromHex(e.content_hash, content.data(), content.size());
        if (Status s = w.value()->Add(e.action, e.entity, e.entity_key, e.before_digest, e.after_digest,
                                      e.content_hash.empty() ? nullptr : &content);
            !s.ok())
          return s;
      }
      if (Status s = w.value()->Finish(); !s.ok()) return s;
    } else if (db.dialect() == Dialect::kPostgresql) {
      // Events alone: still in event-id order with the other appenders.
      if (Status s = db.ExecScript("SELECT pg_advisory_xact_lock(" + std::to_string(kJournalLockKey) + ")"); !s.ok()) return s;
    }
    if (!events.empty()) {
      auto sink = RowSink::Create(db, "events", {"topic", "entity_key", "payload", "at_us"});
      if (!sink.ok()) return sink.status();
      Row row(4);
      for (const OutboxEvent& e : events) {
        row[0] = e.topic;
        row[1] = e.key;
        row[2] = e.payload_json;
        row[3] = std::to_string(at_us);
        if (Status s = sink.value()->Add(row); !s.ok()) return s;
      }
      if (Status s = sink.value()->Finish(); !s.ok()) return s;
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return DbError(e, "写入审计日志失败", "cannot append to the audit log");
  }
}

Result<AuditVerifyReport> VerifyAudit(Database& db, const std::function<void(std::int64_t)>& progress) {
  AuditVerifyReport rep;
  try {
    soci::session& sql = db.session();
    long long head_seq = 0;
    std::string head_hash;
    sql << "SELECT seq, hash FROM audit_head WHERE id = 1", soci::into(head_seq), soci::into(head_hash);
    std::string prev = kGenesis;
    long long expect = 1;
    long long last = 0;
    const int kPage = 10000;
    for (;;) {
      soci::rowset<soci::row> rs = (sql.prepare << "SELECT seq, at_us, actor, action, entity, entity_key, before_digest, "
                                                   "after_digest, hash FROM audit_log WHERE seq > :a ORDER BY seq LIMIT " +
                                                       std::to_string(kPage),
                                    soci::use(last));
      int n = 0;
      for (const soci::row& row : rs) {
        ++n;
        AuditRecord r;
        r.seq = RowInt64(row, 0);
        r.at_us = RowInt64(row, 1);
        r.actor = RowText(row, 2);
        r.entry.action = RowText(row, 3);
        r.entry.entity = RowText(row, 4);
        r.entry.entity_key = RowText(row, 5);
        r.entry.before_digest = RowText(row, 6);
        r.entry.after_digest = RowText(row, 7);
        r.prev_hash = prev;
        r.hash = RowText(row, 8);
        last = r.seq;
        auto fail = [&](std::int64_t seq, const std::string& zh, const std::string& en) {
          rep.ok = false;
          rep.first_bad_seq = seq;
          rep.problem = zh + " / " + en;
        };
        if (r.seq != expect) {
          fail(expect, "审计记录 #" + std::to_string(expect) + " 被删除（下一条为 #" + std::to_string(r.seq) + "）",
               "audit record #" + std::to_string(expect) + " was removed (the next one is #" + std::to_string(r.seq) + ")");
          return rep;
        }
        if (AuditRecordHash(r) != r.hash) {
          fail(r.seq, "审计记录 #" + std::to_string(r.seq) + " 的内容被改动",
               "audit record #" + std::to_string(r.seq) + " was altered");
          return rep;
        }
        prev = r.hash;
        ++expect;
        ++rep.records;
      }
      if (progress) progress(rep.records);
      if (n < kPage) break;
    }
    if (last != head_seq || prev != (head_seq == 0 ? std::string(kGenesis) : head_hash)) {
      rep.ok = false;
      rep.first_bad_seq = last + 1;
      rep.problem = "审计链头记录 #" + std::to_string(head_seq) + " 与日志末尾 #" + std::to_string(last) +
                    " 不符（最新记录被删除或改动） / the chain head names record #" + std::to_string(head_seq) +
                    " but the log ends at #" + std::to_string(last) + " (newest records removed or altered)";
    }
    return rep;
  } catch (const std::exception& e) {
    return DbError(e, "读取审计日志失败", "cannot read the audit log");
  }
}

Result<std::vector<Event>> ReadEvents(Database& db, std::int64_t after_id, const std::string& topic_prefix, int limit) {
  std::vector<Event> out;
  try {
    long long after = after_id;
    std::string like = topic_prefix;
    // Escape LIKE wildcards in the prefix.
    std::string pat;
    for (char c : like) {
      if (c == '%' || c == '_' || c == '\\') pat += '\\';
      pat += c;
    }
    pat += '%';
    soci::rowset<soci::row> rs =
        (db.session().prepare << "SELECT id, topic, entity_key, payload, at_us FROM events WHERE id > :a AND topic LIKE :p "
                                 "ESCAPE '\\' ORDER BY id LIMIT " + std::to_string(limit),
         soci::use(after), soci::use(pat));
    for (const soci::row& row : rs) {
      Event e;
      e.id = RowInt64(row, 0);
      e.topic = RowText(row, 1);
      e.key = RowText(row, 2);
      e.payload_json = RowText(row, 3);
      e.at_us = RowInt64(row, 4);
      out.push_back(std::move(e));
    }
    return out;
  } catch (const std::exception& e) {
    return DbError(e, "读取事件失败", "cannot read events");
  }
}

Result<DispatchReport> DispatchEvents(Database& db, const std::map<std::string, EventSubscriber*>& subscribers, int batch) {
  DispatchReport rep;
  const bool pg = db.dialect() == Dialect::kPostgresql;
  batch = std::max(1, batch);
  for (const auto& [name, sub] : subscribers) {
    try {
      soci::session& sql = db.session();
      const std::string prefix = sub->TopicPrefix();
      // One write transaction per batch: the position is read, the batch delivered and the
      // new position written while no other dispatcher (another serve node, a command that
      // dispatches when it finishes) can read the same position. PostgreSQL locks the
      // position's row (FOR UPDATE: a second dispatcher waits, then reads the new position);
      // SQLite takes its write lock (BEGIN IMMEDIATE), so batches are kept small there.
      const int per_tx = pg ? batch : std::min(batch, 100);
      for (;;) {
        WriteTransaction tx(db);
        if (Status s = tx.Begin(); !s.ok()) return s;
        sql << (pg ? "INSERT INTO event_positions(subscriber, position, updated_at_us) VALUES (:n, 0, :t) ON CONFLICT DO NOTHING"
                   : "INSERT OR IGNORE INTO event_positions(subscriber, position, updated_at_us) VALUES (:n, 0, :t)"),
            soci::use(name), soci::use(static_cast<long long>(NowMicros()));
        long long pos = 0;
        sql << std::string("SELECT position FROM event_positions WHERE subscriber = :n") + (pg ? " FOR UPDATE" : ""),
            soci::use(name), soci::into(pos);
        Result<std::vector<Event>> evs = ReadEvents(db, pos, prefix, per_tx);
        if (!evs.ok()) return evs.status();
        if (evs->empty()) {
          if (Status s = tx.Commit(); !s.ok()) return s;  // keeps the new position row
          break;
        }
        long long acked = pos;
        bool failed = false;
        for (const Event& e : evs.value()) {
          Status st;
          try {
            st = sub->OnEvent(e);
          } catch (const std::exception& ex) {
            st = Status::Error(StatusCode::kInternal, std::string("订阅者抛出异常：") + ex.what(),
                               std::string("subscriber threw: ") + ex.what());
          }
          if (!st.ok()) {
            rep.failures.push_back(name + ": " + st.message());
            failed = true;
            break;
          }
          acked = e.id;
          ++rep.delivered;
        }
        if (acked != pos) {
          sql << "UPDATE event_positions SET position = :p, updated_at_us = :t WHERE subscriber = :n", soci::use(acked),
              soci::use(static_cast<long long>(NowMicros())), soci::use(name);
        }
        if (Status s = tx.Commit(); !s.ok()) return s;
        if (failed || static_cast<int>(evs->size()) < per_tx) break;
      }
    } catch (const std::exception& e) {
      return DbError(e, "分发事件失败", "cannot dispatch events");
    }
  }
  return rep;
}

}  // namespace xj
