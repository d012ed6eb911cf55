// The database: SOCI session on SQLite (embedded default) or PostgreSQL, chosen by a URL.
// Opening configures the connection (SQLite: WAL, busy timeout, foreign keys) and applies
// the migrations compiled from schemas/<dialect>/ (recorded in schema_migrations). A
// database whose schema is newer than this binary knows is refused.
//
// Thread safety: a Database (one connection) is used by one thread at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "clock.h"
#include "xinjian/status.h"

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;
namespace soci {
class session;
}

namespace xj {

enum class Dialect { kSqlite, kPostgresql };

struct DbUrl {
  Dialect dialect = Dialect::kSqlite;
  std::string sqlite_path;   // for kSqlite
  std::string pg_conninfo;   // for kPostgresql: the URI as given
  std::string display;       // the URL with any password replaced by ***
};

// Parses "sqlite:PATH" (also "sqlite://PATH") or "postgresql://..." / "postgres://...".
Result<DbUrl> ParseDbUrl(const std::string& url);
// The URL to use: `flag` if not empty, else $XINJIAN_DB, else "sqlite:xinjian.db".
std::string ResolveDbUrl(const std::string& flag);

struct OpenOptions {
  bool migrate = true;          // apply pending migrations
  bool create = true;           // SQLite: create the file if missing
  // Refuse a database that `init` never ran on: a missing SQLite file, or a database (of
  // either dialect) without the schema_migrations table. kFailedPrecondition, naming the
  // URL and the command that creates one. Every command but init and demo opens this way,
  // so a mistyped path is an error instead of a new, empty database.
  bool require_schema = false;
};

class Database {
 public:
  // Opens and configures the database and, with options.migrate, brings the schema up to
  // date. Errors: kUnavailable (cannot connect/open), kFailedPrecondition (schema newer than
  // this binary, or not migrated and !migrate), kInternal (a migration failed; nothing of
  // that migration is kept).
  static Result<std::unique_ptr<Database>> Open(const std::string& url, const OpenOptions& options = {});
  ~Database();

  Dialect dialect() const { return url_.dialect; }
  const DbUrl& url() const { return url_; }
  // The SOCI session and the native handles. On PostgreSQL both first settle the connection
  // (a deferred BEGIN is sent, a COMMIT in flight answered: below), so whatever the caller
  // sends next runs as it would without them.
  soci::session& session();
  sqlite3* sqlite_handle();   // nullptr unless kSqlite
  pg_conn* pg_handle();       // nullptr unless kPostgresql

  // Fewer round trips for short read-only transactions on PostgreSQL (PlatformImpl's reads on
  // its pool); no-ops on SQLite.
  // - DeferBegin: `begin` (a BEGIN statement) is not sent now but together with the next
  //   statement ScanRows runs, in one round trip (libpq pipeline mode); any other statement
  //   sends it on its own first. The transaction's snapshot is the same either way: it is
  //   taken by the first statement after BEGIN.
  // - DropDeferredBegin: true when a deferred BEGIN was never sent (no statement ran since),
  //   and forgets it: no transaction is open, so there is nothing to commit.
  // - SendCommit: sends COMMIT without waiting for its answer, which the connection's next
  //   use reads (and discards: the COMMIT of a read-only transaction changes nothing). The
  //   server ends the transaction, and releases its snapshot, as soon as it arrives.
  void DeferBegin(std::string begin);
  bool DropDeferredBegin();
  Status SendCommit();
  // SQLite, for scan.cpp: a prepared statement of `sql`, from the connection's cache when it
  // holds one (nullptr when it does not prepare: sqlite3_errmsg says why). The caller has it
  // alone until ReleaseStatement, which resets it, clears its bindings and keeps it for the
  // next caller (up to 64 statements; a second one of the same text is finalized). A
  // statement in use is not in the cache, so a scan may run the same text inside itself.
  sqlite3_stmt* AcquireStatement(const std::string& sql);
  void ReleaseStatement(sqlite3_stmt* statement);
  // PostgreSQL: when the connection is broken (the server restarted, or ended this backend),
  // connects again with the same parameters (PQreset) and forgets a deferred BEGIN and a
  // COMMIT in flight. True when the connection is usable afterwards; always true on SQLite.
  // The statement that found it broken has failed already: this spares the ones after it.
  bool ReviveIfBroken();
  // For scan.cpp: the connection with any COMMIT in flight answered, and the deferred BEGIN
  // moved into `*begin` (empty when none): the caller sends it with its statement.
  pg_conn* PgForPipeline(std::string* begin);
  // PostgreSQL, for scan.cpp: server-side prepared statements of this connection, so a query
  // that runs again is neither parsed nor planned again. PgStatementName gives the name for
  // the query text `pg_sql` (placeholders $1..) and whether the server has it already; an
  // empty name when the query is not to be prepared (more than 32 parameters, or 256 texts
  // prepared already): run it unnamed. PgPrepared records that the server accepted the
  // prepare of a name PgStatementName gave (a prepare that failed is not recorded: the next
  // run prepares again). The names live as long as the server session: ReviveIfBroken
  // forgets them all. Prepared statements are not transactional, so a rollback keeps them.
  std::string PgStatementName(const std::string& pg_sql, std::size_t params, bool* prepared);
  void PgPrepared(const std::string& pg_sql, const std::string& name);
  // Forgets the prepared statement of `pg_sql` (the server refused it: its tables changed
  // shape), so that the next run prepares it again under a new name.
  void PgUnprepared(const std::string& pg_sql);

  // The newest schema version this binary knows, and the database's current one.
  static int KnownSchemaVersion();
  Result<int> SchemaVersion();
  // Applies pending migrations; returns how many were applied.
  Result<int> Migrate();

  // Runs one or more SQL statements without results (native API, so several statements
  // separated by ';' work). Returns kInternal with the database's message on failure.
  Status ExecScript(const std::string& sql);

 private:
  Database(DbUrl url, std::unique_ptr<soci::session> s);
  DbUrl url_;
  std::unique_ptr<soci::session> session_;
  std::string deferred_begin_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  bool commit_in_flight_ = false;
  std::unordered_map<std::string, std::string> pg_prepared_;  // query text -> name, on the server
  std::uint64_t pg_names_ = 0;
  pg_conn* RawPg();
  void AnswerCommit();  // reads and discards the answer of a COMMIT in flight
  void Settle();
};

// A write transaction. SQLite: BEGIN IMMEDIATE (takes the write lock up front, so no
// deadlock-prone lock upgrade). PostgreSQL: BEGIN. Rolled back by the destructor unless
// committed. Throws nothing; errors are returned by Begin/Commit.
class WriteTransaction {
 public:
  explicit WriteTransaction(Database& db) : db_(db) {}
  ~WriteTransaction();
  Status Begin();
  Status Commit();
  void Rollback();
  bool active() const { return active_; }

 private:
  Database& db_;
  bool active_ = false;
};

// NowMicros(): the process clock (clock.h).

// Converts a SOCI/std exception to a Status (kInternal, bilingual prefix `what_zh`/`what_en`).
Status DbError(const std::exception& e, const std::string& what_zh, const std::string& what_en);

}  // namespace xj
