#include "bulk.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

namespace xj {
namespace {

std::string Join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += v[i];
  }
  return s;
}

Status SqliteError(sqlite3* db, const std::string& what) {
  std::string m = sqlite3_errmsg(db);
  return Status::Error(StatusCode::kInternal, what + " 失败：" + m, what + " failed: " + m);
}

class SqliteSink final : public RowSink {
 public:
  // `insert` inserts a row; `update` (optional) updates the row with the same key and is
  // tried first: SQLite's ON CONFLICT DO UPDATE builds an ephemeral table per row, which
  // costs more than a second statement.
  SqliteSink(sqlite3* db, sqlite3_stmt* insert, sqlite3_stmt* update, std::vector<int> update_order)
      : db_(db), insert_(insert), update_(update), update_order_(std::move(update_order)) {}
  ~SqliteSink() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(update_);
  }
  Status Add(const Row& row) override {
    if (update_) {
      sqlite3_reset(update_);
      for (std::size_t i = 0; i < update_order_.size(); ++i)
        if (Status s = Bind(update_, static_cast<int>(i + 1), row[static_cast<std::size_t>(update_order_[i])]); !s.ok()) return s;
      if (sqlite3_step(update_) != SQLITE_DONE) return SqliteError(db_, "update");
      if (sqlite3_changes(db_) > 0) return Status::Ok();
    }
    sqlite3_reset(insert_);
    for (std::size_t i = 0; i < row.size(); ++i)
      if (Status s = Bind(insert_, static_cast<int>(i + 1), row[i]); !s.ok()) return s;
    if (sqlite3_step(insert_) != SQLITE_DONE) return SqliteError(db_, "insert");
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  Status Bind(sqlite3_stmt* st, int i, const Cell& c) {
    int rc = c ? sqlite3_bind_text(st, i, c->data(), static_cast<int>(c->size()), SQLITE_STATIC)
               : sqlite3_bind_null(st, i);
    return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* insert_;
  sqlite3_stmt* update_;
  std::vector<int> update_order_;
};

// COPY text format: backslash escapes for \\, \t, \n, \r; NULL is \N.
void AppendCopyValue(std::string* out, const Cell& c) {
  if (!c) {
    *out += "\\N";
    return;
  }
  for (char ch : *c) {
    switch (ch) {
      case '\\': *out += "\\\\"; break;
      case '\t': *out += "\\t"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      default: *out += ch;
    }
  }
}

Status PgCheck(PGresult* r, pg_conn* conn, const std::string& what, ExecStatusType want = PGRES_COMMAND_OK) {
  ExecStatusType st = PQresultStatus(r);
  std::string m = st == want ? "" : std::string(PQerrorMessage(conn));
  PQclear(r);
  if (st != want) return Status::Error(StatusCode::kInternal, what + " 失败：" + m, what + " failed: " + m);
  return Status::Ok();
}

class PgSink final : public RowSink {
 public:
  PgSink(pg_conn* conn, std::string copy_target, std::string after_sql, std::string cleanup_sql)
      : conn_(conn), copy_target_(std::move(copy_target)), after_sql_(std::move(after_sql)),
        cleanup_sql_(std::move(cleanup_sql)) {}
  Status Add(const Row& row) override {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) buf_ += '\t';
      AppendCopyValue(&buf_, row[i]);
    }
    buf_ += '\n';
    ++rows_;
    if (buf_.size() > (1 << 20)) return Flush();
    return Status::Ok();
  }
  Status Finish() override {
    if (Status s = Flush(); !s.ok()) return s;
    if (copying_) {
      if (PQputCopyEnd(conn_, nullptr) != 1) return Err("COPY end");
      copying_ = false;
      if (Status s = PgCheck(PQgetResult(conn_), conn_, "COPY"); !s.ok()) return s;
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    }
    if (rows_ > 0 && !after_sql_.empty()) {
      if (Status s = PgCheck(PQexec(conn_, after_sql_.c_str()), conn_, "upsert"); !s.ok()) return s;
    }
    if (!cleanup_sql_.empty()) {
      if (Status s = PgCheck(PQexec(conn_, cleanup_sql_.c_str()), conn_, "cleanup"); !s.ok()) return s;
    }
    rows_ = 0;
    return Status::Ok();
  }

 private:
  Status Err(const std::string& what) {
    std::string m = PQerrorMessage(conn_);
    return Status::Error(StatusCode::kInternal, what + " 失败：" + m, what + " failed: " + m);
  }
  Status Flush() {
    if (buf_.empty()) return Status::Ok();
    if (!copying_) {
      std::string sql = "COPY " + copy_target_ + " FROM STDIN";
      PGresult* r = PQexec(conn_, sql.c_str());
      if (Status s = PgCheck(r, conn_, "COPY", PGRES_COPY_IN); !s.ok()) return s;
      copying_ = true;
    }
    if (PQputCopyData(conn_, buf_.data(), static_cast<int>(buf_.size())) != 1) return Err("COPY data");
    buf_.clear();
    return Status::Ok();
  }
  pg_conn* conn_;
  std::string copy_target_, after_sql_, cleanup_sql_;
  std::string buf_;
  bool copying_ = false;
  std::size_t rows_ = 0;
};

std::string PgArrayLiteral(const std::vector<std::vector<std::string>>& keys, std::size_t col) {
  std::string s = "{";
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i) s += ',';
    s += '"';
    for (char c : keys[i][col]) {
      if (c == '"' || c == '\\') s += '\\';
      s += c;
    }
    s += '"';
  }
  s += '}';
  return s;
}

}  // namespace

const std::string& CheckIdentifier(const std::string& id) {
  bool ok = !id.empty() && (std::islower(static_cast<unsigned char>(id[0])) || id[0] == '_');
  for (char c : id) ok = ok && (std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_');
  if (!ok) throw std::logic_error("bad SQL identifier: " + id);
  return id;
}

Result<std::unique_ptr<RowSink>> RowSink::Create(Database& db, const std::string& table,
                                                  const std::vector<std::string>& columns,
                                                  const std::vector<std::string>& conflict_columns) {
  CheckIdentifier(table);
  for (auto& c : columns) CheckIdentifier(c);
  std::string cols = Join(columns, ",");
  std::string update;
  for (auto& c : columns) {
    bool is_key = false;
    for (auto& k : conflict_columns) is_key = is_key || k == c;
    if (is_key) continue;
    if (!update.empty()) update += ',';
    update += c + "=excluded." + c;
  }
  std::string conflict = conflict_columns.empty()
                             ? ""
                             : " ON CONFLICT (" + Join(conflict_columns, ",") + ") DO UPDATE SET " + update;
  if (db.dialect() == Dialect::kSqlite) {
    sqlite3* h = db.sqlite_handle();
    std::string sql = "INSERT INTO " + table + "(" + cols + ") VALUES (";
    for (std::size_t i = 0; i < columns.size(); ++i) sql += i ? ",?" : "?";
    sql += ")";
    sqlite3_stmt* insert = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &insert, nullptr) != SQLITE_OK) return SqliteError(h, "prepare");
    sqlite3_stmt* update = nullptr;
    std::vector<int> order;
    if (!conflict_columns.empty()) {
      std::string set, where;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        bool is_key = std::find(conflict_columns.begin(), conflict_columns.end(), columns[i]) != conflict_columns.end();
        if (is_key) continue;
        set += (set.empty() ? "" : ",") + columns[i] + "=?";
        order.push_back(static_cast<int>(i));
      }
      for (const std::string& k : conflict_columns) {
        auto it = std::find(columns.begin(), columns.end(), k);
        if (it == columns.end()) throw std::logic_error("conflict column not among the columns: " + k);
        where += (where.empty() ? "" : " AND ") + k + "=?";
        order.push_back(static_cast<int>(it - columns.begin()));
      }
      std::string u = "UPDATE " + table + " SET " + set + " WHERE " + where;
      if (sqlite3_prepare_v2(h, u.c_str(), -1, &update, nullptr) != SQLITE_OK) {
        sqlite3_finalize(insert);
        return SqliteError(h, "prepare");
      }
    }
    return std::unique_ptr<RowSink>(new SqliteSink(h, insert, update, std::move(order)));
  }
  pg_conn* conn = db.pg_handle();
  if (conflict_columns.empty())
    return std::unique_ptr<RowSink>(new PgSink(conn, table + "(" + cols + ")", "", ""));
  std::string staging = "xj_stage_" + table;
  std::string create = "CREATE TEMP TABLE IF NOT EXISTS " + staging + " (LIKE " + table + " INCLUDING DEFAULTS)";
  if (Status s = PgCheck(PQexec(conn, create.c_str()), conn, "staging table"); !s.ok()) return s;
  if (Status s = PgCheck(PQexec(conn, ("TRUNCATE " + staging).c_str()), conn, "staging table"); !s.ok()) return s;
  std::string after = "INSERT INTO " + table + "(" + cols + ") SELECT " + cols + " FROM " + staging + conflict;
  return std::unique_ptr<RowSink>(new PgSink(conn, staging + "(" + cols + ")", after, "TRUNCATE " + staging));
}

Result<std::unordered_map<std::string, std::string>> FetchByKeys(
    Database& db, const std::string& table, const std::vector<std::string>& key_columns,
    const std::string& value_column, const std::vector<std::vector<std::string>>& keys) {
  CheckIdentifier(table);
  CheckIdentifier(value_column);
  for (auto& c : key_columns) CheckIdentifier(c);
  std::unordered_map<std::string, std::string> out;
  if (keys.empty()) return out;
  out.reserve(keys.size());
  if (db.dialect() == Dialect::kSqlite) {
    std::string sql = "SELECT " + value_column + " FROM " + table + " WHERE ";
    for (std::size_t i = 0; i < key_columns.size(); ++i) sql += (i ? " AND " : "") + key_columns[i] + "=?";
    sqlite3* h = db.sqlite_handle();
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return SqliteError(h, "prepare");
    for (const auto& key : keys) {
      sqlite3_reset(stmt);
      for (std::size_t i = 0; i < key.size(); ++i)
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), key[i].data(), static_cast<int>(key[i].size()), SQLITE_STATIC);
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        const unsigned char* v = sqlite3_column_text(stmt, 0);
        std::string joined;
        for (std::size_t i = 0; i < key.size(); ++i) joined += (i ? "\t" : "") + key[i];
        out.emplace(std::move(joined), v ? reinterpret_cast<const char*>(v) : "");
      } else if (rc != SQLITE_DONE) {
        Status s = SqliteError(h, "select");
        sqlite3_finalize(stmt);
        return s;
      }
    }
    sqlite3_finalize(stmt);
    return out;
  }
  // PostgreSQL: one round trip with one array parameter per key column.
  std::string sql = "SELECT " + Join(key_columns, ",") + "," + value_column + " FROM " + table + " WHERE (" +
                    Join(key_columns, ",") + ") IN (SELECT * FROM unnest(";
  for (std::size_t i = 0; i < key_columns.size(); ++i) sql += (i ? "," : "") + std::string("$") + std::to_string(i + 1) + "::text[]";
  sql += "))";
  std::vector<std::string> arrays;
  for (std::size_t i = 0; i < key_columns.size(); ++i) arrays.push_back(PgArrayLiteral(keys, i));
  std::vector<const char*> params;
  for (auto& a : arrays) params.push_back(a.c_str());
  pg_conn* conn = db.pg_handle();
  PGresult* r = PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) return PgCheck(r, conn, "select", PGRES_TUPLES_OK);
  int n = PQntuples(r);
  int k = static_cast<int>(key_columns.size());
  for (int row = 0; row < n; ++row) {
    std::string joined;
    for (int c = 0; c < k; ++c) joined += (c ? "\t" : "") + std::string(PQgetvalue(r, row, c));
    out.emplace(std::move(joined), PQgetvalue(r, row, k));
  }
  PQclear(r);
  return out;
}

}  // namespace xj
