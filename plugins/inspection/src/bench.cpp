// xinjian bench deadlines: one department's publication deadlines over 1,000,000 visits
// (issue 4: at most 100 ms per listing), beside the naive peer in the same run.
//
// Setup (reused when the database in --dir already holds the rows), by running `xinjian`
// itself per backend: `init`, the departments BENCH-D0..D9 imported from a CSV file (listings
// filtered by department refuse unknown ones), then `bench deadlines-run --fill-only`, which
// inserts N visits of one item each with one INSERT ... SELECT per table (a recursive CTE on
// SQLite, generate_series on PostgreSQL) in one unit of work, in tasks of 1,000 visits: 80 %
// published (due dates over the past year, one in ten published late), 10 % entered, approved
// or returned with due dates from 60 days before to 39 days after "today", 10 % not entered
// yet (no due date). Today is fixed (default 2026-06-15) so that every run sees the same
// cards. On PostgreSQL the tables are then vacuumed as autovacuum soon would after a million
// inserts (it sets the visibility map that index-only scans need), so that the run measures
// the steady state. Then `bench deadlines-run` measures, in a process of its own.
//
// Ours: the `deadlines --department D [--state S] --json` command, its handler run in this
// process as a user runs it and its JSON parsed: all open deadlines, then --state yellow, then
// --state red. The peer: the same SELECT without the index, the working days left counted day
// by day over the calendar. The index is defeated by writing the department and state terms as
// expressions (state || '') (SQLite 3.40 still used the partial index under NOT INDEXED, whose
// WHERE matched the query's), and on PostgreSQL also by disabling index and bitmap scans for
// the statement; both plans are printed. Both lists are compared row by row (same items, cards
// and days left). A warm-up run of each, then --reps timed runs: median and max.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "xinjian/bench.h"
#include "xinjian/time.h"

namespace xj::inspection {
namespace {

using K = OptionKind;

struct Args {
  std::int64_t visits = 1000000;
  std::int64_t departments = 10;
  std::int64_t reps = 7;
  std::string department = "BENCH-D3";
  std::string today = "2026-06-15";
};

// One row of a listing, ours (from the command's JSON) or the peer's.
struct DeadlineRow {
  std::string visit_id, item_code, department, task_id, uscc, due_date, state, card;
  std::int64_t working_days_left = 0;
};

Status Failed(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInternal, zh, en); }

// The bench rows, generated in SQL. Integer arithmetic on i gives a fixed pseudo-random mix:
// b (0..99) picks published / open / not entered (the same shares in every department, i % 10),
// r (0..999) spreads states and dates independently of b.
Status Fill(Sql& sql, const Args& a) {
  const bool pg = sql.dialect() == SqlDialect::kPostgresql;
  const std::string d = std::to_string(a.departments), today = a.today;
  const std::string last = std::to_string(a.visits - 1);
  const std::string series =
      pg ? "SELECT i, ((i / 10) * 2654435761) % 100 AS b, ((i / 100) * 7919 + i * 13) % 1000 AS r FROM generate_series(0, " +
               last + ") AS s(i)"
         : "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " + last +
               ") SELECT i, ((i / 10) * 2654435761) % 100 AS b, ((i / 100) * 7919 + i * 13) % 1000 AS r FROM n";
  // g: i, b, r, off (due date minus today, days; NULL when not entered), late (publication
  // minus due date, days).
  const std::string g =
      "SELECT i, b, r, CASE WHEN b < 80 THEN -(30 + r % 330) WHEN b < 90 THEN (r % 100) - 60 END AS off, "
      "CASE WHEN r % 10 = 0 THEN 1 + r % 9 ELSE -(r % 15) END AS late FROM (" + series + ") AS q";
  auto day = [&](const std::string& offset) {
    return pg ? "CAST((DATE '" + today + "' + (" + offset + ")) AS TEXT)" : "date('" + today + "', (" + offset + ") || ' days')";
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
      day("off") + " END, CASE WHEN b < 80 AND late > 0 THEN 'red' ELSE 'none' END, CASE WHEN b < 80 THEN " +
      day("off + late") + " END, CASE WHEN b < 80 THEN 1 END, 1 FROM (" + g + ") AS x";
  const std::string visits =
      "INSERT INTO visits (id, uscc, state, team, period, started_on, started_by, created_at_us, updated_at_us) "
      "SELECT " + visit + ", " + uscc +
      ", CASE WHEN b < 80 THEN 'published' WHEN b < 90 THEN 'entered' ELSE 'assigned' END, "
      "'BENCH-INS-1,BENCH-INS-2', '" + today.substr(0, 7) + "', NULL, NULL, 1, 1 FROM (" + series + ") AS x";
  for (const std::string& statement :
       {std::string("DELETE FROM visit_items WHERE task_id LIKE 'BENCH-%'"), std::string("DELETE FROM visits WHERE id LIKE 'BENCH-%'"),
        visits, items, std::string("ANALYZE")})
    if (auto r = sql.Exec(statement); !r.ok()) return r.status();
  return Status::Ok();
}

// The peer's SELECT: a full scan of visit_items.
std::string PeerSql(bool pg) {
  return std::string("SELECT visit_id, item_code, department, task_id, uscc, due_date, state FROM visit_items") +
         (pg ? "" : " NOT INDEXED") + " WHERE (state || '') <> 'published' AND due_date IS NOT NULL AND (department || '') = ?";
}

// On PostgreSQL, no index or bitmap scans for the rest of the read (a transaction).
Status DisableIndexScans(Sql& sql) {
  if (sql.dialect() != SqlDialect::kPostgresql) return Status::Ok();
  for (const char* s : {"SET LOCAL enable_indexscan = off", "SET LOCAL enable_indexonlyscan = off", "SET LOCAL enable_bitmapscan = off"})
    if (Status st = sql.Query(s, {}, [](const SqlRow&) { return false; }); !st.ok()) return st;
  return Status::Ok();
}

// The peer: the listing as a system without the partial index and without a cumulative
// calendar does it.
Result<std::vector<DeadlineRow>> NaiveDeadlines(Platform& platform, const WorkingDays& cal, const Args& a,
                                                const std::string& state, int yellow_days) {
  const CivilDate t = CivilDate::Parse(a.today).value();
  std::vector<DeadlineRow> out;
  Status problem = Status::Ok();
  Status st = platform.Read([&](Sql& sql) -> Status {
    const bool pg = sql.dialect() == SqlDialect::kPostgresql;
    if (Status s = DisableIndexScans(sql); !s.ok()) return s;
    std::string q = PeerSql(pg);
    SqlParams params{a.department};
    if (state == "red") {
      q += " AND due_date < ?";
      params.emplace_back(a.today);
    }
    q += " ORDER BY due_date, visit_id, item_code";
    return sql.Query(q, params, [&](const SqlRow& r) {
      DeadlineRow d{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), "", 0};
      auto due = CivilDate::Parse(d.due_date);
      if (!due.ok()) {
        problem = due.status();
        return false;
      }
      // Working days left, one day at a time.
      std::int64_t left = 0;
      const CivilDate from = due.value() >= t ? t + 1 : due.value();
      const CivilDate to = due.value() >= t ? due.value() + 1 : t;  // exclusive
      for (CivilDate x = from; x < to; x = x + 1) {
        auto w = cal.IsWorkingDay(x);
        if (!w.ok()) {
          problem = w.status();
          return false;
        }
        if (w.value()) left += due.value() >= t ? 1 : -1;
      }
      d.working_days_left = left;
      d.card = due.value() < t ? "red" : left <= yellow_days ? "yellow" : "green";
      if (!state.empty() && d.card != state) return true;
      out.push_back(std::move(d));
      return true;
    });
  });
  if (!st.ok()) return st;
  if (!problem.ok()) return problem;
  return out;
}

// The command's arguments for one run of `deadlines`, as the command line would give them.
class FixedArgs : public CommandArgs {
 public:
  explicit FixedArgs(std::map<std::string, std::string> given) : given_(std::move(given)) {}
  bool Has(const std::string& name) const override { return given_.count(name) > 0; }
  std::string Text(const std::string& name) const override {
    auto it = given_.find(name);
    return it == given_.end() ? "" : it->second;
  }
  std::int64_t Int(const std::string& name) const override {
    auto it = given_.find(name);
    return it == given_.end() ? 0 : std::stoll(it->second);
  }
  bool Flag(const std::string& name) const override { return given_.count(name) > 0; }
  std::vector<std::string> Texts(const std::string& name) const override {
    auto it = given_.find(name);
    return it == given_.end() ? std::vector<std::string>{} : std::vector<std::string>{it->second};
  }

 private:
  std::map<std::string, std::string> given_;
};

// The context of that run: the bench's platform and configuration, a principal of the listed
// department, --json, its output captured.
class CapturedRun : public CommandContext {
 public:
  CapturedRun(CommandContext& outer, FixedArgs args, Principal who)
      : outer_(outer), args_(std::move(args)), who_(std::move(who)) {}
  const CommandArgs& args() const override { return args_; }
  const Principal& principal() const override { return who_; }
  Platform& platform() override { return outer_.platform(); }
  bool json() const override { return true; }
  std::ostream& out() override { return out_; }
  std::ostream& err() override { return err_; }
  std::string Config(const std::string& key, const std::string& fallback) const override {
    return outer_.Config(key, fallback);
  }
  void SetExitCode(int code) override { exit_code_ = code; }
  std::string stdout_text() const { return out_.str(); }
  std::string stderr_text() const { return err_.str(); }
  int exit_code() const { return exit_code_; }

 private:
  CommandContext& outer_;
  FixedArgs args_;
  Principal who_;
  std::ostringstream out_, err_;
  int exit_code_ = 0;
};

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
Result<Timing> TimeIt(std::int64_t reps, const std::function<Result<std::vector<DeadlineRow>>()>& fn,
                      std::vector<DeadlineRow>* last) {
  Timing t;
  for (std::int64_t i = -1; i < reps; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto r = fn();
    const double ms = bench::SecondsSince(t0) * 1000.0;
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

Status PrintPlans(std::ostream& out, Platform& platform, const std::string& department) {
  const std::string ours =
      "SELECT visit_id, item_code, department, task_id, uscc, due_date, state, card, '' FROM visit_items WHERE state <> "
      "'published' AND due_date IS NOT NULL AND department = ? ORDER BY due_date, visit_id, item_code";
  for (const bool peer : {false, true}) {
    Status st = platform.Read([&](Sql& sql) -> Status {
      const bool pg = sql.dialect() == SqlDialect::kPostgresql;
      if (peer)
        if (Status s = DisableIndexScans(sql); !s.ok()) return s;
      out << "  plan (" << (peer ? "peer" : "ours") << "):";
      Status s = sql.Query((pg ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") +
                               (peer ? PeerSql(pg) + " ORDER BY due_date, visit_id, item_code" : ours),
                           {department}, [&](const SqlRow& r) {
                             out << " " << r.Text(pg ? 0 : 3) << ";";
                             return true;
                           });
      out << "\n";
      return s;
    });
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

// The options of both commands (ReadArgs checks them). The department listed is the one of
// --department, default BENCH-D3.
std::vector<CommandOption> Options() {
  return {CommandOption{"--visits", "检查记录数 / visits", K::kInteger, false, "1000000", {}},
          CommandOption{"--departments", "部门数 / departments", K::kInteger, false, "10", {}},
          CommandOption{"--reps", "计时次数 / timed runs", K::kInteger, false, "7", {}},
          CommandOption{"--today", "以该日为今天 / today", K::kText, false, "2026-06-15", {}}};
}

Result<Args> ReadArgs(CommandContext& ctx) {
  const CommandArgs& in = ctx.args();
  Args a;
  a.visits = in.Int("--visits");
  a.departments = in.Int("--departments");
  a.reps = in.Int("--reps");
  // --department (the principal's, an option of every command): the department listed.
  if (!ctx.principal().department.empty()) a.department = ctx.principal().department;
  a.today = in.Text("--today");
  auto usage = [&](const std::string& zh, const std::string& en) {
    ctx.SetExitCode(2);
    return Status::Error(StatusCode::kInvalidArgument, zh, en);
  };
  if (a.visits < 1000 || a.visits > 100000000)
    return usage("--visits 须为 1000 至 1 亿", "--visits must be 1,000 to 100,000,000");
  if (a.departments < 1 || a.departments > 1000) return usage("--departments 须为 1 至 1000", "--departments must be 1 to 1,000");
  if (a.reps < 1 || a.reps > 1000) return usage("--reps 须为 1 至 1000", "--reps must be 1 to 1,000");
  if (!CivilDate::Parse(a.today).ok()) return usage("--today 须为 YYYY-MM-DD", "--today must be YYYY-MM-DD");
  if (a.department.empty() || a.department.size() > 64 ||
      a.department.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
    return usage("--department 须为部门代码（字母、数字、- 和 _，至多 64 个）",
                 "--department must be a department code (letters, digits, - and _, at most 64)");
  return a;
}

std::vector<std::string> ArgWords(const Args& a) {
  return {"--visits", std::to_string(a.visits), "--departments", std::to_string(a.departments), "--department", a.department,
          "--reps", std::to_string(a.reps), "--today", a.today};
}

// bench deadlines-run: on the database of --db (the inspection's tables migrated).
Status Measure(CommandContext& ctx, const draw::TaskService* tasks) {
  auto args = ReadArgs(ctx);
  if (!args.ok()) return args.status();
  const Args& a = args.value();
  std::ostream& out = ctx.out();
  Platform& platform = ctx.platform();
  auto have = [&]() -> Result<std::int64_t> {
    std::int64_t n = 0;
    Status st = platform.Read([&](Sql& sql) -> Status {
      auto r = sql.QueryInt("SELECT COUNT(*) FROM visit_items WHERE task_id LIKE 'BENCH-%'");
      if (!r.ok()) return r.status();
      n = r.value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    return n;
  };
  if (ctx.args().Flag("--fill-only")) {
    auto n = have();
    if (!n.ok()) return n.status();
    if (n.value() == a.visits) {
      out << "  复用 / reusing " << n.value() << " visits\n";
      return Status::Ok();
    }
    out << "  插入 / inserting " << a.visits << " visits (one item each)...\n" << std::flush;
    const auto t0 = std::chrono::steady_clock::now();
    if (Status st = platform.RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) { return Fill(uow.sql(), a); }); !st.ok())
      return st;
    char line[64];
    std::snprintf(line, sizeof line, "  inserted in %.1f s\n", bench::SecondsSince(t0));
    out << line;
    return Status::Ok();
  }
  auto n = have();
  if (!n.ok()) return n.status();
  if (n.value() != a.visits)
    return Failed("数据库中有 " + std::to_string(n.value()) + " 条基准检查记录，应为 " + std::to_string(a.visits) +
                      "（先运行 bench deadlines）",
                  "the database holds " + std::to_string(n.value()) + " bench visits, not " + std::to_string(a.visits) +
                      " (run bench deadlines first)");
  std::int64_t total = 0, open = 0;
  if (Status st = platform.Read([&](Sql& sql) -> Status {
        auto t = sql.QueryInt("SELECT COUNT(*) FROM visit_items");
        if (!t.ok()) return t.status();
        total = t.value();
        auto o = sql.QueryInt(
            "SELECT COUNT(*) FROM visit_items WHERE state <> 'published' AND due_date IS NOT NULL AND department = ?",
            {a.department});
        if (!o.ok()) return o.status();
        open = o.value();
        return Status::Ok();
      });
      !st.ok())
    return st;
  out << "  visits " << total << ", departments " << a.departments << "; " << a.department << ": " << open
      << " open deadlines; today " << a.today << "\n";
  if (Status st = PrintPlans(out, platform, a.department); !st.ok()) return st;

  auto cal = platform.Calendar();
  if (!cal.ok()) return cal.status();
  // The yellow band the peer applies: the plugin's plugins.inspection.yellow_days.
  const std::string yellow = ctx.Config("yellow_days", "5");
  const int yellow_days = std::atoi(yellow.c_str());
  Principal who = Principal::System("bench");
  who.department = a.department;
  // Ours: the command as a user runs it, in this process, its JSON read back.
  auto ours_list = [&](const std::string& state) -> Result<std::vector<DeadlineRow>> {
    std::map<std::string, std::string> given{{"--today", a.today}};
    if (!state.empty()) given["--state"] = state;
    CapturedRun run(ctx, FixedArgs(given), who);
    if (Status st = DeadlinesCommand(run, tasks); !st.ok()) return st;
    if (run.exit_code() != 0) return Failed("deadlines 失败：" + run.stderr_text(), "deadlines failed: " + run.stderr_text());
    const nlohmann::json j = nlohmann::json::parse(run.stdout_text(), nullptr, false);
    if (!j.is_array()) return Failed("deadlines --json 的输出不是 JSON 数组", "deadlines --json: not a JSON array");
    std::vector<DeadlineRow> rows;
    rows.reserve(j.size());
    for (const auto& x : j)
      rows.push_back(DeadlineRow{x.value("visit", ""), x.value("item", ""), x.value("department", ""), x.value("task", ""),
                                 x.value("uscc", ""), x.value("due_date", ""), x.value("state", ""), x.value("card", ""),
                                 x.value("working_days_left", std::int64_t{0})});
    return rows;
  };

  out << "\n| listing (" << a.department << ")" << std::string(a.department.size() < 8 ? 8 - a.department.size() : 0, ' ')
      << " |   rows | ours median ms | ours max ms | peer median ms | peer max ms | ratio | same |\n"
      << "|--------------------|--------|----------------|-------------|----------------|-------------|-------|------|\n";
  bool all_same = true;
  double worst = 0;
  for (const std::string state : {"", "yellow", "red"}) {
    std::vector<DeadlineRow> ours_rows, peer_rows;
    auto ours = TimeIt(a.reps, [&] { return ours_list(state); }, &ours_rows);
    if (!ours.ok()) return ours.status();
    auto peer = TimeIt(a.reps, [&] { return NaiveDeadlines(platform, *cal.value(), a, state, yellow_days); }, &peer_rows);
    if (!peer.ok()) return peer.status();
    const bool same = Same(ours_rows, peer_rows);
    all_same = all_same && same;
    worst = std::max(worst, ours->Max());
    char line[256];
    std::snprintf(line, sizeof line, "| %-18s | %6zu | %14.1f | %11.1f | %14.1f | %11.1f | %5.2f | %-4s |",
                  state.empty() ? "all open" : ("--state " + state).c_str(), ours->rows, ours->Median(), ours->Max(),
                  peer->Median(), peer->Max(), peer->Median() > 0 ? ours->Median() / peer->Median() : 0.0,
                  same ? "yes" : "NO");
    out << line << "\n";
  }
  char line[160];
  std::snprintf(line, sizeof line, "  ratio = ours / peer (median). %lld timed runs each after one warm-up.\n",
                static_cast<long long>(a.reps));
  out << line;
  std::snprintf(line, sizeof line, "  目标 / target: ≤ 100 ms per listing (issue 4); worst run of ours: %.1f ms\n", worst);
  out << line;
  if (!all_same) return Failed("我们的列表与对照不同", "our listing differs from the peer's");
  return Status::Ok();
}

// bench deadlines: prepares and measures each backend through `xinjian` itself.
Status Orchestrate(CommandContext& ctx) {
  namespace fs = std::filesystem;
  auto args = ReadArgs(ctx);
  if (!args.ok()) return args.status();
  const Args& a = args.value();
  std::ostream& out = ctx.out();
  std::error_code ec;
  fs::create_directories(ctx.args().Text("--dir"), ec);
  if (ec)
    return Status::Error(StatusCode::kInvalidArgument, "无法创建工作目录 " + ctx.args().Text("--dir") + "：" + ec.message(),
                         "cannot create the work folder " + ctx.args().Text("--dir") + ": " + ec.message());
  const std::string dir = fs::absolute(ctx.args().Text("--dir")).string();
  const std::string self = bench::SelfExecutable();
  if (self.empty()) return Failed("找不到 xinjian 可执行文件", "cannot find the xinjian executable (/proc/self/exe)");
  const std::string departments = dir + "/departments.csv";
  {
    std::ofstream f(departments);
    f << "code,name,level,jurisdiction\n";
    for (std::int64_t k = 0; k < a.departments; ++k) f << "BENCH-D" << k << ",基准测试部门 " << k << ",province,33\n";
    if (!f) return Failed("无法写入 " + departments, "cannot write " + departments);
  }
  // The child runs get this command's setting of the yellow band.
  std::vector<std::string> set;
  if (const std::string y = ctx.Config("yellow_days", ""); !y.empty()) set = {"--set", "plugins.inspection.yellow_days=" + y};
  auto run_backend = [&](const std::string& label, const std::string& url) -> Status {
    out << "\n[" << label << "] " << url << "\n" << std::flush;
    std::vector<std::string> base{self, "--db", url};
    base.insert(base.end(), set.begin(), set.end());
    auto with = [&](std::vector<std::string> tail) {
      std::vector<std::string> v = base;
      v.insert(v.end(), tail.begin(), tail.end());
      return v;
    };
    if (!bench::RunEchoed(out, with({"init"}))) return Failed("init 失败：" + url, "init failed: " + url);
    if (!bench::RunEchoed(out, with({"import", "departments", departments, "--json", "--no-dispatch"})))
      return Failed("导入部门失败：" + url, "importing the departments failed: " + url);
    std::vector<std::string> fill = with({"bench", "deadlines-run", "--fill-only"});
    for (const auto& w : ArgWords(a)) fill.push_back(w);
    if (!bench::RunEchoed(out, fill)) return Failed("插入数据失败：" + url, "inserting the rows failed: " + url);
    if (url.rfind("postgres", 0) == 0)
      for (const char* table : {"visits", "visit_items"})  // one statement each: VACUUM is not run in a block
        if (!bench::RunEchoed(out, {"psql", "-q", "-X", url, "-c", std::string("VACUUM ANALYZE ") + table}))
          return Failed("VACUUM 失败：" + url, "VACUUM failed: " + url);
    std::vector<std::string> measure = with({"bench", "deadlines-run"});
    for (const auto& w : ArgWords(a)) measure.push_back(w);
    if (!bench::RunEchoed(out, measure)) return Failed("测量失败：" + url, "the measured run failed: " + url);
    return Status::Ok();
  };
  Status result = run_backend("SQLite", "sqlite:" + dir + "/deadlines.db");
  std::string pg = ctx.args().Text("--pg");
  if (pg.empty())
    if (const char* env = std::getenv("XINJIAN_BENCH_PG")) pg = env;
  if (!pg.empty()) {
    const std::string name = "xj_bench_deadlines_" + std::to_string(getpid());
    const std::string pg_db = pg.substr(0, pg.rfind('/') + 1) + name;
    if (!bench::RunEchoed(out, {"psql", "-q", "-X", pg, "-c", "CREATE DATABASE " + name}))
      return Status::Error(StatusCode::kUnavailable, "无法在 PostgreSQL 上建库 " + name,
                           "cannot create the benchmark database " + name + " on " + pg);
    Status st = run_backend("PostgreSQL", pg_db);
    (void)bench::RunEchoed(out, {"psql", "-q", "-X", pg, "-c", "DROP DATABASE IF EXISTS " + name});
    if (result.ok()) result = st;
  }
  return result;
}

}  // namespace

Status RegisterBench(Registrar& reg, const draw::TaskService* tasks) {
  {
    CommandSpec spec;
    spec.path = {"bench", "deadlines"};
    spec.help =
        "一个部门的公示期限列表，对照全表扫描和逐日计数 / one department's deadlines over 1,000,000 visits vs a full "
        "scan and day-by-day counting";
    spec.options = Options();
    spec.options.push_back(CommandOption{"--dir", "工作目录，数据在其中复用 / work folder; its database is reused",
                                         K::kText, false, "bench-deadlines", {}});
    spec.options.push_back(CommandOption{"--pg",
                                         "同时测 PostgreSQL（建一个库，测完删除；环境变量 XINJIAN_BENCH_PG）/ also run "
                                         "against this PostgreSQL server URL (a database is created and dropped; env "
                                         "XINJIAN_BENCH_PG)",
                                         K::kText, false, "", {}});
    spec.json = false;
    spec.needs_database = false;  // its own databases, in --dir and on --pg
    if (Status st = reg.AddCommand(spec, Orchestrate); !st.ok()) return st;
  }
  CommandSpec spec;
  spec.path = {"bench", "deadlines-run"};
  spec.help =
      "bench deadlines 的一步：在 --db 的数据库上插入数据（--fill-only）或测量 / one step of bench deadlines on the "
      "database of --db: insert the rows (--fill-only) or measure";
  spec.options = Options();
  spec.options.push_back(CommandOption{"--fill-only", "只插入数据 / only insert the rows", K::kFlag, false, "", {}});
  spec.json = false;
  return reg.AddCommand(spec, [tasks](CommandContext& ctx) { return Measure(ctx, tasks); });
}

}  // namespace xj::inspection
