// Batch reads and writes used by imports and the journal, with one implementation per
// backend: SQLite through prepared statements on the native handle, PostgreSQL through
// COPY (and a staging table for upserts) and array parameters. Values travel as text;
// the database converts them to the column types. Must run inside a WriteTransaction for
// writes. Not thread-safe (one Database, one thread).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "database.h"
#include "xinjian/status.h"

namespace xj {

using Cell = std::optional<std::string>;   // nullopt = SQL NULL
using Row = std::vector<Cell>;

class RowSink {
 public:
  virtual ~RowSink() = default;
  // Inserts rows into `table` (columns in order). With `conflict_columns` not empty, a row
  // whose key exists replaces the other columns of the existing row (an upsert).
  static Result<std::unique_ptr<RowSink>> Create(Database& db, const std::string& table,
                                                 const std::vector<std::string>& columns,
                                                 const std::vector<std::string>& conflict_columns = {});
  virtual Status Add(const Row& row) = 0;
  // Writes what is buffered. Must be called before the transaction commits.
  virtual Status Finish() = 0;
};

// The `value_column` of the rows of `table` whose key columns equal one of `keys` (each key
// has one value per key column). Result: joined key (values joined by '\t') => value.
Result<std::unordered_map<std::string, std::string>> FetchByKeys(
    Database& db, const std::string& table, const std::vector<std::string>& key_columns,
    const std::string& value_column, const std::vector<std::vector<std::string>>& keys);

// Quotes an identifier known to be safe ([a-z_][a-z0-9_]*); throws std::logic_error otherwise
// (identifiers never come from input).
const std::string& CheckIdentifier(const std::string& id);

}  // namespace xj

namespace xj {

enum class UpsertOutcome : std::uint8_t { kInserted, kUpdated, kUnchanged };

struct UpsertSpec {
  std::string table;
  std::vector<std::string> columns;   // every column written, in row order (includes the digest)
  std::vector<std::size_t> key;       // indices of the natural key columns in `columns`
  std::size_t digest = 0;             // index of the digest column in `columns`
};

// Writes rows by natural key inside the caller's write transaction: a new key is inserted,
// a stored row whose digest differs is replaced, an identical one is left alone. A key that
// repeats within `rows` compares with its previous row. For each row, (*outcomes)[i] says
// what happened and (*before)[i] holds the digest stored before ("" for an insert).
// SQLite classifies while writing (INSERT OR IGNORE, then a digest lookup only for existing
// keys); PostgreSQL fetches the stored digests in one query and writes through COPY.
class Upserter {
 public:
  virtual ~Upserter() = default;
  static Result<std::unique_ptr<Upserter>> Create(Database& db, const UpsertSpec& spec);
  virtual Status Run(const std::vector<Row>& rows, std::vector<UpsertOutcome>* outcomes,
                     std::vector<std::string>* before) = 0;
};

}  // namespace xj
