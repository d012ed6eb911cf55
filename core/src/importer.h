// Imports of the directories from CSV or JSON files exported by other systems.
//
// Every record is validated (directory.h); a bad record goes to the rejects file with its
// line, column, value and reason; good records are upserted by their natural key in chunks
// of `chunk_rows` records, each with its audit records and one outbox event. A transaction
// holds one or more whole chunks (up to `commit_interval` or `commit_max_rows`). Importing
// the same file twice changes nothing the second time. A process killed in the middle leaves
// whole chunks only; running the import again completes it, ending in the same state as one
// clean import.
//
// Not thread-safe: one Database, one thread.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "csv.h"
#include "database.h"
#include "directory.h"
#include "xinjian/status.h"

namespace xj {

struct ImportProgress {
  std::uint64_t rows = 0;         // records read so far
  std::uint64_t bytes = 0;        // input bytes consumed
  std::uint64_t total_bytes = 0;  // input size (0 if unknown)
};

struct ImportOptions {
  DirectoryKind kind = DirectoryKind::kSubjects;
  std::string path;
  std::string rejects_path;            // empty: no rejects file (reasons kept in summary.sample_rejects)
  Encoding encoding = Encoding::kAuto;
  std::string format = "auto";         // auto | csv | json  (json = array or JSON Lines)
  std::string actor = "system";
  // Inspectors and items naming a department that does not exist: false (the default)
  // rejects the row naming the code; true creates the department at province level with an
  // unlimited jurisdiction, listed in the summary and recorded in the audit log
  // (action department.auto-create).
  bool create_departments = false;
  std::size_t chunk_rows = 10000;
  // A transaction commits after the chunk that brings it to `commit_interval` of age or
  // `commit_max_rows` records, at the end, and whenever the writer would wait for the reader.
  // One chunk per transaction: commit_max_rows = 1.
  std::chrono::milliseconds commit_interval{1000};
  std::size_t commit_max_rows = 200000;
  std::function<void(const ImportProgress&)> progress;  // called about every chunk
};

struct ImportSummary {
  std::uint64_t read = 0;
  std::uint64_t inserted = 0;
  std::uint64_t updated = 0;
  std::uint64_t unchanged = 0;
  std::uint64_t rejected = 0;
  std::vector<std::string> departments_created;  // with create_departments: province level, unlimited jurisdiction
  // Optional columns that some records did not carry (a CSV header without them, a JSON
  // record without the key): the stored values of those fields were kept.
  std::vector<std::string> not_carried;
  std::vector<std::string> warnings;             // e.g. unknown columns ignored (bilingual)
  std::vector<std::string> sample_rejects;       // the first few reasons, "line N, column: reason"
  std::string encoding;                          // "utf-8" | "gb18030" | "json"
};

// Returns the summary when the file was processed (even if records were rejected), or a
// non-OK status when it could not be: missing or unreadable file, a header without a
// required column, a duplicate column, a file that is not CSV/JSON at all, a database error
// (the chunks committed before stay committed).
Result<ImportSummary> ImportFile(Database& db, const ImportOptions& options);

}  // namespace xj
