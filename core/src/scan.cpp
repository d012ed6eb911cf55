// See scan.h.
#include "scan.h"

#include <libpq-fe.h>
#include <sqlite3.h>

namespace xj {
namespace {

std::string PgPlaceholders(const std::string& sql) {
  std::string out;
  int n = 0;
  bool quoted = false;
  for (char c : sql) {
    if (c == '\'') quoted = !quoted;
    if (c == '?' && !quoted) {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

Status ScanSqlite(sqlite3* h, const std::string& sql, const std::vector<std::optional<std::string>>& params,
                  const std::function<bool(const ScanRow&)>& fn) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(h, sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK)
    return Status::Error(StatusCode::kInternal, "查询准备失败：" + std::string(sqlite3_errmsg(h)),
                         "preparing a query failed: " + std::string(sqlite3_errmsg(h)));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    if (params[i]) {
      sqlite3_bind_text(st, idx, params[i]->data(), static_cast<int>(params[i]->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(st, idx);
    }
  }
  const int cols = sqlite3_column_count(st);
  ScanRow row;
  row.values.resize(static_cast<std::size_t>(cols));
  row.null.resize(static_cast<std::size_t>(cols));
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    for (int c = 0; c < cols; ++c) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
      const auto idx = static_cast<std::size_t>(c);
      row.null[idx] = p == nullptr;
      row.values[idx] = p == nullptr ? std::string_view() : std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, c)));
    }
    if (!fn(row)) {
      rc = SQLITE_DONE;
      break;
    }
  }
  Status result = Status::Ok();
  if (rc != SQLITE_DONE)
    result = Status::Error(StatusCode::kInternal, "查询失败：" + std::string(sqlite3_errmsg(h)),
                           "a query failed: " + std::string(sqlite3_errmsg(h)));
  sqlite3_finalize(st);
  return result;
}

Status ScanPg(pg_conn* conn, const std::string& sql, const std::vector<std::optional<std::string>>& params,
              const std::function<bool(const ScanRow&)>& fn) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const std::string q = PgPlaceholders(sql);
  if (PQsendQueryParams(conn, q.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0) != 1)
    return Status::Error(StatusCode::kInternal, "查询发送失败：" + std::string(PQerrorMessage(conn)),
                         "sending a query failed: " + std::string(PQerrorMessage(conn)));
  PQsetSingleRowMode(conn);
  Status result = Status::Ok();
  bool stop = false;
  ScanRow row;
  while (PGresult* r = PQgetResult(conn)) {
    const ExecStatusType s = PQresultStatus(r);
    if (s == PGRES_SINGLE_TUPLE && !stop && result.ok()) {
      const int cols = PQnfields(r);
      row.values.resize(static_cast<std::size_t>(cols));
      row.null.resize(static_cast<std::size_t>(cols));
      for (int c = 0; c < cols; ++c) {
        const auto idx = static_cast<std::size_t>(c);
        row.null[idx] = PQgetisnull(r, 0, c) != 0;
        row.values[idx] = std::string_view(PQgetvalue(r, 0, c), static_cast<std::size_t>(PQgetlength(r, 0, c)));
      }
      if (!fn(row)) stop = true;  // keep draining: libpq needs every result read
    } else if (s != PGRES_SINGLE_TUPLE && s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK && result.ok()) {
      result = Status::Error(StatusCode::kInternal, "查询失败：" + std::string(PQresultErrorMessage(r)),
                             "a query failed: " + std::string(PQresultErrorMessage(r)));
    }
    PQclear(r);
  }
  return result;
}

}  // namespace

Status ScanRows(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& params,
                const std::function<bool(const ScanRow&)>& fn) {
  if (db.dialect() == Dialect::kSqlite) return ScanSqlite(db.sqlite_handle(), sql, params, fn);
  return ScanPg(db.pg_handle(), sql, params, fn);
}

}  // namespace xj
