// The directory's public reads and its search index, on the SDK's Sql (both dialects).
//
// The index (migrations/*/001_search.sql) holds one row per subject: its key (search_text.h:
// the name, ASCII capitals folded) and, per dialect, what answers substring queries fast:
//   SQLite      FTS5 trigram (3 or more characters) and FTS5 over bigram tokens (2 characters),
//               both contentless with detail=none;
//   PostgreSQL  a GIN index over the keys' bigram codes (int[]), for every query length, the
//               substring checked on the key (see docs/web.md for why not pg_trgm alone).
// It is derived data, kept by IndexStep: first a build over the subjects table in USCC order,
// in steps of a bounded number of subjects, each committed with the position it reached (so a
// killed build resumes where its last step ended); then a catch-up with the subject changes
// the audit log records (directory.h: DirectoryChangesAfter), from the audit position taken
// when the build began. Index writes touch only the plugin's tables and leave no audit record
// (the index is not a record of anything: `directory index --rebuild` rebuilds it from the
// directory).
//
// Thread safety: functions of Sql, which belongs to the caller's unit of work or read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "search_text.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::directory {

// At most this many matches of a search are gathered: a query with more answers "more than
// kSearchCap" (capped) and pages through kSearchCap of them.
inline constexpr std::int64_t kSearchCap = 500;

// A subject's public facts: what the enterprise credit publicity rules publish of every subject,
// an individual business (whose operator is a natural person) included. Never its risk class,
// industry, labels or anything of the inspectors (docs/web.md, "What the directory shows").
struct PublicSubject {
  std::string uscc, name, type, region, registered_on, status;
  std::optional<std::string> address;
};

// The subject `uscc` (well-formed: CheckUscc), std::nullopt when the directory has none.
Result<std::optional<PublicSubject>> FindPublicSubject(Sql& sql, const std::string& uscc);

// The subjects of `usccs` that exist, in USCC order.
Result<std::vector<PublicSubject>> LoadPublicSubjects(Sql& sql, const std::vector<std::string>& usccs);

struct SearchResult {
  std::vector<PublicSubject> items;  // the page, in USCC order
  std::int64_t total = 0;            // matches, at most kSearchCap
  bool capped = false;               // more than kSearchCap matched (then total == kSearchCap)
  bool index_complete = true;        // false while the index is built for the first time
};

// The page [offset, offset + limit) of the subjects matching `q`, in USCC order. A USCC
// prefix is answered from the subjects table's primary key; a name from the index.
// kInvalidArgument when offset + limit goes beyond kSearchCap.
Result<SearchResult> Search(Sql& sql, const SearchQuery& q, std::int64_t limit, std::int64_t offset);

// The index's state.
struct IndexState {
  std::string phase;                 // "build" | "ready"
  std::string build_after;           // the last USCC the build indexed
  std::optional<std::int64_t> audit_seq;  // the audit position the index reflects
  std::optional<std::int64_t> build_started_at_us, build_finished_at_us;
};
Result<IndexState> ReadIndexState(Sql& sql);

// What one IndexStep did.
struct StepResult {
  std::string phase;          // after the step
  std::int64_t built = 0;     // subjects added by the build
  std::int64_t changes = 0;   // change records read by the catch-up
  std::int64_t rewritten = 0; // index rows the catch-up rewrote, added or removed
  bool done = false;          // nothing left: the build is over and the index has caught up
};

// One bounded step, inside the caller's unit of work: while building, index the next `budget`
// subjects after the last one indexed; once built, apply up to `budget` subject changes
// recorded since the index's audit position. Takes the state row's lock (PostgreSQL: FOR
// UPDATE), so concurrent steps of several processes run one after the other.
Result<StepResult> IndexStep(Sql& sql, std::int64_t now_us, std::int64_t budget);

// Merges the index's segments (SQLite FTS5 'optimize'; PostgreSQL ANALYZE of the table, so the
// planner knows the frequent bigrams). For the end of a build; safe any time.
Status OptimizeIndex(Sql& sql);

// Empties the index and starts the build again.
Status ResetIndex(Sql& sql, std::int64_t now_us);

// Rows and bytes of the index (SQLite: dbstat when available, else -1; PostgreSQL:
// pg_total_relation_size), for `directory index` and the benchmark.
struct IndexSize {
  std::int64_t rows = 0;
  std::int64_t bytes = -1;
};
Result<IndexSize> MeasureIndex(Sql& sql);

}  // namespace xj::directory
