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

// Rows of text cells stored back to back in one buffer: a chunk of an import. The reader
// thread builds it and the writer thread consumes it, so the writer frees one buffer per
// chunk instead of the thousands of small strings the reader allocated (glibc frees a chunk
// of another thread's arena slowly). Rows are seen in a logical order that Sort and Keep
// change without moving the bytes; Physical(i) maps it to the order of Add, for arrays kept
// beside the batch.
class RowBatch {
 public:
  explicit RowBatch(std::size_t columns = 0) : columns_(columns), constant_(columns) {}
  std::size_t size() const { return order_.size(); }
  std::size_t columns() const { return columns_; }
  bool empty() const { return order_.empty(); }
  void Reserve(std::size_t rows, std::size_t bytes) {
    cells_.reserve(rows * columns_);
    order_.reserve(rows);
    data_.reserve(bytes);
  }
  // Appends a row of exactly columns() cells.
  void Add(const Row& row) {
    for (std::size_t c = 0; c < columns_; ++c) {
      const Cell& v = c < row.size() ? row[c] : Cell();
      if (!v) {
        cells_.push_back({0, kNull});
        continue;
      }
      cells_.push_back({data_.size(), static_cast<std::uint32_t>(v->size())});
      data_.append(*v);
    }
    order_.push_back(static_cast<std::uint32_t>(order_.size()));
  }
  std::size_t Physical(std::size_t r) const { return order_[r]; }
  bool IsNull(std::size_t r, std::size_t c) const {
    return constant_[c] ? false : cells_[order_[r] * columns_ + c].len == kNull;
  }
  // The text of a cell ("" for NULL).
  std::string_view Get(std::size_t r, std::size_t c) const {
    if (constant_[c]) return *constant_[c];
    const Span& s = cells_[order_[r] * columns_ + c];
    return s.len == kNull ? std::string_view() : std::string_view(data_.data() + s.off, s.len);
  }
  std::optional<std::string_view> At(std::size_t r, std::size_t c) const {
    if (IsNull(r, c)) return std::nullopt;
    return Get(r, c);
  }
  // From now on column c of every row reads as `value` (for example the commit instant).
  void SetConstant(std::size_t c, std::string value) { constant_[c] = std::move(value); }
  // Keeps the rows (in logical order) for which keep[r] is true.
  void Keep(const std::vector<bool>& keep) {
    std::size_t n = 0;
    for (std::size_t r = 0; r < order_.size(); ++r)
      if (keep[r]) order_[n++] = order_[r];
    order_.resize(n);
  }
  // A cell by physical index, ignoring constants (for sorting the order).
  std::string_view GetPhysical(std::size_t p, std::size_t c) const {
    const Span& s = cells_[p * columns_ + c];
    return s.len == kNull ? std::string_view() : std::string_view(data_.data() + s.off, s.len);
  }
  // The logical order (physical indices), to reorder in place.
  std::vector<std::uint32_t>& order() { return order_; }

 private:
  static constexpr std::uint32_t kNull = 0xFFFFFFFFu;
  struct Span {
    std::size_t off;
    std::uint32_t len;
  };
  std::size_t columns_;
  std::vector<Span> cells_;
  std::string data_;
  std::vector<std::uint32_t> order_;
  std::vector<std::optional<std::string>> constant_;
};

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

// The `value_columns` of the rows of `table` whose key columns equal one of `keys`, as cells
// (nullopt = SQL NULL) in the order of value_columns. Result: joined key => row.
Result<std::unordered_map<std::string, Row>> FetchRowsByKeys(
    Database& db, const std::string& table, const std::vector<std::string>& key_columns,
    const std::vector<std::string>& value_columns, const std::vector<std::vector<std::string>>& keys);

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
  virtual Status Run(const RowBatch& rows, std::vector<UpsertOutcome>* outcomes, std::vector<std::string>* before) = 0;
};

}  // namespace xj
