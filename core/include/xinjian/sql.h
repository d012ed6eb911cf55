// Storage for plugins: a narrow SQL interface the host implements on SQLite and PostgreSQL.
//
// A plugin never sees the database driver. It writes statements with positional parameters
// `?` (the host rewrites them to $1, $2… for PostgreSQL), binds scalar values and reads rows
// in a callback. Everything a plugin writes happens inside a unit of work
// (xinjian/platform.h: Platform::RunInTransaction); reads may also run outside one
// (Platform::Read). A plugin's tables are created by its own migrations
// (plugins/<name>/migrations/{sqlite,postgresql}/NNN_*.sql, docs/plugins.md).
//
//   Status st = uow.sql().Query("SELECT id, title FROM hello_notes WHERE owner = ?", {owner},
//                               [&](const xj::SqlRow& row) {
//                                 names.push_back(row.Text(1));
//                                 return true;  // false stops the scan
//                               });
//
// Dialect differences a plugin must write for itself (Sql::dialect() says which one):
// `FOR UPDATE` (PostgreSQL only; SQLite write transactions are already exclusive), upserts
// (both accept INSERT … ON CONFLICT (…) DO UPDATE), and string concatenation (both accept ||).
//
// Thread safety: an Sql object belongs to the unit of work (or read) that handed it out; use it
// on that thread only and only until the callback returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "xinjian/status.h"

namespace xj {

enum class SqlDialect { kSqlite, kPostgresql };

// A parameter: NULL, an integer, a real, text or a boolean (bound as 0/1 on SQLite and as
// the text 't'/'f' on PostgreSQL, so it fits BOOLEAN and INTEGER columns alike).
class SqlValue {
 public:
  SqlValue() = default;                                       // NULL
  SqlValue(std::nullptr_t) {}                                 // NOLINT: NULL
  SqlValue(std::int64_t v) : v_(v) {}                         // NOLINT
  SqlValue(int v) : v_(static_cast<std::int64_t>(v)) {}       // NOLINT
  SqlValue(double v) : v_(v) {}                               // NOLINT
  SqlValue(bool v) : v_(v) {}                                 // NOLINT
  SqlValue(std::string v) : v_(std::move(v)) {}               // NOLINT
  SqlValue(std::string_view v) : v_(std::string(v)) {}        // NOLINT
  SqlValue(const char* v) : v_(std::string(v)) {}             // NOLINT
  // An optional string: NULL when empty-optional.
  SqlValue(const std::optional<std::string>& v) {             // NOLINT
    if (v) v_ = *v;
  }
  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  // The value as the database receives it in text form ("" for NULL; booleans "1"/"0").
  std::string ToText() const;
  const std::variant<std::monostate, std::int64_t, double, bool, std::string>& variant() const { return v_; }

 private:
  std::variant<std::monostate, std::int64_t, double, bool, std::string> v_;
};

// Text for NULL when empty: Nullable(s) binds NULL for "" and s otherwise.
inline SqlValue Nullable(const std::string& s) { return s.empty() ? SqlValue() : SqlValue(s); }

inline std::string SqlValue::ToText() const {
  switch (v_.index()) {
    case 1: return std::to_string(std::get<std::int64_t>(v_));
    case 2: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(v_));
      return buf;
    }
    case 3: return std::get<bool>(v_) ? "1" : "0";
    case 4: return std::get<std::string>(v_);
    default: return {};
  }
}

// One result row, valid only during the row callback. Columns are numbered from 0 in the
// order of the SELECT list. Text(i) of a NULL is "", Int(i) of a NULL is 0; IsNull tells them
// apart. Int and Real parse the column's text form: an integer column read with Int, a real
// with Real. A column index out of range is a programming error (std::out_of_range).
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual int size() const = 0;
  virtual bool IsNull(int column) const = 0;
  // A view into the row's buffer, valid until the callback returns.
  virtual std::string_view View(int column) const = 0;
  std::string Text(int column) const { return std::string(View(column)); }
  std::int64_t Int(int column) const;
  double Real(int column) const;
  // True for 1/t/true (PostgreSQL booleans come as "t"/"f").
  bool Bool(int column) const {
    const std::string_view v = View(column);
    return v == "1" || v == "t" || v == "true";
  }
};

inline std::int64_t SqlRow::Int(int column) const {
  const std::string_view v = View(column);
  if (v.empty()) return 0;
  return std::stoll(std::string(v));
}
inline double SqlRow::Real(int column) const {
  const std::string_view v = View(column);
  if (v.empty()) return 0;
  return std::stod(std::string(v));
}

using SqlParams = std::vector<SqlValue>;
// Called per row; return false to stop reading (the statement is then finished quietly).
using SqlRowFn = std::function<bool(const SqlRow&)>;

// Inserts many rows quickly (SQLite: one prepared statement; PostgreSQL: COPY). Rows are
// buffered; Finish writes the rest and must be called before the unit of work returns.
// Values travel as text; the database converts them to the column types.
class SqlBulkWriter {
 public:
  virtual ~SqlBulkWriter() = default;
  // One row: exactly as many values as columns.
  virtual Status Add(const std::vector<SqlValue>& row) = 0;
  virtual Status Finish() = 0;
};

// The statements of one unit of work (or one read). Every error is kInternal with the
// database's message and the first line of the statement, except a broken unique or
// foreign-key constraint: kAlreadyExists / kFailedPrecondition, so a plugin can tell a
// duplicate from a failure. After an error inside a unit of work, return it: the host rolls
// the whole unit back (on PostgreSQL the transaction cannot go on after an error anyway).
class Sql {
 public:
  virtual ~Sql() = default;
  virtual SqlDialect dialect() const = 0;
  // Runs a statement that returns rows; calls `fn` per row.
  virtual Status Query(std::string_view sql, const SqlParams& params, const SqlRowFn& fn) = 0;
  // Runs a statement without rows (INSERT, UPDATE, DELETE). Returns the rows it changed.
  // kFailedPrecondition when called on a read-only Sql (Platform::Read).
  virtual Result<std::int64_t> Exec(std::string_view sql, const SqlParams& params = {}) = 0;
  // A bulk writer for `table` (columns in the order of the rows). Identifiers must be
  // [a-z_][a-z0-9_]*; kInvalidArgument otherwise. kFailedPrecondition on a read-only Sql.
  virtual Result<std::unique_ptr<SqlBulkWriter>> BulkInsert(const std::string& table,
                                                            const std::vector<std::string>& columns) = 0;

  // Conveniences built on Query.
  // The first column of the first row, or std::nullopt when there is no row or it is NULL.
  Result<std::optional<std::string>> QueryText(std::string_view sql, const SqlParams& params = {}) {
    std::optional<std::string> out;
    Status st = Query(sql, params, [&](const SqlRow& r) {
      if (!r.IsNull(0)) out = r.Text(0);
      return false;
    });
    if (!st.ok()) return st;
    return out;
  }
  // The first column of the first row as an integer (0 when there is no row or it is NULL).
  Result<std::int64_t> QueryInt(std::string_view sql, const SqlParams& params = {}) {
    std::int64_t out = 0;
    Status st = Query(sql, params, [&](const SqlRow& r) {
      out = r.Int(0);
      return false;
    });
    if (!st.ok()) return st;
    return out;
  }
  // True when the statement returns at least one row.
  Result<bool> Exists(std::string_view sql, const SqlParams& params = {}) {
    bool found = false;
    Status st = Query(sql, params, [&](const SqlRow&) {
      found = true;
      return false;
    });
    if (!st.ok()) return st;
    return found;
  }
};

}  // namespace xj
