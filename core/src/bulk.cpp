#include "bulk.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

namespace xj {
namespace {

// Columns stored as integers. Binding them as integers spares SQLite a text-to-number
// conversion per value.
bool IsIntegerColumn(const std::string& c) {
  auto ends = [&](const char* suf) {
    std::size_t n = std::char_traits<char>::length(suf);
    return c.size() >= n && c.compare(c.size() - n, n, suf) == 0;
  };
  return ends("_us") || ends("_ppm") || c == "seq" || c == "position" || c == "frequency_per_year" || c == "expert";
}

// Binds a cell: NULL, an integer for integer columns holding a plain decimal, else text.
int BindCell(sqlite3_stmt* st, int i, std::optional<std::string_view> c, bool integer) {
  if (!c) return sqlite3_bind_null(st, i);
  if (integer && !c->empty() && c->size() <= 18) {
    long long v = 0;
    bool neg = (*c)[0] == '-';
    bool ok = c->size() > (neg ? 1u : 0u);
    for (std::size_t k = neg ? 1 : 0; ok && k < c->size(); ++k) {
      char ch = (*c)[k];
      ok = ch >= '0' && ch <= '9';
      v = v * 10 + (ch - '0');
    }
    if (ok) return sqlite3_bind_int64(st, i, neg ? -v : v);
  }
  return sqlite3_bind_text(st, i, c->data(), static_cast<int>(c->size()), SQLITE_STATIC);
}
int BindCell(sqlite3_stmt* st, int i, const Cell& c, bool integer) {
  return BindCell(st, i, c ? std::optional<std::string_view>(*c) : std::nullopt, integer);
}

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
  SqliteSink(sqlite3* db, sqlite3_stmt* insert, sqlite3_stmt* update, std::vector<int> update_order,
             std::vector<bool> integer)
      : db_(db), insert_(insert), update_(update), update_order_(std::move(update_order)), integer_(std::move(integer)) {}
  ~SqliteSink() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(update_);
  }
  Status Add(const Row& row) override {
    if (update_) {
      sqlite3_reset(update_);
      for (std::size_t i = 0; i < update_order_.size(); ++i)
        if (Status s = Bind(update_, static_cast<int>(i + 1), static_cast<std::size_t>(update_order_[i]), row); !s.ok()) return s;
      if (sqlite3_step(update_) != SQLITE_DONE) return SqliteError(db_, "update");
      if (sqlite3_changes(db_) > 0) return Status::Ok();
    }
    sqlite3_reset(insert_);
    for (std::size_t i = 0; i < row.size(); ++i)
      if (Status s = Bind(insert_, static_cast<int>(i + 1), i, row); !s.ok()) return s;
    if (sqlite3_step(insert_) != SQLITE_DONE) return SqliteError(db_, "insert");
    return Status::Ok();
  }
  Status Finish() override { return Status::Ok(); }

 private:
  Status Bind(sqlite3_stmt* st, int i, std::size_t col, const Row& row) {
    int rc = BindCell(st, i, row[col], col < integer_.size() && integer_[col]);
    return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, "bind");
  }
  sqlite3* db_;
  sqlite3_stmt* insert_;
  sqlite3_stmt* update_;
  std::vector<int> update_order_;
  std::vector<bool> integer_;
};

// COPY text format: backslash escapes for \\, \t, \n, \r; NULL is \N.
void AppendCopyValue(std::string* out, std::optional<std::string_view> c) {
  if (!c) {
    *out += "\\N";
    return;
  }
  if (c->find_first_of("\\\t\n\r") == std::string_view::npos) {
    out->append(*c);
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
      AppendCopyValue(&buf_, row[i] ? std::optional<std::string_view>(*row[i]) : std::nullopt);
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
    std::vector<bool> integer;
    for (const std::string& c : columns) integer.push_back(IsIntegerColumn(c));
    return std::unique_ptr<RowSink>(new SqliteSink(h, insert, update, std::move(order), std::move(integer)));
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

Result<std::unordered_map<std::string, Row>> FetchRowsByKeys(
    Database& db, const std::string& table, const std::vector<std::string>& key_columns,
    const std::vector<std::string>& value_columns, const std::vector<std::vector<std::string>>& keys) {
  CheckIdentifier(table);
  for (auto& c : value_columns) CheckIdentifier(c);
  for (auto& c : key_columns) CheckIdentifier(c);
  std::unordered_map<std::string, Row> out;
  if (keys.empty() || value_columns.empty()) return out;
  out.reserve(keys.size());
  const int nv = static_cast<int>(value_columns.size());
  if (db.dialect() == Dialect::kSqlite) {
    std::string sql = "SELECT " + Join(value_columns, ",") + " FROM " + table + " WHERE ";
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
        Row row(static_cast<std::size_t>(nv));
        for (int c = 0; c < nv; ++c) {
          if (sqlite3_column_type(stmt, c) == SQLITE_NULL) continue;
          const unsigned char* v = sqlite3_column_text(stmt, c);
          row[static_cast<std::size_t>(c)] = std::string(v ? reinterpret_cast<const char*>(v) : "",
                                                         static_cast<std::size_t>(sqlite3_column_bytes(stmt, c)));
        }
        std::string joined;
        for (std::size_t i = 0; i < key.size(); ++i) joined += (i ? "\t" : "") + key[i];
        out.emplace(std::move(joined), std::move(row));
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
  std::string sql = "SELECT " + Join(key_columns, ",") + "," + Join(value_columns, ",") + " FROM " + table +
                    " WHERE (" + Join(key_columns, ",") + ") IN (SELECT * FROM unnest(";
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
    Row values(static_cast<std::size_t>(nv));
    for (int c = 0; c < nv; ++c)
      if (!PQgetisnull(r, row, k + c))
        values[static_cast<std::size_t>(c)] = std::string(PQgetvalue(r, row, k + c), static_cast<std::size_t>(PQgetlength(r, row, k + c)));
    out.emplace(std::move(joined), std::move(values));
  }
  PQclear(r);
  return out;
}

Result<std::unordered_map<std::string, std::string>> FetchByKeys(
    Database& db, const std::string& table, const std::vector<std::string>& key_columns,
    const std::string& value_column, const std::vector<std::vector<std::string>>& keys) {
  auto rows = FetchRowsByKeys(db, table, key_columns, {value_column}, keys);
  if (!rows.ok()) return rows.status();
  std::unordered_map<std::string, std::string> out;
  out.reserve(rows->size());
  for (auto& [k, v] : rows.value()) out.emplace(k, v[0].value_or(""));
  return out;
}

}  // namespace xj

namespace xj {
namespace {

std::string JoinKey(const RowBatch& rows, std::size_t r, const std::vector<std::size_t>& key) {
  if (key.size() == 1) return std::string(rows.Get(r, key[0]));
  std::string k;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (i) k += '\t';
    k += rows.Get(r, key[i]);
  }
  return k;
}

class SqliteUpserter final : public Upserter {
 public:
  SqliteUpserter(sqlite3* h, UpsertSpec spec) : h_(h), spec_(std::move(spec)) {}
  ~SqliteUpserter() override {
    sqlite3_finalize(insert_);
    sqlite3_finalize(select_);
    sqlite3_finalize(update_);
  }
  Status Prepare() {
    const auto& c = spec_.columns;
    for (const std::string& col : c) integer_.push_back(IsIntegerColumn(col));
    std::string cols, qs, set, where;
    for (std::size_t i = 0; i < c.size(); ++i) {
      cols += (i ? "," : "") + CheckIdentifier(c[i]);
      qs += i ? ",?" : "?";
      bool is_key = std::find(spec_.key.begin(), spec_.key.end(), i) != spec_.key.end();
      if (!is_key) {
        set += (set.empty() ? "" : ",") + c[i] + "=?";
        update_order_.push_back(i);
      }
    }
    for (std::size_t k : spec_.key) {
      where += (where.empty() ? "" : " AND ") + c[k] + "=?";
      update_order_.push_back(k);
    }
    std::string t = CheckIdentifier(spec_.table);
    std::string ins = "INSERT OR IGNORE INTO " + t + "(" + cols + ") VALUES (" + qs + ")";
    std::string sel = "SELECT " + c[spec_.digest] + " FROM " + t + " WHERE " + where;
    std::string upd = "UPDATE " + t + " SET " + set + " WHERE " + where;
    if (sqlite3_prepare_v2(h_, ins.c_str(), -1, &insert_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(h_, sel.c_str(), -1, &select_, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(h_, upd.c_str(), -1, &update_, nullptr) != SQLITE_OK)
      return SqliteError(h_, "prepare");
    return Status::Ok();
  }
  Status Run(const RowBatch& rows, std::vector<UpsertOutcome>* outcomes, std::vector<std::string>* before) override {
    outcomes->assign(rows.size(), UpsertOutcome::kUnchanged);
    before->assign(rows.size(), std::string());
    const std::size_t ncol = spec_.columns.size();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      sqlite3_reset(insert_);
      for (std::size_t i = 0; i < ncol; ++i) BindCell(insert_, static_cast<int>(i + 1), rows.At(r, i), integer_[i]);
      if (sqlite3_step(insert_) != SQLITE_DONE) return SqliteError(h_, "insert");
      if (sqlite3_changes(h_) == 1) {
        (*outcomes)[r] = UpsertOutcome::kInserted;
        continue;
      }
      // The key exists (or a constraint ignored the row: then there is nothing to find).
      sqlite3_reset(select_);
      for (std::size_t i = 0; i < spec_.key.size(); ++i)
        BindCell(select_, static_cast<int>(i + 1), rows.At(r, spec_.key[i]), integer_[spec_.key[i]]);
      int rc = sqlite3_step(select_);
      if (rc != SQLITE_ROW) {
        if (rc == SQLITE_DONE)
          return Status::Error(StatusCode::kInternal, "数据库约束拒绝了记录 " + JoinKey(rows, r, spec_.key),
                               "a database constraint refused the record " + JoinKey(rows, r, spec_.key));
        return SqliteError(h_, "select");
      }
      const char* stored = reinterpret_cast<const char*>(sqlite3_column_text(select_, 0));
      std::string_view stored_digest = stored ? std::string_view(stored, sqlite3_column_bytes(select_, 0)) : "";
      if (stored_digest == rows.Get(r, spec_.digest)) continue;
      (*before)[r] = std::string(stored_digest);
      sqlite3_reset(update_);
      for (std::size_t i = 0; i < update_order_.size(); ++i)
        BindCell(update_, static_cast<int>(i + 1), rows.At(r, update_order_[i]), integer_[update_order_[i]]);
      if (sqlite3_step(update_) != SQLITE_DONE) return SqliteError(h_, "update");
      (*outcomes)[r] = UpsertOutcome::kUpdated;
    }
    return Status::Ok();
  }

 private:
  sqlite3* h_;
  UpsertSpec spec_;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* update_ = nullptr;
  std::vector<std::size_t> update_order_;
  std::vector<bool> integer_;
};

// PostgreSQL. Rows whose keys are all new (the usual case of a first import) are copied
// straight into the table inside a savepoint; a key that exists after all (stored before,
// repeated in the chunk, or inserted meanwhile by another session) makes COPY fail with a
// unique violation, and the chunk then takes the general path: fetch the stored digests,
// classify, COPY the rows to write into a staging table and upsert from it.
class PgUpserter final : public Upserter {
 public:
  PgUpserter(Database& db, UpsertSpec spec) : db_(db), spec_(std::move(spec)) {
    for (std::size_t i = 0; i < spec_.columns.size(); ++i) cols_ += (i ? "," : "") + CheckIdentifier(spec_.columns[i]);
    CheckIdentifier(spec_.table);
  }
  Status Run(const RowBatch& rows, std::vector<UpsertOutcome>* outcomes, std::vector<std::string>* before) override {
    outcomes->assign(rows.size(), UpsertOutcome::kUnchanged);
    before->assign(rows.size(), std::string());
    if (rows.empty()) return Status::Ok();
    std::vector<std::size_t> all(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) all[r] = r;
    if (try_direct_) {
      Result<bool> direct = CopyNew(rows, all);
      if (!direct.ok()) return direct.status();
      if (direct.value()) {
        outcomes->assign(rows.size(), UpsertOutcome::kInserted);
        return Status::Ok();
      }
      try_direct_ = false;
    }
    std::vector<std::string> key_cols;
    for (std::size_t k : spec_.key) key_cols.push_back(spec_.columns[k]);
    std::vector<std::vector<std::string>> keys;
    keys.reserve(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::vector<std::string> kv;
      for (std::size_t k : spec_.key) kv.emplace_back(rows.Get(r, k));
      keys.push_back(std::move(kv));
    }
    auto stored = FetchByKeys(db_, spec_.table, key_cols, spec_.columns[spec_.digest], keys);
    if (!stored.ok()) return stored.status();
    auto& current = stored.value();
    std::unordered_map<std::string, std::size_t> last;  // key => the row to write
    bool updates = false;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::string key = JoinKey(rows, r, spec_.key);
      std::string_view digest = rows.Get(r, spec_.digest);
      auto it = current.find(key);
      if (it == current.end()) {
        (*outcomes)[r] = UpsertOutcome::kInserted;
        current.emplace(key, std::string(digest));
        last[key] = r;
      } else if (it->second != digest) {
        (*outcomes)[r] = UpsertOutcome::kUpdated;
        (*before)[r] = it->second;
        it->second = std::string(digest);
        last[key] = r;
        updates = true;
      }
    }
    // A chunk of new keys only suggests that the next one is new too.
    try_direct_ = !updates && last.size() == rows.size();
    if (last.empty()) return Status::Ok();
    std::vector<std::size_t> write;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto it = last.find(JoinKey(rows, r, spec_.key));
      if (it != last.end() && it->second == r) write.push_back(r);
    }
    if (!updates) {
      Result<bool> direct = CopyNew(rows, write);
      if (!direct.ok()) return direct.status();
      if (direct.value()) return Status::Ok();
    }
    auto sink = RowSink::Create(db_, spec_.table, spec_.columns, key_cols);
    if (!sink.ok()) return sink.status();
    Row row(spec_.columns.size());
    for (std::size_t r : write) {
      for (std::size_t c = 0; c < row.size(); ++c) {
        if (rows.IsNull(r, c))
          row[c].reset();
        else
          row[c] = std::string(rows.Get(r, c));
      }
      if (Status s = sink.value()->Add(row); !s.ok()) return s;
    }
    return sink.value()->Finish();
  }

 private:
  Status Exec(const char* sql) { return PgCheck(PQexec(db_.pg_handle(), sql), db_.pg_handle(), sql); }
  // COPYs rows[which] into the table inside a savepoint. false: a unique violation (nothing
  // of it is kept); error: anything else.
  Result<bool> CopyNew(const RowBatch& rows, const std::vector<std::size_t>& which) {
    pg_conn* conn = db_.pg_handle();
    if (Status s = Exec("SAVEPOINT xj_copy_new"); !s.ok()) return s;
    std::string sql = "COPY " + spec_.table + "(" + cols_ + ") FROM STDIN";
    if (Status s = PgCheck(PQexec(conn, sql.c_str()), conn, "COPY", PGRES_COPY_IN); !s.ok()) return s;
    std::string buf;
    buf.reserve(1 << 20);
    bool sent = true;
    for (std::size_t r : which) {
      for (std::size_t c = 0; c < spec_.columns.size(); ++c) {
        if (c) buf += '\t';
        AppendCopyValue(&buf, rows.At(r, c));
      }
      buf += '\n';
      if (buf.size() >= (1 << 20)) {
        sent = sent && PQputCopyData(conn, buf.data(), static_cast<int>(buf.size())) == 1;
        buf.clear();
      }
    }
    if (!buf.empty()) sent = sent && PQputCopyData(conn, buf.data(), static_cast<int>(buf.size())) == 1;
    if (!sent || PQputCopyEnd(conn, nullptr) != 1) {
      std::string m = PQerrorMessage(conn);
      return Status::Error(StatusCode::kInternal, "COPY 失败：" + m, "COPY failed: " + m);
    }
    PGresult* res = PQgetResult(conn);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    bool unique_violation = !ok && state && std::string_view(state) == "23505";
    std::string message = ok ? "" : PQerrorMessage(conn);
    PQclear(res);
    while (PGresult* more = PQgetResult(conn)) PQclear(more);
    if (ok) {
      if (Status s = Exec("RELEASE SAVEPOINT xj_copy_new"); !s.ok()) return s;
      return true;
    }
    if (Status s = Exec("ROLLBACK TO SAVEPOINT xj_copy_new"); !s.ok()) return s;
    if (Status s = Exec("RELEASE SAVEPOINT xj_copy_new"); !s.ok()) return s;
    if (unique_violation) return false;
    return Status::Error(StatusCode::kInternal, "COPY 失败：" + message, "COPY failed: " + message);
  }

  Database& db_;
  UpsertSpec spec_;
  std::string cols_;
  bool try_direct_ = true;
};

}  // namespace

Result<std::unique_ptr<Upserter>> Upserter::Create(Database& db, const UpsertSpec& spec) {
  if (db.dialect() == Dialect::kSqlite) {
    auto u = std::make_unique<SqliteUpserter>(db.sqlite_handle(), spec);
    if (Status s = u->Prepare(); !s.ok()) return s;
    return std::unique_ptr<Upserter>(std::move(u));
  }
  return std::unique_ptr<Upserter>(new PgUpserter(db, spec));
}

}  // namespace xj
