// Streaming reads of many rows without SOCI's per-row overhead: SQLite through the native
// statement API, PostgreSQL in libpq's single-row mode. Parameters and values travel as
// text (NULL as nullopt / an empty view with is_null set). Not thread-safe (one Database,
// one thread). Use for scans of up to millions of rows; use SOCI for everything else.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "database.h"
#include "xinjian/status.h"

namespace xj {

// One row: column values as views valid only during the callback; null[i] for SQL NULL.
struct ScanRow {
  std::vector<std::string_view> values;
  std::vector<bool> null;
};

// Runs `sql` with positional text parameters, written `?` (SQLite) or `$1..` (PostgreSQL):
// write the statement with `?` and it is rewritten for PostgreSQL. Calls `fn` per row; when
// `fn` returns false the scan stops. Returns kInternal with the database's message on error.
Status ScanRows(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& params,
                const std::function<bool(const ScanRow&)>& fn);

// ScanRows with the parameters as pointers to their text (nullptr for NULL), for callers that
// hold the text already (the SDK's Sql: a draw's pool file is tens of MB): nothing is copied;
// each string must outlive the call.
using TextParams = std::vector<const std::string*>;
Status ScanRowsOf(Database& db, const std::string& sql, const TextParams& params,
                  const std::function<bool(const ScanRow&)>& fn);

// ScanRowsOf for a statement that is a read by itself (Platform::ReadSingle): on PostgreSQL in
// a READ ONLY transaction of its own whose BEGIN and COMMIT go with the statement, in one round
// trip (rolled back when the statement fails); on SQLite as it is, without BEGIN (one statement
// is one snapshot). Not inside another transaction.
Status ScanRowsAlone(Database& db, const std::string& sql, const TextParams& params,
                     const std::function<bool(const ScanRow&)>& fn);

// Runs a statement without result rows (INSERT, UPDATE, DELETE, DDL), with the same
// parameters and placeholders as ScanRows. Returns the number of rows it changed. A broken
// unique constraint is kAlreadyExists, a broken foreign key kFailedPrecondition, anything
// else kInternal; each message carries the database's words and the statement's first line.
Result<std::int64_t> ExecRows(Database& db, const std::string& sql, const std::vector<std::optional<std::string>>& params);
// ExecRows with the parameters as pointers to their text, as ScanRowsOf.
Result<std::int64_t> ExecRowsOf(Database& db, const std::string& sql, const TextParams& params);

}  // namespace xj
