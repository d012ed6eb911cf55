// xinjian bench deadlines: one department's publication deadlines over 1,000,000 visits
// (issue 4: at most 100 ms per listing), beside the naive peer in the same run.
//
// Setup (reused when the database in --dir already holds the rows): N visits of one item
// each, inserted with one INSERT ... SELECT per table (a recursive CTE on SQLite,
// generate_series on PostgreSQL), spread over 10 departments BENCH-D0..D9 and tasks of 1,000
// visits: 80 % published (due dates over the past year, one in ten published late), 10 %
// entered, approved or returned with due dates from 60 days before to 39 days after "today",
// 10 % not entered yet (no due date). Today is fixed (default 2026-06-15) so that every run
// sees the same cards.
//
// Ours: the inspection plugin's `deadlines --department D [--state S] --json`, run in this
// process (RunCommandInProcess, its JSON parsed): all open deadlines, then --state yellow,
// then --state red. The peer: the same SELECT without the index, the working days left
// counted day by day over the calendar. The index is defeated by writing the department and
// state terms as expressions (state || '') (SQLite 3.40 still used the partial index under
// NOT INDEXED, whose WHERE matched the query's), and on PostgreSQL also by disabling index
// and bitmap scans for the statement; both plans are printed. Both lists are compared row by row (same items,
// cards and days left). A warm-up run of each, then --reps timed runs: median and max.
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "calendar.h"
#include "cli.h"
#include "command_runner.h"
#include "database.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "scan.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

struct DeadlineBenchArgs {
  std::uint64_t visits = 1000000;
  int departments = 10;
  int reps = 7;
  std::string department = "BENCH-D3";
  std::string today = "2026-06-15";
  std::string dir = "bench-deadlines";
  std::string pg_url;
};

// One row of a listing, ours (from the command's JSON) or the peer's.
struct DeadlineRow {
  std::string visit_id, item_code, department, task_id, uscc, due_date, state, card;
  std::int64_t working_days_left = 0;
};

// Runs psql (the PostgreSQL server's own client) with one statement.
bool Psql(const std::string& url, const std::string& sql) {
  const std::string cmd = "psql -q -X -v ON_ERROR_STOP=1 '" + url + "' -c '" + sql + "'";
  std::cout << "  $ psql -c '" << sql << "'\n" << std::flush;
  return std::system(cmd.c_str()) == 0;
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::int64_t Count(Database& db, const std::string& sql) {
  std::int64_t n = -1;
  Status st = ScanRows(db, sql, {}, [&](const ScanRow& r) {
    n = std::stoll(std::string(r.values[0]));
    return false;
  });
  return st.ok() ? n : -1;
}

// The bench rows, generated in SQL. Integer arithmetic on i gives a fixed pseudo-random mix:
// b (0..99) picks published / open / not entered (the same shares in every department, i % 10),
// r (0..999) spreads states and dates independently of b.
Status Fill(Database& db, const DeadlineBenchArgs& a) {
  const bool pg = db.dialect() == Dialect::kPostgresql;
  const std::string n = std::to_string(a.visits), d = std::to_string(a.departments), today = a.today;
  const std::string series = pg ? "SELECT i, ((i / 10) * 2654435761) % 100 AS b, ((i / 100) * 7919 + i * 13) % 1000 AS r FROM generate_series(0, " +
                                      std::to_string(a.visits - 1) + ") AS s(i)"
                                : "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                                      std::to_string(a.visits - 1) +
                                      ") SELECT i, ((i / 10) * 2654435761) % 100 AS b, ((i / 100) * 7919 + i * 13) % 1000 AS r FROM n";
  // g: i, b, r, off (due date minus today, days; NULL when not entered), late (publication
  // minus due date, days).
  const std::string g = "SELECT i, b, r, CASE WHEN b < 80 THEN -(30 + r % 330) WHEN b < 90 THEN (r % 100) - 60 END AS off, "
                        "CASE WHEN r % 10 = 0 THEN 1 + r % 9 ELSE -(r % 15) END AS late FROM (" + series + ") AS q";
  auto day = [&](const std::string& offset) {
    return pg ? "CAST((DATE '" + today + "' + (" + offset + ")) AS TEXT)"
              : "date('" + today + "', (" + offset + ") || ' days')";
  };
  const std::string uscc = pg ? "'91330000' || lpad(CAST(i AS TEXT), 10, '0')" : "printf('91330000%010d', i)";
  const std::string task = "'BENCH-' || CAST(i / 1000 AS TEXT)";
  const std::string visit = task + " || '-' || CAST(i % 1000 + 1 AS TEXT)";
  const std::string state =
      "CASE WHEN b < 80 THEN 'published' WHEN b < 90 THEN (CASE r % 3 WHEN 0 THEN 'entered' WHEN 1 THEN 'approved' "
      "ELSE 'returned' END) ELSE 'pending' END";
  const std::string items =
      "INSERT INTO visit_items (visit_id, item_code, task_id, department, uscc, state, result_code, inspected_on, method, "
      "entered_by, due_date, card, published_on, published_at_us, updated_at_us) "
      "SELECT " + visit + ", 'BENCH-ITEM-' || CAST(i % " + d + " AS TEXT), " + task + ", 'BENCH-D' || CAST(i % " + d +
      " AS TEXT), " + uscc + ", " + state + ", CASE WHEN b < 90 THEN 'no_problem' END, CASE WHEN b < 90 THEN " +
      day("off - 28") + " END, CASE WHEN b < 90 THEN 'on_site' END, CASE WHEN b < 90 THEN 'BENCH-INS-1' END, CASE WHEN b < 90 THEN " +
      day("off") + " END, CASE WHEN b < 80 AND late > 0 THEN 'red' ELSE 'none' END, CASE WHEN b < 80 THEN " + day("off + late") +
      " END, CASE WHEN b < 80 THEN 1 END, 1 FROM (" + g + ") AS x";
  const std::string visits =
      "INSERT INTO visits (id, uscc, state, team, period, started_on, started_by, created_at_us, updated_at_us) "
      "SELECT " + visit + ", " + uscc + ", CASE WHEN b < 80 THEN 'published' WHEN b < 90 THEN 'entered' ELSE 'assigned' END, "
      "'BENCH-INS-1,BENCH-INS-2', '" + today.substr(0, 7) + "', NULL, NULL, 1, 1 FROM (" + series + ") AS x";
  if (!pg) (void)db.ExecScript("PRAGMA cache_size = -262144");
  WriteTransaction tx(db);
  if (auto st = tx.Begin(); !st.ok()) return st;
  for (const char* del : {"DELETE FROM visit_items WHERE task_id LIKE 'BENCH-%'", "DELETE FROM visits WHERE id LIKE 'BENCH-%'"})
    if (auto st = db.ExecScript(del); !st.ok()) return st;
  // The departments the items name: listings filtered by department refuse unknown ones.
  for (int k = 0; k < std::stoi(d); ++k)
    if (auto st = db.ExecScript("INSERT INTO departments (code, name, level, jurisdiction, digest, updated_at_us) VALUES "
                                "('BENCH-D" + std::to_string(k) + "', 'bench', 'province', '', '', 1) "
                                "ON CONFLICT (code) DO NOTHING");
        !st.ok())
      return st;
  if (auto st = db.ExecScript(visits); !st.ok()) return st;
  if (auto st = db.ExecScript(items); !st.ok()) return st;
  if (auto st = tx.Commit(); !st.ok()) return st;
  // PostgreSQL: VACUUM as autovacuum soon would after a million inserts (it sets the
  // visibility map that index-only scans need), so that the run measures the steady state.
  if (!pg) return db.ExecScript("ANALYZE");
  if (auto st = db.ExecScript("VACUUM ANALYZE visits"); !st.ok()) return st;  // one statement each: not in a block
  return db.ExecScript("VACUUM ANALYZE visit_items");
}

// The peer's SELECT: a full scan of visit_items.
std::string PeerSql(bool pg) {
  return std::string("SELECT visit_id, item_code, department, task_id, uscc, due_date, state FROM visit_items") +
         (pg ? "" : " NOT INDEXED") +
         " WHERE (state || '') <> 'published' AND due_date IS NOT NULL AND (department || '') = ?";
}

// The peer: the listing as a system without the partial index and without a cumulative
// calendar does it.
Result<std::vector<DeadlineRow>> NaiveDeadlines(Database& db, const WorkingCalendar& cal, const std::string& today,
                                                   const std::string& department, const std::string& state,
                                                   int yellow_days) {
  const bool pg = db.dialect() == Dialect::kPostgresql;
  const Date t = Date::Parse(today).value();
  std::string sql = PeerSql(pg);
  std::vector<std::optional<std::string>> params{department};
  if (state == "red") {
    sql += " AND due_date < ?";
    params.emplace_back(today);
  }
  sql += " ORDER BY due_date, visit_id, item_code";
  if (pg) {
    if (auto st = db.ExecScript("BEGIN; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; "
                                "SET LOCAL enable_bitmapscan = off");
        !st.ok())
      return st;
  }
  std::vector<DeadlineRow> out;
  Status problem = Status::Ok();
  Status st = ScanRows(db, sql, params, [&](const ScanRow& r) {
    DeadlineRow d;
    d.visit_id = std::string(r.values[0]);
    d.item_code = std::string(r.values[1]);
    d.department = std::string(r.values[2]);
    d.task_id = std::string(r.values[3]);
    d.uscc = std::string(r.values[4]);
    d.due_date = std::string(r.values[5]);
    d.state = std::string(r.values[6]);
    auto due = Date::Parse(d.due_date);
    if (!due.ok()) {
      problem = due.status();
      return false;
    }
    // Working days left, one day at a time.
    std::int64_t left = 0;
    if (due.value() >= t) {
      for (Date x = t + 1; x <= due.value(); x = x + 1) {
        auto w = cal.IsWorkingDay(x);
        if (!w.ok()) {
          problem = w.status();
          return false;
        }
        left += w.value() ? 1 : 0;
      }
    } else {
      for (Date x = due.value(); x < t; x = x + 1) {
        auto w = cal.IsWorkingDay(x);
        if (!w.ok()) {
          problem = w.status();
          return false;
        }
        left -= w.value() ? 1 : 0;
      }
    }
    d.working_days_left = left;
    d.card = due.value() < t ? "red" : left <= yellow_days ? "yellow" : "green";
    if (!state.empty() && d.card != state) return true;
    out.push_back(std::move(d));
    return true;
  });
  if (pg) (void)db.ExecScript("COMMIT");
  if (!st.ok()) return st;
  if (!problem.ok()) return problem;
  return out;
}

struct Timing {
  std::vector<double> ms;
  std::size_t rows = 0;
  double Median() const {
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  }
  double Max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

// Runs `fn` once to warm up, then `reps` times.
Result<Timing> TimeIt(int reps, const std::function<Result<std::vector<DeadlineRow>>()>& fn,
                      std::vector<DeadlineRow>* last) {
  Timing t;
  for (int i = -1; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = fn();
    const double ms = Since(t0) * 1000.0;
    if (!r.ok()) return r.status();
    if (i >= 0) t.ms.push_back(ms);
    t.rows = r->size();
    *last = std::move(r).value();
  }
  return t;
}

bool Same(const std::vector<DeadlineRow>& a, const std::vector<DeadlineRow>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].visit_id != b[i].visit_id || a[i].item_code != b[i].item_code || a[i].card != b[i].card ||
        a[i].working_days_left != b[i].working_days_left || a[i].due_date != b[i].due_date || a[i].uscc != b[i].uscc)
      return false;
  return true;
}

void PrintPlan(Database& db, const std::string& department) {
  const bool pg = db.dialect() == Dialect::kPostgresql;
  const std::string q =
      "SELECT visit_id, item_code, department, task_id, uscc, due_date, state, card, '' FROM visit_items WHERE state <> "
      "'published' AND due_date IS NOT NULL AND department = ? ORDER BY due_date, visit_id, item_code";
  auto print = [&](const std::string& label, const std::string& sql) {
    std::cout << "  plan (" << label << "):";
    (void)ScanRows(db, (pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql, {department}, [&](const ScanRow& r) {
      std::cout << " " << (pg ? r.values[0] : r.values[3]) << ";";
      return true;
    });
    std::cout << "\n";
  };
  print("ours", q);
  if (pg) (void)db.ExecScript("BEGIN; SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off");
  print("peer", PeerSql(pg) + " ORDER BY due_date, visit_id, item_code");
  if (pg) (void)db.ExecScript("COMMIT");
}

bool BenchBackend(const std::string& label, const std::string& url, const DeadlineBenchArgs& a, const Globals& g) {
  auto dbr = Database::Open(url);
  if (!dbr.ok()) {
    PrintError(dbr.status().message());
    return false;
  }
  Database& db = *dbr.value();
  // visit_items belongs to the inspection plugin: its migrations make it, as init does.
  Globals with = g;
  with.require_plugins.push_back("inspection");
  auto host = LoadPlugins(with);
  if (!host) return false;
  if (Status st = MigratePlugins(db, *host, false); !st.ok()) {
    PrintError(st.message());
    return false;
  }
  std::cout << "\n[" << label << "] " << db.url().display << "\n";
  const std::int64_t have = Count(db, "SELECT COUNT(*) FROM visit_items WHERE task_id LIKE 'BENCH-%'");
  if (have != static_cast<std::int64_t>(a.visits)) {
    std::cout << "  插入 / inserting " << a.visits << " visits (one item each)...\n" << std::flush;
    const auto t0 = std::chrono::steady_clock::now();
    if (auto st = Fill(db, a); !st.ok()) {
      PrintError(st.message());
      return false;
    }
    std::printf("  inserted in %.1f s\n", Since(t0));
  } else {
    std::cout << "  复用 / reusing " << have << " visits\n";
  }
  const std::int64_t open = Count(db, "SELECT COUNT(*) FROM visit_items WHERE state <> 'published' AND due_date IS NOT NULL "
                                      "AND department = '" + a.department + "'");
  std::printf("  visits %lld, departments %d; %s: %lld open deadlines; today %s\n",
              static_cast<long long>(Count(db, "SELECT COUNT(*) FROM visit_items")), a.departments, a.department.c_str(),
              static_cast<long long>(open), a.today.c_str());
  PrintPlan(db, a.department);

  auto cal = WorkingCalendar::Shared(g.config);
  if (!cal.ok()) {
    PrintError(cal.status().message());
    return false;
  }
  // The yellow band the peer applies: the inspection plugin's plugins.inspection.yellow_days.
  int yellow_days = 5;
  if (auto it = g.config.find("plugins.inspection.yellow_days"); it != g.config.end()) yellow_days = std::atoi(it->second.c_str());
  auto deadlines = host->commands().find("deadlines");
  if (deadlines == host->commands().end()) {
    PrintError("没有命令 deadlines（inspection 插件未加载？）/ no command deadlines (is the inspection plugin loaded?)");
    return false;
  }
  PlatformImpl& platform = host->platform();
  AttachedDatabase attached(platform, db);
  // Ours: the command as a user runs it, in this process, its JSON read back.
  auto ours_list = [&](const std::string& state) -> Result<std::vector<DeadlineRow>> {
    CommandInvocation inv;
    inv.args = {{"--today", {a.today}}};
    if (!state.empty()) inv.args["--state"] = {state};
    inv.json = true;
    inv.principal = Principal::System("bench");
    inv.principal.department = a.department;
    inv.config = g.config;
    CommandRun r = RunCommandInProcess(deadlines->second, platform, inv);
    if (!r.status.ok()) return r.status;
    if (r.exit_code != 0) return Status(StatusCode::kInternal, r.err);
    const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    if (!j.is_array()) return Status(StatusCode::kInternal, "deadlines --json: not a JSON array");
    std::vector<DeadlineRow> out;
    out.reserve(j.size());
    for (const auto& x : j)
      out.push_back(DeadlineRow{x.value("visit", ""), x.value("item", ""), x.value("department", ""), x.value("task", ""),
                                x.value("uscc", ""), x.value("due_date", ""), x.value("state", ""), x.value("card", ""),
                                x.value("working_days_left", std::int64_t{0})});
    return out;
  };

  std::cout << "\n| listing (" << a.department << ")" << std::string(a.department.size() < 8 ? 8 - a.department.size() : 0, ' ')
            << " |   rows | ours median ms | ours max ms | peer median ms | peer max ms | ratio | same |\n"
            << "|--------------------|--------|----------------|-------------|----------------|-------------|-------|------|\n";
  bool ok = true, all_same = true;
  double worst = 0;
  for (const std::string state : {"", "yellow", "red"}) {
    std::vector<DeadlineRow> ours_rows, peer_rows;
    auto ours = TimeIt(a.reps, [&] { return ours_list(state); }, &ours_rows);
    if (!ours.ok()) {
      PrintError(ours.status().message());
      return false;
    }
    auto peer = TimeIt(a.reps, [&] {
      return NaiveDeadlines(db, *cal.value(), a.today, a.department, state, yellow_days);
    }, &peer_rows);
    if (!peer.ok()) {
      PrintError(peer.status().message());
      return false;
    }
    const bool same = Same(ours_rows, peer_rows);
    all_same = all_same && same;
    worst = std::max(worst, ours->Max());
    char line[256];
    std::snprintf(line, sizeof line, "| %-18s | %6zu | %14.1f | %11.1f | %14.1f | %11.1f | %5.2f | %-4s |",
                  state.empty() ? "all open" : ("--state " + state).c_str(), ours->rows, ours->Median(), ours->Max(),
                  peer->Median(), peer->Max(), peer->Median() > 0 ? ours->Median() / peer->Median() : 0.0,
                  same ? "yes" : "NO");
    std::cout << line << "\n";
  }
  std::printf("  ratio = ours / peer (median). %d timed runs each after one warm-up.\n", a.reps);
  std::printf("  目标 / target: ≤ 100 ms per listing (issue 4); worst run of ours: %.1f ms\n", worst);
  if (!all_same) {
    PrintError("我们的列表与对照不同 / our listing differs from the peer's");
    ok = false;
  }
  return ok;
}

}  // namespace

void RegisterBenchDeadlinesCommand(CLI::App& app, Globals& g) {
  CLI::App* bench = app.get_subcommand("bench");
  static DeadlineBenchArgs a;
  auto* cmd = bench->add_subcommand(
      "deadlines", "一个部门的公示期限列表 / one department's deadlines over 1,000,000 visits vs a full scan and day-by-day counting");
  cmd->add_option("--visits", a.visits, "检查记录数 / visits (default 1000000)")->check(CLI::Range(1000, 100000000));
  cmd->add_option("--departments", a.departments, "部门数 / departments (default 10)")->check(CLI::Range(1, 1000));
  cmd->add_option("--department", a.department, "列出的部门 / the department listed (default BENCH-D3)");
  cmd->add_option("--reps", a.reps, "计时次数 / timed runs (default 7)")->check(CLI::Range(1, 1000));
  cmd->add_option("--today", a.today, "以该日为今天 / today (default 2026-06-15)");
  cmd->add_option("--dir", a.dir, "工作目录，数据在其中复用 / work folder; its database is reused (default bench-deadlines)");
  cmd->add_option("--pg", a.pg_url, "同时测 PostgreSQL / also run against this PostgreSQL server URL (a database is created and dropped)")
      ->envname("XINJIAN_BENCH_PG");
  cmd->callback([&g] {
    namespace fs = std::filesystem;
    auto today = Date::Parse(a.today);
    if (!today.ok()) {
      PrintError(today.status().message());
      g_exit_code = kExitUsage;
      return;
    }
    fs::create_directories(a.dir);
    const std::string dir = fs::absolute(a.dir).string();
    const std::string url = "sqlite:" + dir + "/deadlines.db";
    if (!BenchBackend("SQLite", url, a, g)) g_exit_code = kExitFailure;
    if (!a.pg_url.empty()) {
      const std::string name = "xj_bench_deadlines_" + std::to_string(getpid());
      const auto slash = a.pg_url.rfind('/');
      const std::string pg_db = a.pg_url.substr(0, slash + 1) + name;
      if (a.pg_url.find('\'') != std::string::npos || !Psql(a.pg_url, "CREATE DATABASE " + name)) {
        PrintError("无法在 PostgreSQL 上建库 / cannot create the benchmark database on " + a.pg_url);
        g_exit_code = kExitFailure;
        return;
      }
      if (!BenchBackend("PostgreSQL", pg_db, a, g)) g_exit_code = kExitFailure;
      (void)Psql(a.pg_url, "DROP DATABASE IF EXISTS " + name);
    }
  });
}

}  // namespace xj::cli
