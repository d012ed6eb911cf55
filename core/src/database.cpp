#include "database.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <libpq-fe.h>

#include <soci/soci.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <regex>
#include <vector>

#include "embedded.h"
#include "hash.h"

namespace xj {
namespace detail {
void* SqliteNativeHandle(soci::session& s);
void* PgNativeHandle(soci::session& s);
std::unique_ptr<soci::session> OpenSqliteSession(const std::string& connect);
std::unique_ptr<soci::session> OpenPgSession(const std::string& connect);
}  // namespace detail
namespace {

struct Migration {
  int version;
  std::string name;
  std::string sql;
};

// Migrations of a dialect from the embedded schemas/<dialect>/NNN_name.sql files.
std::vector<Migration> MigrationsFor(Dialect d) {
  std::string prefix = d == Dialect::kSqlite ? "sqlite/" : "postgresql/";
  std::vector<Migration> out;
  for (std::size_t i = 0; i < kSchemaFiles_count; ++i) {
    std::string_view p = kSchemaFiles[i].path;
    if (p.substr(0, prefix.size()) != prefix) continue;
    std::string file(p.substr(prefix.size()));
    if (file.size() < 5 || file.substr(file.size() - 4) != ".sql") continue;
    int version = std::atoi(file.c_str());
    if (version <= 0) continue;
    out.push_back({version, file.substr(0, file.size() - 4), std::string(kSchemaFiles[i].view())});
  }
  std::sort(out.begin(), out.end(), [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

// Advisory lock key serialising migrations between several app nodes on PostgreSQL.
constexpr long long kMigrationLockKey = 0x58494e4a49414e01LL;  // "XINJIAN" 01

}  // namespace

Status DbError(const std::exception& e, const std::string& what_zh, const std::string& what_en) {
  return Status::Error(StatusCode::kInternal, what_zh + "：" + e.what(), what_en + ": " + e.what());
}

Result<DbUrl> ParseDbUrl(const std::string& url) {
  DbUrl u;
  if (url.rfind("sqlite:", 0) == 0) {
    u.dialect = Dialect::kSqlite;
    std::string path = url.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty())
      return Status::Error(StatusCode::kInvalidArgument, "SQLite 数据库路径为空", "empty SQLite database path in '" + url + "'");
    u.sqlite_path = path;
    u.display = "sqlite:" + path;
    return u;
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
#ifndef XJ_WITH_POSTGRES
    return Status::Error(StatusCode::kInvalidArgument, "本程序构建时未启用 PostgreSQL", "this build has no PostgreSQL backend");
#else
    u.dialect = Dialect::kPostgresql;
    // SOCI 4.0 splits its connect string on spaces and '=', which breaks URIs: turn the
    // URI into libpq's keyword=value form with libpq's own parser.
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (!opts) {
      std::string m = err ? err : "invalid URI";
      if (err) PQfreemem(err);
      return Status::Error(StatusCode::kInvalidArgument, "PostgreSQL 地址无效：" + m, "invalid PostgreSQL URL: " + m);
    }
    std::string conninfo;
    for (PQconninfoOption* o = opts; o->keyword; ++o) {
      if (!o->val || !*o->val) continue;
      std::string v;
      for (const char* c = o->val; *c; ++c) {
        if (*c == '\\' || *c == '\'') v += '\\';
        v += *c;
      }
      conninfo += std::string(conninfo.empty() ? "" : " ") + o->keyword + "='" + v + "'";
    }
    PQconninfoFree(opts);
    u.pg_conninfo = conninfo;
    // Hide a password: postgresql://user:secret@host -> postgresql://user:***@host
    static const std::regex pw(R"(^(postgres(?:ql)?://[^:/@]*:)([^@]*)@)");
    u.display = std::regex_replace(url, pw, "$1***@");
    return u;
#endif
  }
  return Status::Error(StatusCode::kInvalidArgument, "无法识别的数据库地址 '" + url + "'（应为 sqlite:PATH 或 postgresql://…）",
                       "unrecognised database URL '" + url + "' (expected sqlite:PATH or postgresql://...)");
}

std::string ResolveDbUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("XINJIAN_DB"); env && *env) return env;
  return "sqlite:xinjian.db";
}

Database::Database(DbUrl url, std::unique_ptr<soci::session> s) : url_(std::move(url)), session_(std::move(s)) {}
Database::~Database() {
  // Before the session closes the connection (a statement left unfinalized keeps it open).
  for (auto& [sql, st] : statements_) sqlite3_finalize(st);
}

sqlite3_stmt* Database::AcquireStatement(const std::string& sql) {
  if (auto it = statements_.find(sql); it != statements_.end()) {
    sqlite3_stmt* st = it->second;
    statements_.erase(it);
    return st;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(sqlite_handle(), sql.c_str(), static_cast<int>(sql.size()), &st, nullptr) != SQLITE_OK) {
    sqlite3_finalize(st);
    return nullptr;
  }
  return st;
}

void Database::ReleaseStatement(sqlite3_stmt* statement) {
  if (statement == nullptr) return;
  sqlite3_reset(statement);
  sqlite3_clear_bindings(statement);
  constexpr std::size_t kCached = 64;
  const char* text = sqlite3_sql(statement);
  if (text == nullptr || statements_.size() >= kCached || !statements_.emplace(text, statement).second)
    sqlite3_finalize(statement);
}

sqlite3* Database::sqlite_handle() {
  if (url_.dialect != Dialect::kSqlite) return nullptr;
  return static_cast<sqlite3*>(detail::SqliteNativeHandle(*session_));
}

pg_conn* Database::RawPg() { return static_cast<pg_conn*>(detail::PgNativeHandle(*session_)); }

void Database::AnswerCommit() {
  if (!commit_in_flight_) return;
  commit_in_flight_ = false;
  while (PGresult* r = PQgetResult(RawPg())) PQclear(r);
}

void Database::Settle() {
  if (url_.dialect != Dialect::kPostgresql) return;
  AnswerCommit();
  if (!deferred_begin_.empty()) {
    const std::string begin = std::move(deferred_begin_);
    deferred_begin_.clear();
    // A failure shows in the statement that follows (the connection is gone, or it runs
    // outside the transaction it asked for only if BEGIN itself was refused, which the
    // platform's fixed BEGIN statements never are).
    PQclear(PQexec(RawPg(), begin.c_str()));
  }
}

pg_conn* Database::pg_handle() {
  if (url_.dialect != Dialect::kPostgresql) return nullptr;
  Settle();
  return RawPg();
}

soci::session& Database::session() {
  Settle();
  return *session_;
}

void Database::DeferBegin(std::string begin) {
  if (url_.dialect != Dialect::kPostgresql) return;
  Settle();
  deferred_begin_ = std::move(begin);
}

bool Database::DropDeferredBegin() {
  if (deferred_begin_.empty()) return false;
  deferred_begin_.clear();
  return true;
}

Status Database::SendCommit() {
  if (url_.dialect != Dialect::kPostgresql) return ExecScript("COMMIT");
  Settle();
  if (PQsendQuery(RawPg(), "COMMIT") != 1)
    return Status::Error(StatusCode::kInternal, "提交发送失败：" + std::string(PQerrorMessage(RawPg())),
                         "sending COMMIT failed: " + std::string(PQerrorMessage(RawPg())));
  commit_in_flight_ = true;
  return Status::Ok();
}

bool Database::ReviveIfBroken() {
  if (url_.dialect != Dialect::kPostgresql) return true;
  pg_conn* conn = RawPg();
  if (PQstatus(conn) == CONNECTION_OK) return true;
  deferred_begin_.clear();
  commit_in_flight_ = false;
  pg_prepared_.clear();  // a new server session has none
  if (PQpipelineStatus(conn) != PQ_PIPELINE_OFF) (void)PQexitPipelineMode(conn);
  PQreset(conn);
  return PQstatus(conn) == CONNECTION_OK;
}

pg_conn* Database::PgForPipeline(std::string* begin) {
  begin->clear();
  if (url_.dialect != Dialect::kPostgresql) return nullptr;
  AnswerCommit();
  begin->swap(deferred_begin_);
  return RawPg();
}

std::string Database::PgStatementName(const std::string& pg_sql, std::size_t params, bool* prepared) {
  constexpr std::size_t kMaxParams = 32;
  constexpr std::size_t kMaxStatements = 256;
  *prepared = false;
  if (url_.dialect != Dialect::kPostgresql || params > kMaxParams) return std::string();
  if (auto it = pg_prepared_.find(pg_sql); it != pg_prepared_.end()) {
    *prepared = true;
    return it->second;
  }
  if (pg_prepared_.size() >= kMaxStatements) return std::string();
  return "xj_s" + std::to_string(++pg_names_);  // never reused: a failed prepare leaves no name behind
}

void Database::PgPrepared(const std::string& pg_sql, const std::string& name) { pg_prepared_.emplace(pg_sql, name); }
void Database::PgUnprepared(const std::string& pg_sql) { pg_prepared_.erase(pg_sql); }

Status Database::ExecScript(const std::string& sql) {
  if (url_.dialect == Dialect::kSqlite) {
    char* err = nullptr;
    if (sqlite3_exec(sqlite_handle(), sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      return Status::Error(StatusCode::kInternal, "SQL 执行失败：" + msg, "SQL failed: " + msg);
    }
    return Status::Ok();
  }
  PGresult* r = PQexec(pg_handle(), sql.c_str());
  ExecStatusType st = PQresultStatus(r);
  std::string msg = PQresultErrorMessage(r);
  PQclear(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
    return Status::Error(StatusCode::kInternal, "SQL 执行失败：" + msg, "SQL failed: " + msg);
  return Status::Ok();
}

int Database::KnownSchemaVersion() {
  auto m = MigrationsFor(Dialect::kSqlite);
  return m.empty() ? 0 : m.back().version;
}

Result<int> Database::SchemaVersion() {
  try {
    int n = 0;
    if (url_.dialect == Dialect::kSqlite) {
      *session_ << "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'", soci::into(n);
    } else {
      *session_ << "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                   "AND table_name='schema_migrations'",
          soci::into(n);
    }
    if (n == 0) return 0;
    int v = 0;
    soci::indicator ind;
    *session_ << "SELECT max(version) FROM schema_migrations", soci::into(v, ind);
    return ind == soci::i_ok ? v : 0;
  } catch (const std::exception& e) {
    return DbError(e, "读取数据库结构版本失败", "cannot read the schema version");
  }
}

Result<int> Database::Migrate() {
  const bool pg = url_.dialect == Dialect::kPostgresql;
  if (pg) {
    if (Status s = ExecScript("SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")"); !s.ok()) return s;
  }
  struct Unlock {
    Database* db;
    bool pg;
    ~Unlock() {
      if (pg) (void)db->ExecScript("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")");
    }
  } unlock{this, pg};

  std::string create =
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "checksum TEXT NOT NULL, applied_at_us BIGINT NOT NULL)";
  if (Status s = ExecScript(create); !s.ok()) return s;
  Result<int> current = SchemaVersion();
  if (!current.ok()) return current.status();
  auto migrations = MigrationsFor(url_.dialect);
  int known = migrations.empty() ? 0 : migrations.back().version;
  if (current.value() > known) {
    return Status::Error(StatusCode::kFailedPrecondition,
                         "数据库结构版本 " + std::to_string(current.value()) + " 比本程序支持的版本 " +
                             std::to_string(known) + " 更新，请升级 xinjian",
                         "the database schema version " + std::to_string(current.value()) +
                             " is newer than this binary knows (" + std::to_string(known) + "); upgrade xinjian");
  }
  int applied = 0;
  for (const Migration& m : migrations) {
    if (m.version <= current.value()) continue;
    std::string sql = (pg ? "BEGIN;\n" : "BEGIN IMMEDIATE;\n") + m.sql + "\n;INSERT INTO schema_migrations(version, name, checksum, applied_at_us) VALUES (" +
                      std::to_string(m.version) + ", '" + m.name + "', '" + Sha256Hex(m.sql) + "', " +
                      std::to_string(NowMicros()) + ");\nCOMMIT;";
    if (Status s = ExecScript(sql); !s.ok()) {
      (void)ExecScript("ROLLBACK");
      return Status::Error(StatusCode::kInternal, "数据库迁移 " + m.name + " 失败：" + s.message(),
                           "migration " + m.name + " failed: " + s.message());
    }
    ++applied;
  }
  return applied;
}

namespace {
Status NotInitialised(const DbUrl& url) {
  return Status::Error(StatusCode::kFailedPrecondition,
                       "数据库 " + url.display + " 不存在或未初始化；只有 init 和 demo 会创建数据库（xinjian --db " +
                           url.display + " init）",
                       "no database at " + url.display + " (missing or never initialised); only init and demo create one: "
                       "xinjian --db " + url.display + " init");
}
}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& url_text, const OpenOptions& options) {
  // A Database is used by one thread at a time, so SQLite's per-connection mutexes (on in
  // its default "serialized" mode) only cost time. Must run before SQLite initialises.
  // Memory statistics take a global mutex on every allocation; nothing reads them.
  static const bool kMultiThread = [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)kMultiThread;
  Result<DbUrl> url = ParseDbUrl(url_text);
  if (!url.ok()) return url.status();
  std::unique_ptr<soci::session> s;
  try {
    if (url->dialect == Dialect::kSqlite) {
      if (!options.create || options.require_schema) {
        // stat(), never open() + close(): POSIX advisory locks belong to the process, and
        // closing any descriptor of the file drops all of them, including the SHARED lock
        // that every other SQLite connection of this process holds on a WAL database (SQLite
        // cannot see that and goes on as if it held it). Another process may then take the
        // EXCLUSIVE lock when its last connection closes, checkpoint and delete the WAL and
        // -shm files under this one: its later commits went to the unlinked WAL, invisible
        // to every other process ("xinjian serve" whose scheduler stalled, e2e
        // scheduled_draw), and new connections failed with "disk I/O error". See
        // https://www.sqlite.org/howtocorrupt.html#_posix_advisory_locks_canceled_by_a_separate_thread_doing_close_
        struct stat sb {};
        if (::stat(url->sqlite_path.c_str(), &sb) == 0) {
          // exists (a folder is refused by SQLite itself, with its own message)
        } else if (options.require_schema) {
          return NotInitialised(url.value());
        } else {
          return Status::Error(StatusCode::kUnavailable, "数据库文件不存在：" + url->sqlite_path,
                               "database file does not exist: " + url->sqlite_path);
        }
      }
      // SOCI's connect string: quote the path so spaces survive.
      std::string path = url->sqlite_path;
      std::string quoted;
      for (char c : path) {
        if (c == '"') quoted += '"';
        quoted += c;
      }
      s = detail::OpenSqliteSession("db=\"" + quoted + "\" timeout=5");
    } else {
#ifdef XJ_WITH_POSTGRES
      s = detail::OpenPgSession(url->pg_conninfo);
#endif
    }
  } catch (const std::exception& e) {
    return Status::Error(StatusCode::kUnavailable, "无法打开数据库 " + url->display + "：" + e.what(),
                         "cannot open database " + url->display + ": " + e.what());
  }
  std::unique_ptr<Database> db(new Database(url.value(), std::move(s)));
  // Before anything is configured: the pragmas below would turn an empty file into a
  // database, and a database init never ran on stays as it was.
  if (options.require_schema) {
    Result<int> v = db->SchemaVersion();
    if (!v.ok()) return v.status();
    if (v.value() == 0) return NotInitialised(db->url());
  }
  if (db->dialect() == Dialect::kSqlite) {
    // WAL lets readers run beside the single writer; synchronous=FULL keeps every commit
    // on disk before it is acknowledged; busy_timeout waits for the write lock instead of
    // failing at once; a 64 MiB page cache keeps the key indexes of a province-size
    // directory in memory during imports.
    Status st = db->ExecScript("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000; PRAGMA cache_size=-65536;");
    if (!st.ok()) return st;
  } else {
    Status st = db->ExecScript("SET client_min_messages = warning; SET TIME ZONE 'UTC'");
    if (!st.ok()) return st;
  }
  if (options.migrate) {
    Result<int> m = db->Migrate();
    if (!m.ok()) return m.status();
  } else {
    Result<int> v = db->SchemaVersion();
    if (!v.ok()) return v.status();
    if (v.value() > KnownSchemaVersion())
      return Status::Error(StatusCode::kFailedPrecondition, "数据库结构版本比本程序更新，请升级 xinjian",
                           "the database schema is newer than this binary knows; upgrade xinjian");
  }
  return db;
}

WriteTransaction::~WriteTransaction() {
  if (active_) Rollback();
}

Status WriteTransaction::Begin() {
  Status s = db_.ExecScript(db_.dialect() == Dialect::kSqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  active_ = s.ok();
  return s;
}

Status WriteTransaction::Commit() {
  Status s = db_.ExecScript("COMMIT");
  if (s.ok()) active_ = false;
  return s;
}

void WriteTransaction::Rollback() {
  (void)db_.ExecScript("ROLLBACK");
  active_ = false;
}

}  // namespace xj
