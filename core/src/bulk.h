// Batch reads and writes used by imports and the journal, with one implementation per
// backend: SQLite through prepared statements on the native handle, PostgreSQL through
// COPY (and a staging table for upserts) and array parameters. Values travel as text;
// the database converts them to the column types. Must run inside a WriteTransaction for
// writes. Not thread-safe (one Database, one thread).
#pragma once
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
