// See search_index.h.
#include "search_index.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <set>

#include "xinjian/directory.h"

namespace xj::directory {
namespace {

constexpr const char* kPublicColumns = "uscc, name, type, region, registered_on, status, address";

PublicSubject PublicOf(const SqlRow& r) {
  PublicSubject s;
  s.uscc = r.Text(0);
  s.name = r.Text(1);
  s.type = r.Text(2);
  s.region = r.Text(3);
  s.registered_on = r.Text(4);
  s.status = r.Text(5);
  if (!r.IsNull(6)) s.address = r.Text(6);
  return s;
}

std::string Placeholders(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
  return out;
}

bool IsPg(Sql& sql) { return sql.dialect() == SqlDialect::kPostgresql; }

// Rows of `usccs` in batches of this many parameters.
constexpr std::size_t kBatch = 400;

// ---- The SQLite staging table: rows go in with the SDK's bulk writer (one prepared
// statement), then into the docs and FTS5 tables with INSERT … SELECT, which gives FTS5 the
// integer rowids it needs (the SDK binds parameters as text).
Status EnsureStage(Sql& sql) {
  auto n = sql.Exec(
      "CREATE TEMP TABLE IF NOT EXISTS directory_search_stage (id INTEGER PRIMARY KEY, uscc TEXT NOT NULL, key TEXT NOT "
      "NULL, grams TEXT NOT NULL, op TEXT NOT NULL)");
  if (!n.ok()) return n.status();
  auto d = sql.Exec("DELETE FROM directory_search_stage");
  return d.status();
}

struct Doc {
  std::int64_t id = 0;  // SQLite only
  std::string uscc, key;
};

// SQLite: removes `old` docs (their FTS5 postings with the keys they were indexed under) and
// adds `add` (ids assigned by the caller).
Status SqliteApply(Sql& sql, const std::vector<Doc>& old, const std::vector<Doc>& add) {
  if (old.empty() && add.empty()) return Status::Ok();
  if (Status st = EnsureStage(sql); !st.ok()) return st;
  {
    auto w = sql.BulkInsert("directory_search_stage", {"id", "uscc", "key", "grams", "op"});
    if (!w.ok()) return w.status();
    for (const Doc& d : old)
      if (Status st = w.value()->Add({d.id, d.uscc, d.key, BigramTokens(d.key), "del"}); !st.ok()) return st;
    if (Status st = w.value()->Finish(); !st.ok()) return st;
  }
  if (!old.empty()) {
    for (const char* q :
         {"INSERT INTO directory_search_tri(directory_search_tri, rowid, key) SELECT 'delete', id, key FROM "
          "directory_search_stage WHERE op = 'del'",
          "INSERT INTO directory_search_bi(directory_search_bi, rowid, grams) SELECT 'delete', id, grams FROM "
          "directory_search_stage WHERE op = 'del' AND grams <> ''",
          "DELETE FROM directory_search_docs WHERE id IN (SELECT id FROM directory_search_stage WHERE op = 'del')",
          "DELETE FROM directory_search_stage"}) {
      if (auto n = sql.Exec(q); !n.ok()) return n.status();
    }
  }
  if (add.empty()) return Status::Ok();
  {
    auto w = sql.BulkInsert("directory_search_stage", {"id", "uscc", "key", "grams", "op"});
    if (!w.ok()) return w.status();
    for (const Doc& d : add)
      if (Status st = w.value()->Add({d.id, d.uscc, d.key, BigramTokens(d.key), "add"}); !st.ok()) return st;
    if (Status st = w.value()->Finish(); !st.ok()) return st;
  }
  for (const char* q :
       {"INSERT INTO directory_search_docs(id, uscc, key) SELECT id, uscc, key FROM directory_search_stage",
        "INSERT INTO directory_search_tri(rowid, key) SELECT id, key FROM directory_search_stage",
        "INSERT INTO directory_search_bi(rowid, grams) SELECT id, grams FROM directory_search_stage WHERE grams <> ''",
        "DELETE FROM directory_search_stage"}) {
    if (auto n = sql.Exec(q); !n.ok()) return n.status();
  }
  return Status::Ok();
}

// PostgreSQL: docs per bucket (migration 002: a doc goes into bucket docs_built / this, so
// the buckets are runs of docs added one after the other; directory_search_find loops up to
// the last one with the same number).
constexpr std::int64_t kPgBucketRows = 40000;

// PostgreSQL: removes the docs of `old_usccs`, adds `add` (COPY) into the buckets that come
// next, and counts them in docs_built.
Status PgApply(Sql& sql, const std::vector<std::string>& old_usccs, const std::vector<Doc>& add) {
  for (std::size_t i = 0; i < old_usccs.size(); i += kBatch) {
    const std::size_t n = std::min(kBatch, old_usccs.size() - i);
    SqlParams p(old_usccs.begin() + static_cast<std::ptrdiff_t>(i), old_usccs.begin() + static_cast<std::ptrdiff_t>(i + n));
    if (auto r = sql.Exec("DELETE FROM directory_search_docs WHERE uscc IN (" + Placeholders(n) + ")", p); !r.ok())
      return r.status();
  }
  if (add.empty()) return Status::Ok();
  auto built = sql.QueryInt("SELECT docs_built FROM directory_search_state WHERE id = 1");
  if (!built.ok()) return built.status();
  std::int64_t position = built.value();
  auto w = sql.BulkInsert("directory_search_docs", {"uscc", "key", "grams", "bucket"});
  if (!w.ok()) return w.status();
  for (const Doc& d : add)
    if (Status st = w.value()->Add({d.uscc, d.key, IntArrayLiteral(BigramCodes(d.key)), position++ / kPgBucketRows}); !st.ok())
      return st;
  if (Status st = w.value()->Finish(); !st.ok()) return st;
  return sql.Exec("UPDATE directory_search_state SET docs_built = ? WHERE id = 1", {position}).status();
}

// PostgreSQL, at the end of a build: the GIN indexes (as migration 002 defines them) and the
// statistics the planner chooses between them with.
Status FinishPgBuild(Sql& sql) {
  for (const char* q : {"SET LOCAL maintenance_work_mem = '256MB'",
                        "CREATE INDEX IF NOT EXISTS directory_search_docs_trgm ON directory_search_docs USING gin (bucket, "
                        "key gin_trgm_ops)",
                        "CREATE INDEX IF NOT EXISTS directory_search_docs_grams ON directory_search_docs USING gin (bucket, "
                        "grams)",
                        "ANALYZE directory_search_docs"})
    if (auto n = sql.Exec(q); !n.ok()) return n.status();
  return Status::Ok();
}

Result<std::int64_t> NextId(Sql& sql) {
  auto m = sql.QueryInt("SELECT COALESCE(MAX(id), 0) FROM directory_search_docs");
  if (!m.ok()) return m.status();
  return m.value() + 1;
}

Result<StepResult> BuildStep(Sql& sql, const IndexState& state, std::int64_t now_us, std::int64_t budget) {
  StepResult out;
  out.phase = "build";
  if (!state.audit_seq) {
    // The build starts: changes after this position are caught up once it is over. On
    // PostgreSQL the GIN indexes go until the build's end (FinishPgBuild).
    if (IsPg(sql))
      for (const char* q : {"DROP INDEX IF EXISTS directory_search_docs_trgm", "DROP INDEX IF EXISTS directory_search_docs_grams"})
        if (auto n = sql.Exec(q); !n.ok()) return n.status();
    auto head = AuditHead(sql);
    if (!head.ok()) return head.status();
    if (auto n = sql.Exec(
            "UPDATE directory_search_state SET audit_seq = ?, build_started_at_us = ?, updated_at_us = ? WHERE id = 1",
            {head.value(), now_us, now_us});
        !n.ok())
      return n.status();
  }
  std::vector<Doc> add;
  Status st = sql.Query("SELECT uscc, name FROM subjects WHERE uscc > ? ORDER BY uscc LIMIT ?",
                        {state.build_after, budget}, [&](const SqlRow& r) {
                          add.push_back(Doc{0, r.Text(0), FoldKey(r.View(1))});
                          return true;
                        });
  if (!st.ok()) return st;
  if (IsPg(sql)) {
    if (Status s = PgApply(sql, {}, add); !s.ok()) return s;
  } else {
    auto next = NextId(sql);
    if (!next.ok()) return next.status();
    std::int64_t id = next.value();
    for (Doc& d : add) d.id = id++;
    if (Status s = SqliteApply(sql, {}, add); !s.ok()) return s;
  }
  out.built = static_cast<std::int64_t>(add.size());
  const bool finished = static_cast<std::int64_t>(add.size()) < budget;
  const std::string last = add.empty() ? state.build_after : add.back().uscc;
  if (finished) {
    if (IsPg(sql))
      if (Status f = FinishPgBuild(sql); !f.ok()) return f;
    if (auto n = sql.Exec(
            "UPDATE directory_search_state SET phase = 'ready', build_after = ?, build_finished_at_us = ?, "
            "updated_at_us = ? WHERE id = 1",
            {last, now_us, now_us});
        !n.ok())
      return n.status();
    out.phase = "ready";
  } else {
    if (auto n = sql.Exec("UPDATE directory_search_state SET build_after = ?, updated_at_us = ? WHERE id = 1",
                          {last, now_us});
        !n.ok())
      return n.status();
  }
  return out;
}

Result<StepResult> CatchUpStep(Sql& sql, const IndexState& state, std::int64_t now_us, std::int64_t budget) {
  StepResult out;
  out.phase = "ready";
  auto head = AuditHead(sql);
  if (!head.ok()) return head.status();
  const std::int64_t from = state.audit_seq.value_or(0);
  if (head.value() <= from) {
    out.done = true;
    return out;
  }
  std::vector<DirectoryChange> changes;
  if (Status st = DirectoryChangesAfter(sql, "subject", from, head.value(), budget, &changes); !st.ok()) return st;
  out.changes = static_cast<std::int64_t>(changes.size());
  const bool all = static_cast<std::int64_t>(changes.size()) < budget;
  const std::int64_t reached = all ? head.value() : changes.back().seq;
  std::set<std::string> keys;
  for (const auto& c : changes) keys.insert(c.key);
  const std::vector<std::string> list(keys.begin(), keys.end());
  const bool pg = IsPg(sql);
  std::int64_t next_id = 0;
  if (!pg) {
    auto next = NextId(sql);
    if (!next.ok()) return next.status();
    next_id = next.value();
  }
  for (std::size_t i = 0; i < list.size(); i += kBatch) {
    const std::size_t n = std::min(kBatch, list.size() - i);
    const SqlParams p(list.begin() + static_cast<std::ptrdiff_t>(i), list.begin() + static_cast<std::ptrdiff_t>(i + n));
    std::map<std::string, std::string> now_key;  // uscc -> key of the subject as it is
    Status st = sql.Query("SELECT uscc, name FROM subjects WHERE uscc IN (" + Placeholders(n) + ")", p,
                          [&](const SqlRow& r) {
                            now_key[r.Text(0)] = FoldKey(r.View(1));
                            return true;
                          });
    if (!st.ok()) return st;
    std::map<std::string, Doc> indexed;  // uscc -> the doc as indexed
    st = sql.Query(std::string("SELECT uscc, key, ") + (pg ? "0" : "id") + " FROM directory_search_docs WHERE uscc IN (" +
                       Placeholders(n) + ")",
                   p, [&](const SqlRow& r) {
                     indexed[r.Text(0)] = Doc{r.Int(2), r.Text(0), r.Text(1)};
                     return true;
                   });
    if (!st.ok()) return st;
    std::vector<Doc> old, add;
    std::vector<std::string> old_usccs;
    for (std::size_t k = i; k < i + n; ++k) {
      const std::string& u = list[k];
      auto cur = now_key.find(u);
      auto was = indexed.find(u);
      if (cur != now_key.end() && was != indexed.end() && cur->second == was->second.key) continue;  // name unchanged
      if (was != indexed.end()) {
        old.push_back(was->second);
        old_usccs.push_back(u);
      }
      if (cur != now_key.end()) add.push_back(Doc{was != indexed.end() ? was->second.id : next_id++, u, cur->second});
    }
    out.rewritten += static_cast<std::int64_t>(std::max(old.size(), add.size()));
    st = pg ? PgApply(sql, old_usccs, add) : SqliteApply(sql, old, add);
    if (!st.ok()) return st;
  }
  if (auto n = sql.Exec("UPDATE directory_search_state SET audit_seq = ?, updated_at_us = ? WHERE id = 1",
                        {reached, now_us});
      !n.ok())
    return n.status();
  out.done = all;
  return out;
}

// `text` for a LIKE pattern with the default escape character '\\'.
std::string LikeEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// Whether pg_trgm extracts trigrams from Chinese text in this database (not with LC_CTYPE C),
// asked once per process (a process works on one database).
bool PgTrigramsSeeChinese(Sql& sql) {
  static std::atomic<int> known{0};  // 0 unknown, 1 yes, 2 no
  int k = known.load();
  if (k == 0) {
    auto n = sql.QueryInt("SELECT COALESCE(array_length(show_trgm('华为技'), 1), 0)");
    if (!n.ok()) return false;  // asked again next time
    k = n.value() > 0 ? 1 : 2;
    known.store(k);
  }
  return k == 1;
}

}  // namespace

Result<std::optional<PublicSubject>> FindPublicSubject(Sql& sql, const std::string& uscc) {
  std::optional<PublicSubject> out;
  Status st = sql.Query(std::string("SELECT ") + kPublicColumns + " FROM subjects WHERE uscc = ?", {uscc},
                        [&](const SqlRow& r) {
                          out = PublicOf(r);
                          return false;
                        });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<PublicSubject>> LoadPublicSubjects(Sql& sql, const std::vector<std::string>& usccs) {
  std::vector<PublicSubject> out;
  for (std::size_t i = 0; i < usccs.size(); i += kBatch) {
    const std::size_t n = std::min(kBatch, usccs.size() - i);
    const SqlParams p(usccs.begin() + static_cast<std::ptrdiff_t>(i), usccs.begin() + static_cast<std::ptrdiff_t>(i + n));
    Status st = sql.Query(std::string("SELECT ") + kPublicColumns + " FROM subjects WHERE uscc IN (" + Placeholders(n) + ")",
                          p, [&](const SqlRow& r) {
                            out.push_back(PublicOf(r));
                            return true;
                          });
    if (!st.ok()) return st;
  }
  std::sort(out.begin(), out.end(), [](const PublicSubject& a, const PublicSubject& b) { return a.uscc < b.uscc; });
  return out;
}

Result<IndexState> ReadIndexState(Sql& sql) {
  std::optional<IndexState> out;
  Status st = sql.Query(
      "SELECT phase, build_after, audit_seq, build_started_at_us, build_finished_at_us FROM directory_search_state "
      "WHERE id = 1",
      {}, [&](const SqlRow& r) {
        IndexState s;
        s.phase = r.Text(0);
        s.build_after = r.Text(1);
        if (!r.IsNull(2)) s.audit_seq = r.Int(2);
        if (!r.IsNull(3)) s.build_started_at_us = r.Int(3);
        if (!r.IsNull(4)) s.build_finished_at_us = r.Int(4);
        out = s;
        return false;
      });
  if (!st.ok()) return st;
  if (!out)
    return Status::Error(StatusCode::kFailedPrecondition, "检索索引状态缺失（请运行 xinjian init）",
                         "the search index has no state row (run xinjian init)");
  return *out;
}

Result<StepResult> IndexStep(Sql& sql, std::int64_t now_us, std::int64_t budget) {
  if (budget < 1) budget = 1;
  // The lock first: one step at a time, whichever process runs it.
  if (IsPg(sql)) {
    Status st = sql.Query("SELECT id FROM directory_search_state WHERE id = 1 FOR UPDATE", {},
                          [](const SqlRow&) { return false; });
    if (!st.ok()) return st;
  }
  auto state = ReadIndexState(sql);
  if (!state.ok()) return state.status();
  if (state->phase == "build") return BuildStep(sql, state.value(), now_us, budget);
  return CatchUpStep(sql, state.value(), now_us, budget);
}

Status OptimizeIndex(Sql& sql) {
  if (IsPg(sql)) {
    auto n = sql.Exec("ANALYZE directory_search_docs");
    return n.status();
  }
  for (const char* q : {"INSERT INTO directory_search_tri(directory_search_tri) VALUES ('optimize')",
                        "INSERT INTO directory_search_bi(directory_search_bi) VALUES ('optimize')"}) {
    if (auto n = sql.Exec(q); !n.ok()) return n.status();
  }
  return Status::Ok();
}

Status ResetIndex(Sql& sql, std::int64_t now_us) {
  std::vector<const char*> statements;
  if (IsPg(sql)) {
    statements = {"SELECT 1 FROM directory_search_state WHERE id = 1 FOR UPDATE", "TRUNCATE directory_search_docs",
                  "UPDATE directory_search_state SET docs_built = 0 WHERE id = 1"};
  } else {
    statements = {"INSERT INTO directory_search_tri(directory_search_tri) VALUES ('delete-all')",
                  "INSERT INTO directory_search_bi(directory_search_bi) VALUES ('delete-all')",
                  "DELETE FROM directory_search_docs"};
  }
  for (const char* q : statements) {
    Status st = std::string_view(q).rfind("SELECT", 0) == 0 ? sql.Query(q, {}, [](const SqlRow&) { return false; })
                                                            : sql.Exec(q).status();
    if (!st.ok()) return st;
  }
  auto n = sql.Exec(
      "UPDATE directory_search_state SET phase = 'build', build_after = '', audit_seq = NULL, build_started_at_us = "
      "NULL, build_finished_at_us = NULL, updated_at_us = ? WHERE id = 1",
      {now_us});
  return n.status();
}

Result<IndexSize> MeasureIndex(Sql& sql) {
  IndexSize out;
  auto rows = sql.QueryInt("SELECT COUNT(*) FROM directory_search_docs");
  if (!rows.ok()) return rows.status();
  out.rows = rows.value();
  if (IsPg(sql)) {
    auto b = sql.QueryInt("SELECT pg_total_relation_size('directory_search_docs')");
    if (!b.ok()) return b.status();
    out.bytes = b.value();
    return out;
  }
  // dbstat is compiled into Debian's SQLite; elsewhere the size is unknown (-1).
  auto b = sql.QueryInt("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'directory_search%' OR name = 'sqlite_autoindex_directory_search_docs_1'");
  if (b.ok()) out.bytes = b.value();
  return out;
}

Result<SearchResult> Search(Sql& sql, const SearchQuery& q, std::int64_t limit, std::int64_t offset) {
  if (offset >= kSearchCap)
    return Status::Error(StatusCode::kInvalidArgument,
                         "只能翻阅前 " + std::to_string(kSearchCap) + " 条结果，请缩小查询范围",
                         "only the first " + std::to_string(kSearchCap) + " results can be paged through: narrow the query");
  SearchResult out;
  std::vector<std::string> matches;
  const bool pg = IsPg(sql);
  auto collect = [&](const SqlRow& r) {
    matches.push_back(r.Text(0));
    return true;
  };
  Status st;
  if (q.kind == QueryKind::kUsccPrefix) {
    // The primary key's range: every USCC character sorts below 'Z' in any collation.
    std::string hi = q.key;
    hi.append(18 - std::min<std::size_t>(18, hi.size()), 'Z');
    st = sql.Query("SELECT uscc FROM subjects WHERE uscc >= ? AND uscc <= ? AND substr(uscc, 1, ?) = ? ORDER BY uscc LIMIT ?",
                   {q.key, hi, static_cast<std::int64_t>(q.key.size()), q.key, kSearchCap + 1}, collect);
  } else {
    auto phase = sql.QueryText("SELECT phase FROM directory_search_state WHERE id = 1");
    if (!phase.ok()) return phase.status();
    out.index_complete = phase.value().value_or("build") == "ready";
    if (pg) {
      // Bucket by bucket, stopping at the cap (migration 002: directory_search_find). Bigram
      // codes are exact within the Basic Multilingual Plane; outside it the substring is
      // checked too.
      std::vector<std::uint32_t> cps;
      DecodeUtf8(q.key, &cps, nullptr);
      const bool bmp = std::all_of(cps.begin(), cps.end(), [](std::uint32_t c) { return c <= 0xFFFF; });
      const std::string find = "SELECT * FROM directory_search_find(?, CAST(? AS int[]), ?, CAST(? AS integer))";
      if (q.chars == 2 && bmp) {
        st = sql.Query(find, {SqlValue(), IntArrayLiteral(BigramCodes(q.key)), SqlValue(), kSearchCap + 1}, collect);
      } else if (q.chars >= 3 && PgTrigramsSeeChinese(sql)) {
        st = sql.Query(find, {"%" + LikeEscape(q.key) + "%", SqlValue(), SqlValue(), kSearchCap + 1}, collect);
      } else {
        st = sql.Query(find, {SqlValue(), IntArrayLiteral(BigramCodes(q.key)), q.key, kSearchCap + 1}, collect);
      }
    } else if (q.chars == 2) {
      // The bigram's token is the substring itself: no check needed.
      st = sql.Query(
          "SELECT d.uscc FROM directory_search_bi f JOIN directory_search_docs d ON d.id = f.rowid WHERE "
          "directory_search_bi MATCH ? ORDER BY f.rowid LIMIT ?",
          {BigramMatch(q.key), kSearchCap + 1}, collect);
    } else if (q.chars == 3) {
      st = sql.Query(
          "SELECT d.uscc FROM directory_search_tri f JOIN directory_search_docs d ON d.id = f.rowid WHERE "
          "directory_search_tri MATCH ? ORDER BY f.rowid LIMIT ?",
          {TrigramMatch(q.key), kSearchCap + 1}, collect);
    } else {
      st = sql.Query(
          "SELECT d.uscc FROM directory_search_tri f JOIN directory_search_docs d ON d.id = f.rowid WHERE "
          "directory_search_tri MATCH ? AND instr(d.key, ?) > 0 ORDER BY f.rowid LIMIT ?",
          {TrigramMatch(q.key), q.key, kSearchCap + 1}, collect);
    }
  }
  if (!st.ok()) return st;
  out.capped = static_cast<std::int64_t>(matches.size()) > kSearchCap;
  if (out.capped) matches.resize(static_cast<std::size_t>(kSearchCap));
  out.total = static_cast<std::int64_t>(matches.size());
  std::sort(matches.begin(), matches.end());
  if (offset >= out.total) return out;
  const auto end = static_cast<std::size_t>(std::min(out.total, offset + limit));
  std::vector<std::string> page(matches.begin() + offset, matches.begin() + static_cast<std::ptrdiff_t>(end));
  auto items = LoadPublicSubjects(sql, page);
  if (!items.ok()) return items.status();
  out.items = std::move(items).value();
  return out;
}

}  // namespace xj::directory
