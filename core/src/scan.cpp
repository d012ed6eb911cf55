// See scan.h.
#include "scan.h"

#include <libpq-fe.h>
#include <sqlite3.h>

namespace xj {
namespace {

// The text form of optional parameters, without copying them.
TextParams Pointers(const std::vector<std::optional<std::string>>& params) {
  TextParams out;
  out.reserve(params.size());
  for (const auto& p : params) out.push_back(p ? &*p : nullptr);
  return out;
}

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

Status ScanSqlite(Database& db, const std::string& sql, const TextParams& params,
                  const std::function<bool(const ScanRow&)>& fn) {
  sqlite3* h = db.sqlite_handle();
  sqlite3_stmt* st = db.AcquireStatement(sql);
  if (st == nullptr)
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
  ScanRow row;
  int cols = -1;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (cols < 0) {
      // Counted after the first step: a cached statement whose tables changed shape since it
      // was prepared is prepared again by that step (sqlite3_prepare_v2), with the new columns.
      cols = sqlite3_column_count(st);
      row.values.resize(static_cast<std::size_t>(cols));
      row.null.resize(static_cast<std::size_t>(cols));
    }
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
  db.ReleaseStatement(st);
  return result;
}

// The rows of the query whose results come next on `conn`, in single-row mode, until
// PQgetResult answers null.
// `*stale` (when given) is set when the server refused a prepared statement whose tables
// changed shape since it was prepared (SQLSTATE 0A000, "cached plan must not change result
// type").
Status ReadRowsPg(pg_conn* conn, const std::function<bool(const ScanRow&)>& fn, bool* stale = nullptr) {
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
      const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
      if (stale != nullptr && state != nullptr && std::string_view(state) == "0A000") *stale = true;
      std::string msg = PQresultErrorMessage(r);
      if (s == PGRES_PIPELINE_ABORTED) msg = "a command before it failed";
      result = Status::Error(StatusCode::kInternal, "查询失败：" + msg, "a query failed: " + msg);
    }
    PQclear(r);
  }
  return result;
}

Status SendFailed(pg_conn* conn) {
  return Status::Error(StatusCode::kInternal, "查询发送失败：" + std::string(PQerrorMessage(conn)),
                       "sending a query failed: " + std::string(PQerrorMessage(conn)));
}

Status PgError(const char* zh, const char* en, const PGresult* r) {
  std::string msg = PQresultErrorMessage(r);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  return Status::Error(StatusCode::kInternal, zh + msg, en + msg);
}

// Reads the results of one command without rows (BEGIN, COMMIT, a prepare) up to the null
// that ends them; true when it succeeded. The first error goes into `*result` unless one is
// there already.
bool TakeCommand(pg_conn* conn, const char* zh, const char* en, Status* result) {
  bool ok = false;
  while (PGresult* r = PQgetResult(conn)) {
    if (PQresultStatus(r) == PGRES_COMMAND_OK) {
      ok = true;
    } else if (result->ok()) {
      *result = PgError(zh, en, r);
    }
    PQclear(r);
  }
  return ok;
}

// Runs `sql` as a prepared statement of the connection (Database::PgStatementName), prepared
// first when the server does not have it yet, and reads its rows. `begin` (a deferred BEGIN,
// Database::DeferBegin) goes before it and `end` (a COMMIT) after it when not empty. All of it
// is one round trip: with anything besides the statement itself, the commands go in a libpq
// pipeline with one sync point. A failed command makes the ones after it fail (the
// pipeline's rule); the first error is the one returned.
Status ScanPg(Database& db, pg_conn* conn, const std::string& begin, const std::string& sql, const TextParams& params,
              const std::function<bool(const ScanRow&)>& fn, const char* end = nullptr) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const int n = static_cast<int>(values.size());
  const std::string q = PgPlaceholders(sql);
  bool known = false;
  const std::string name = db.PgStatementName(q, values.size(), &known);
  const bool prepare = !name.empty() && !known;
  auto send_query = [&] {
    return name.empty() ? PQsendQueryParams(conn, q.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0)
                        : PQsendQueryPrepared(conn, name.c_str(), n, values.data(), nullptr, nullptr, 0);
  };
  auto send_command = [&](const char* command) {
    return PQsendQueryParams(conn, command, 0, nullptr, nullptr, nullptr, nullptr, 0);
  };
  bool stale = false;
  auto read_rows = [&] {
    Status st = ReadRowsPg(conn, fn, &stale);
    if (stale && !name.empty()) db.PgUnprepared(q);  // prepared again, under a new name, next time
    return st;
  };
  if (begin.empty() && !prepare && end == nullptr) {
    if (send_query() != 1) return SendFailed(conn);
    return read_rows();
  }
  if (PQenterPipelineMode(conn) != 1) return SendFailed(conn);  // only when results are owed: a bug
  if ((!begin.empty() && send_command(begin.c_str()) != 1) ||
      (prepare && PQsendPrepare(conn, name.c_str(), q.c_str(), n, nullptr) != 1) || send_query() != 1 ||
      (end != nullptr && send_command(end) != 1) || PQpipelineSync(conn) != 1) {
    Status st = SendFailed(conn);
    (void)PQexitPipelineMode(conn);  // fails while results are owed: the connection is broken then
    return st;
  }
  Status result = Status::Ok();
  if (!begin.empty()) (void)TakeCommand(conn, "开始事务失败：", "BEGIN failed: ", &result);
  if (prepare && TakeCommand(conn, "查询准备失败：", "preparing a query failed: ", &result)) db.PgPrepared(q, name);
  Status rows = read_rows();
  if (result.ok()) result = rows;
  if (end != nullptr) (void)TakeCommand(conn, "提交失败：", "COMMIT failed: ", &result);
  // The sync point's result, then out of pipeline mode.
  while (PGresult* r = PQgetResult(conn)) {
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) break;
  }
  if (PQexitPipelineMode(conn) != 1 && result.ok())
    result = Status::Error(StatusCode::kInternal, "查询结束失败：" + std::string(PQerrorMessage(conn)),
                           "ending a query failed: " + std::string(PQerrorMessage(conn)));
  return result;
}

std::string FirstLine(const std::string& sql) {
  std::string_view v(sql);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\n')) v.remove_prefix(1);
  v = v.substr(0, v.find('\n'));
  if (v.size() > 120) return std::string(v.substr(0, 120)) + "…";
  return std::string(v);
}

Status ExecError(StatusCode code, const std::string& db_message, const std::string& sql) {
  return Status::Error(code, "SQL 执行失败：" + db_message + "（" + FirstLine(sql) + "）",
                       "a statement failed: " + db_message + " (" + FirstLine(sql) + ")");
}

Result<std::int64_t> ExecSqlite(Database& db, const std::string& sql, const TextParams& params) {
  sqlite3* h = db.sqlite_handle();
  sqlite3_stmt* st = db.AcquireStatement(sql);
  if (st == nullptr) return ExecError(StatusCode::kInternal, sqlite3_errmsg(h), sql);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    if (params[i]) {
      sqlite3_bind_text(st, idx, params[i]->data(), static_cast<int>(params[i]->size()), SQLITE_STATIC);
    } else {
      sqlite3_bind_null(st, idx);
    }
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) {
    const int ext = sqlite3_extended_errcode(h);
    const std::string msg = sqlite3_errmsg(h);
    db.ReleaseStatement(st);
    StatusCode code = StatusCode::kInternal;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) code = StatusCode::kAlreadyExists;
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY) code = StatusCode::kFailedPrecondition;
    return ExecError(code, msg, sql);
  }
  db.ReleaseStatement(st);
  return static_cast<std::int64_t>(sqlite3_changes64(h));
}

Result<std::int64_t> ExecPg(pg_conn* conn, const std::string& sql, const TextParams& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  const std::string q = PgPlaceholders(sql);
  PGresult* r = PQexecParams(conn, q.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0);
  const ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const std::string code_text = state ? state : "";
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    PQclear(r);
    StatusCode code = StatusCode::kInternal;
    if (code_text == "23505") code = StatusCode::kAlreadyExists;
    if (code_text == "23503") code = StatusCode::kFailedPrecondition;
    return ExecError(code, msg, sql);
  }
  const char* tuples = PQcmdTuples(r);
  const std::int64_t n = (tuples && *tuples) ? std::stoll(tuples) : 0;
  PQclear(r);
  return n;
}

}  // namespace

Result<std::int64_t> ExecRows(Database& db, const std::string& sql,
                              const std::vector<std::optional<std::string>>& params) {
  return ExecRowsOf(db, sql, Pointers(params));
}

Result<std::int64_t> ExecRowsOf(Database& db, const std::string& sql, const TextParams& params) {
  if (db.dialect() == Dialect::kSqlite) return ExecSqlite(db, sql, params);
  return ExecPg(db.pg_handle(), sql, params);
}

Status ScanRows(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& params,
                const std::function<bool(const ScanRow&)>& fn) {
  return ScanRowsOf(db, sql, Pointers(params), fn);
}

Status ScanRowsOf(Database& db, const std::string& sql, const TextParams& params,
                  const std::function<bool(const ScanRow&)>& fn) {
  if (db.dialect() == Dialect::kSqlite) return ScanSqlite(db, sql, params, fn);
  std::string begin;
  pg_conn* conn = db.PgForPipeline(&begin);
  return ScanPg(db, conn, begin, sql, params, fn);
}

Status ScanRowsAlone(Database& db, const std::string& sql, const TextParams& params,
                     const std::function<bool(const ScanRow&)>& fn) {
  if (db.dialect() == Dialect::kSqlite) return ScanSqlite(db, sql, params, fn);
  std::string deferred;
  pg_conn* conn = db.PgForPipeline(&deferred);  // settles a COMMIT in flight; no BEGIN is deferred here
  Status st = ScanPg(db, conn, "BEGIN READ ONLY", sql, params, fn, "COMMIT");
  // After a failure the transaction is still open, aborted (a pipeline's sync point does not
  // end a BEGIN block): end it, so the connection is idle for its next user.
  if (PQtransactionStatus(conn) == PQTRANS_INERROR || PQtransactionStatus(conn) == PQTRANS_INTRANS)
    PQclear(PQexec(conn, "ROLLBACK"));
  return st;
}

}  // namespace xj
