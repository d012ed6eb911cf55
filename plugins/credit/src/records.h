// Credit records (信用信息归集): record kinds as data, severity and publicity, the record store
// and the import of record files (docs/credit.md, "Credit records"). On the SDK alone.
#pragma once

#include <xinjian/platform.h>
#include <xinjian/scorer.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

namespace xj::credit {


struct KindCategory {
  std::string zh, en, severity;
};

struct RecordKind {
  std::string code, zh, en;
  std::string polarity;   // negative | positive | neutral
  std::string publicity;  // "penalty" (总局令45) | "by_severity"
  std::vector<std::string> requires_fields;  // of authority, basis, title
  std::map<std::string, KindCategory> categories;
};

// The kinds: the shipped file, plus what other plugins add (CreditRecords::AddKind).
// Thread-safe.
class Kinds {
 public:
  static Result<std::shared_ptr<Kinds>> Parse(std::string_view json_text);
  // A copy of the kind, or nullptr.
  std::shared_ptr<const RecordKind> Find(const std::string& code) const;
  std::vector<std::shared_ptr<const RecordKind>> All() const;
  // kAlreadyExists when the code is taken; kInvalidArgument for a bad kind.
  Status Add(const RecordKind& kind);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<const RecordKind>> kinds_;
};

// The configuration of publicity (plugins.credit.*), checked against the bounds of the rules.
struct PublicityRules {
  int minor_months = 0, general_months = 12, serious_months = 36;
  int penalty_short_months = 3, penalty_long_months = 36;
  double penalty_low_fine_yuan = 10000;
  static Result<PublicityRules> FromConfig(const std::function<std::string(const std::string&, const std::string&)>& cfg);
};

// One record as stored.
struct CreditRecord {
  std::string kind, ref, uscc, category, severity, occurred_on;
  std::string public_from, public_until;  // "" when never public
  double value = 0;
  bool heavy = false;
  std::string authority, basis, title;
  std::map<std::string, std::string> attributes;
  std::string withdrawn_on, withdrawn_reason;  // "" when standing
  std::string source;
  // Kept by the remedies (migration 003), never by an import: an objection is open; the
  // publicity stopped early on that day ("repaired" | "stop_disclosure").
  bool disputed = false;
  std::string publicity_ended_on, publicity_end_reason;

  std::string Id() const { return kind + "/" + ref; }
  // In publicity on `date` (YYYY-MM-DD): public_from <= date <= public_until, not withdrawn,
  // and not stopped early on or before it.
  bool PublicOn(const std::string& date) const {
    return withdrawn_on.empty() && !public_until.empty() && public_from <= date && date <= public_until &&
           (publicity_ended_on.empty() || date < publicity_ended_on);
  }
  std::string AttributesJson() const;
  // SHA-256 of the canonical form (what an import compares to find a changed record).
  std::string Digest() const;
};

// A record as a file or a caller gives it (text fields; "" = not given).
struct RecordInput {
  std::string uscc, kind, ref, category, severity, occurred_on, public_from, value, heavy, authority, basis, title,
      attributes, withdrawn_on, withdrawn_reason;
};

// Validates and completes a record: the kind and category known, the dates real, the
// severity derived when not given, the publicity period from the rules. kInvalidArgument
// naming the field (bilingual).
Result<CreditRecord> NormaliseRecord(const Kinds& kinds, const PublicityRules& rules, const RecordInput& in);

// Adds "months" to a date, the day clamped to the month's end, minus one day: the last day of a
// publicity of `months` starting on `from`.
std::string LastDayAfterMonths(const std::string& from, int months);

struct UpsertCounts {
  std::int64_t inserted = 0, updated = 0, unchanged = 0;
};

// Writes records (insert, or update when the digest differs) with one audit record each, in
// `uow`; is_public as of `today`. `touched` receives the USCCs whose records changed. The
// records' subjects must be in the directory (kNotFound naming the USCC otherwise);
// `subjects_checked`: the caller has looked already (the import, which rejects such rows).
Status UpsertRecords(UnitOfWork& uow, const std::vector<CreditRecord>& records, const std::string& today,
                     UpsertCounts* counts, std::set<std::string>* touched, bool subjects_checked = false);

// Loads the stored record (kind, ref), or nullopt.
Result<std::optional<CreditRecord>> LoadRecord(Sql& sql, const std::string& kind, const std::string& ref);
// Every record of a subject, in (occurred_on, kind, ref) order.
Result<std::vector<CreditRecord>> LoadRecordsOf(Sql& sql, const std::string& uscc);

// A file's row (values by column) turned into a record's input, or a bilingual reason.
using RowMapper = std::function<Result<RecordInput>(const std::map<std::string, std::string>& values)>;

// The import of a record file: CSV (UTF-8 or GB18030) or JSON (an array or JSON Lines).
struct ImportOptions {
  // The file's columns and the required ones; empty: the record columns (docs/credit.md).
  std::vector<std::string> columns, required;
  RowMapper map_row;  // empty: the record columns as they are
  std::string path;
  std::string rejects_path;     // "" = no rejects file
  std::string format = "auto";  // auto | csv | json
  std::string encoding = "auto";
  std::int64_t batch_rows = 2000;
  bool score = true;  // rescore the subjects of each batch in its unit of work
};
struct ImportSummary {
  std::int64_t read = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0, batches = 0;
  std::vector<std::string> warnings;
  std::vector<std::string> sample_rejects;  // the first 20, "line N: reason"
  std::string rejects_path;
};

class Scoring;  // scoring.h

// Runs an import. Each batch of rows is one unit of work (records, audit records, scores), so
// a killed import keeps whole batches and a re-run upserts the rest (and finds the kept ones
// unchanged). `progress` gets a line now and then (stderr).
Result<ImportSummary> ImportRecords(Platform& platform, const Principal& who, const Kinds& kinds,
                                    const PublicityRules& rules, Scoring* scoring, const ImportOptions& options,
                                    std::ostream* progress);

// The columns of a record file and the row mapper of one.
const std::vector<std::string>& RecordColumns();
RecordInput RecordInputOf(const std::map<std::string, std::string>& values);

// Intermediaries' evaluations (中介服务评价): one row per engagement, with the marks of the client,
// the supervising department and the approval office (0-100, weighted as configured; a mark not
// given leaves its weight to the others), the promised and actual service days and the declared
// and charged fees. Each becomes a record of kind intermediary_evaluation (ref: the engagement).
struct EvaluationWeights {
  int client = 70, department = 10, approval_office = 20;
  // "70,10,20" (plugins.credit.evaluation_weights): three whole numbers adding up to 100.
  static Result<EvaluationWeights> Parse(const std::string& text);
};
const std::vector<std::string>& EvaluationColumns();
Result<RecordInput> EvaluationInputOf(const EvaluationWeights& weights, const std::map<std::string, std::string>& values);

// Intermediaries' profiles: their service categories and qualifications (CSV: uscc, categories,
// qualifications; lists ';'-separated). Each subject must be an intermediary of the directory.
// Upserts in one unit of work per 2,000 rows; bad rows rejected with their line and reason.
struct ProfileSummary {
  std::int64_t read = 0, written = 0, rejected = 0;
  std::vector<std::string> sample_rejects;
};
Result<ProfileSummary> ImportIntermediaries(Platform& platform, const Principal& who, const std::string& path,
                                            const std::string& rejects_path);

// The publicity job: records whose publicity ended before `today` stop being public (one
// event "credit.record.expired" per record), records whose publicity begins become public; the
// subjects' scores follow in the same unit. Returns how many records changed.
Result<std::int64_t> RefreshPublicity(UnitOfWork& uow, Scoring* scoring, const std::string& today);

// Withdraws a record (a revoked penalty, a record removed after an objection): it stops
// counting and showing at once; the score follows in the same unit. kNotFound when absent.
// The remedies' two writes (RecordsService::SetDisputed and EndPublicity, whose contracts
// they implement).
Status SetRecordDisputed(UnitOfWork& uow, const std::string& kind, const std::string& ref, bool disputed,
                         const std::string& reason);
Status EndRecordPublicity(UnitOfWork& uow, Scoring* scoring, const std::string& kind, const std::string& ref,
                          const std::string& on, const std::string& reason);
Status WithdrawRecord(UnitOfWork& uow, Scoring* scoring, const std::string& kind, const std::string& ref,
                      const std::string& on, const std::string& reason);

}  // namespace xj::credit
