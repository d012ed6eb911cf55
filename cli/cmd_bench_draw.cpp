// xinjian bench draw: a province-scale draw beside the naive peer, in the same run.
//
// Setup (reused between runs when the folder already holds the data): a directory of N
// generated subjects (default 10,000,000) imported with `xinjian import`, department SCJG
// (jurisdiction 33), 2,000 SCJG inspectors, one item without restrictions. Then, in this
// process: the in-memory subject index is loaded; a task over the prefecture nearest to
// N/10 subjects, stratified by risk class with the Henan 2020 ratios and teams of 2, is
// announced and drawn (pool frozen, secret, commitment, tickets, selection, teams,
// everything persisted) and timed; the peer runs per stratum
//   SELECT uscc FROM subjects WHERE <prefecture> AND status = 'active' AND risk_class = ?
//   ORDER BY random() LIMIT k
// on the same database, as existing systems do; then a draw over the whole directory.
// The tasks are cancelled at the end so that the next run sees the same pools.
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "bulk.h"
#include "cli.h"
#include "database.h"
#include "generator.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "scan.h"
#include "tasks.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

struct DrawBenchArgs {
  std::uint64_t subjects = 10000000;
  std::uint64_t inspectors = 2000;
  std::uint64_t seed = 11;
  std::string dir = "bench-draw";
  std::string pg_url;
  bool skip_whole = false;
};

double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

double CurrentRssMb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double Since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool Run(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv) cmd += "'" + a + "' ";
  std::cout << "  $ " << cmd << "\n" << std::flush;
  return std::system(cmd.c_str()) == 0;
}

std::int64_t Count(Database& db, const std::string& sql) {
  std::int64_t n = 0;
  Status st = ScanRows(db, sql, {}, [&](const ScanRow& r) {
    n = std::stoll(std::string(r.values[0]));
    return false;
  });
  return st.ok() ? n : -1;
}

// Creates the directory in `url` unless it is there already.
bool EnsureDirectory(const std::string& self, const std::string& url, const DrawBenchArgs& a, const std::string& dir) {
  auto db = Database::Open(url);
  if (!db.ok()) {
    PrintError(db.status().message());
    return false;
  }
  const std::int64_t have = Count(*db.value(), "SELECT COUNT(*) FROM subjects");
  const std::int64_t inspectors = Count(*db.value(), "SELECT COUNT(*) FROM inspectors WHERE department = 'SCJG'");
  const std::int64_t items = Count(*db.value(), "SELECT COUNT(*) FROM items WHERE code = 'BENCH-001'");
  db.value().reset();
  if (have < static_cast<std::int64_t>(a.subjects)) {
    const std::string csv = dir + "/subjects.csv";
    if (!std::filesystem::exists(csv)) {
      // Generated in index order, the USCCs are random; sorted, the import appends to the
      // B-trees instead of touching random pages of a table larger than the page cache.
      const std::string raw = dir + "/subjects-unsorted.csv";
      if (!Run({self, "gen", "subjects", "--count", std::to_string(a.subjects), "--seed", std::to_string(a.seed), "-o", raw}))
        return false;
      if (!Run({"sh", "-c", "(head -n 1 \"$0\" && tail -n +2 \"$0\" | LC_ALL=C sort -S 1G) > \"$1\" && rm \"$0\"", raw, csv}))
        return false;
    }
    if (!Run({self, "--db", url, "import", "subjects", csv, "--json", "--no-dispatch"})) return false;
  }
  if (inspectors < static_cast<std::int64_t>(a.inspectors) || items < 1) {
    const std::string deps = dir + "/departments.csv", insp = dir + "/inspectors.csv", item = dir + "/items.csv";
    {
      std::ofstream f(deps);
      f << "code,name,level,jurisdiction\nSCJG,市场监督管理局,province,33\n";
      std::ofstream g(item);
      g << "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,"
           "qualification\nBENCH-001,基准测试抽查事项,SCJG,《企业信息公示暂行条例》第十四条,key,1,100,1,,,\n";
    }
    if (!Run({self, "gen", "inspectors", "--count", std::to_string(a.inspectors), "--departments", "1", "--seed",
              std::to_string(a.seed), "-o", insp}))
      return false;
    for (const auto& [kind, file] : std::vector<std::pair<std::string, std::string>>{
             {"departments", deps}, {"inspectors", insp}, {"items", item}})
      if (!Run({self, "--db", url, "import", kind, file, "--json", "--no-dispatch"})) return false;
  }
  return true;
}

// Copies the subjects of one database into another (the PostgreSQL run reuses the SQLite
// directory instead of importing 10,000,000 rows a second time).
Status CopySubjects(Database& from, Database& to) {
  WriteTransaction tx(to);
  if (auto st = tx.Begin(); !st.ok()) return st;
  const std::vector<std::string> cols{"uscc", "name", "type", "region", "industry", "registered_on", "status",
                                      "risk_class", "labels", "address", "digest", "updated_at_us"};
  auto sink = RowSink::Create(to, "subjects", cols);
  if (!sink.ok()) return sink.status();
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + cols[i];
  Status inner = Status::Ok();
  Status st = ScanRows(from, sql + " FROM subjects", {}, [&](const ScanRow& r) {
    Row row;
    for (std::size_t i = 0; i < r.values.size(); ++i)
      row.push_back(r.null[i] ? Cell() : Cell(std::string(r.values[i])));
    inner = sink.value()->Add(row);
    return inner.ok();
  });
  if (!st.ok()) return st;
  if (!inner.ok()) return inner;
  if (auto s = sink.value()->Finish(); !s.ok()) return s;
  return tx.Commit();
}

struct Case {
  std::string name;
  std::uint64_t pool = 0, selected = 0;
  double seconds = 0;
  std::map<std::string, double> steps;
};

void PrintCase(const Case& c, const Case* peer) {
  char line[512];
  std::snprintf(line, sizeof line, "| %-58s | %10llu | %8llu | %8.3f | %5s |", c.name.c_str(),
                static_cast<unsigned long long>(c.pool), static_cast<unsigned long long>(c.selected), c.seconds,
                peer ? std::to_string(c.seconds / peer->seconds).substr(0, 4).c_str() : "");
  std::cout << line << "\n";
}

void PrintSteps(const Case& c) {
  std::cout << "    " << c.name << ":";
  for (const auto& [k, v] : c.steps) {
    char b[64];
    std::snprintf(b, sizeof b, " %s %.3f", k.c_str(), v);
    std::cout << b;
  }
  std::cout << "\n";
}

// One backend: index, prefecture task and peer, whole-directory task.
bool BenchBackend(const std::string& label, const std::string& url, const DrawBenchArgs& a, const Globals& g) {
  auto dbr = Database::Open(url);
  if (!dbr.ok()) {
    PrintError(dbr.status().message());
    return false;
  }
  Database& db = *dbr.value();
  HostOptions ho;
  ho.search_dirs = g.plugin_dirs.empty() ? DefaultPluginDirs() : g.plugin_dirs;
  ho.required = {"draw"};
  PluginHost host(ho);
  if (auto st = host.LoadAll(); !st.ok()) {
    PrintError(st.message());
    return false;
  }
  // The task tables come from the draw plugin's migrations, as `xinjian init` makes them.
  if (auto st = MigratePlugins(db, host, false); !st.ok()) {
    PrintError(st.message());
    return false;
  }

  // The platform the draws run on: the host's, on this database; its subject index is loaded
  // here (the first Platform::Subjects) and caught up at each announce.
  PlatformImpl& platform = host.platform();
  AttachedDatabase attached(platform, db);
  std::cout << "\n[" << label << "] 加载内存索引 / loading the in-memory subject index...\n" << std::flush;
  const double rss0 = CurrentRssMb();
  auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, std::uint64_t> per_pref;
  std::uint64_t want = 0;
  double load_s = 0;
  {
    auto index = platform.Subjects();
    if (!index.ok()) {
      PrintError(index.status().message());
      return false;
    }
    load_s = Since(t0);
    std::printf("  %zu subjects in %.1f s; index %.0f MB (arrays), process RSS %.0f MB (+%.0f MB)\n", index.value()->size(),
                load_s, static_cast<double>(index.value()->MemoryBytes()) / 1048576.0, CurrentRssMb(),
                CurrentRssMb() - rss0);
    // The prefecture nearest to a tenth of the directory.
    index.value()->Scan({}, [&](std::size_t, const SubjectFacts& f) {
      if (f.status == "active") ++per_pref[std::string(f.region.substr(0, 4))];
    });
    want = index.value()->size() / 10;
  }  // the lease ends before the draws (which catch the index up)
  std::string pref;
  std::uint64_t best = UINT64_MAX;
  for (const auto& [p, n] : per_pref) {
    const std::uint64_t d = n > want ? n - want : want - n;
    if (p.substr(0, 2) == "33" && d < best) {
      best = d;
      pref = p;
    }
  }

  draw::TaskContext ctx;
  ctx.platform = &platform;
  ctx.principal = Principal::System("bench");
  ctx.subject_index = true;
  auto make_spec = [&](const std::string& title, const std::vector<std::string>& regions) {
    draw::TaskSpec s;
    s.title = title;
    s.department = "SCJG";
    s.items = {"BENCH-001"};
    s.filters.regions = regions;
    s.strata = draw::StrataKind::kRiskClass;
    const auto& preset = draw::BuiltinRatioPresets().at("henan-2020");
    draw::RatioRule rule = preset.rule;
    rule.ppm["none"] = rule.ppm["A"];  // subjects without a class: the lowest ratio
    s.rule = rule;
    s.slots = {draw::Slot{"SCJG", 2}};
    s.entropy_source = "bench";
    s.exclusions.open_tasks = draw::OpenTasks::kNone;
    s.exclusions.same_item_within_days = 0;
    return s;
  };
  std::vector<std::string> created;
  auto run_task = [&](const std::string& name, const draw::TaskSpec& spec, Case* c) -> bool {
    auto t = draw::CreateTask(ctx, spec);
    if (!t.ok()) {
      PrintError(t.status().message());
      return false;
    }
    created.push_back(t.value().id);
    c->name = name;
    ctx.timings = &c->steps;
    auto start = std::chrono::steady_clock::now();
    auto an = draw::AnnounceTask(ctx, t.value().id);
    if (!an.ok()) {
      PrintError(an.status().message());
      return false;
    }
    auto dr = draw::DrawTask(ctx, t.value().id, "7.8.11.17.19.25.46./");
    c->seconds = Since(start);
    ctx.timings = nullptr;
    if (!dr.ok()) {
      PrintError(dr.status().message());
      return false;
    }
    c->pool = static_cast<std::uint64_t>(dr.value().pool_size);
    c->selected = 0;
    auto alloc = nlohmann::json::parse(dr.value().allocation_json);
    for (auto it = alloc.begin(); it != alloc.end(); ++it) c->selected += it.value().get<std::uint64_t>();
    return true;
  };

  Case ours;
  if (!run_task("xinjian announce + draw + teams + persist, prefecture " + pref, make_spec("bench " + pref, {pref}), &ours))
    return false;
  // The peer, with our allocation per stratum.
  Case peer;
  peer.name = "peer: ORDER BY random() LIMIT k per stratum";
  peer.pool = ours.pool;
  {
    auto t = draw::LoadTask(platform, created.back());
    auto alloc = nlohmann::json::parse(t.value().allocation_json);
    std::string hi = pref;
    hi.back() = static_cast<char>(hi.back() + 1);
    const std::string random_fn = "random()";  // the same spelling on SQLite and PostgreSQL
    auto start = std::chrono::steady_clock::now();
    for (auto it = alloc.begin(); it != alloc.end(); ++it) {
      const std::string cls = it.key();
      const std::string where = cls == "none" ? "risk_class IS NULL" : "risk_class = '" + cls + "'";
      std::uint64_t got = 0;
      Status st = ScanRows(db,
                           "SELECT uscc FROM subjects WHERE region >= ? AND region < ? AND status = 'active' AND " + where +
                               " ORDER BY " + random_fn + " LIMIT " + std::to_string(it.value().get<std::uint64_t>()),
                           {pref, hi}, [&](const ScanRow&) {
                             ++got;
                             return true;
                           });
      if (!st.ok()) {
        PrintError(st.message());
        return false;
      }
      peer.selected += got;
    }
    peer.seconds = Since(start);
  }
  Case whole;
  bool whole_ok = a.skip_whole || run_task("xinjian announce + draw + teams + persist, whole directory",
                                           make_spec("bench whole", {}), &whole);
  const double peak = PeakRssMb();

  std::cout << "\n| case                                                       |       pool | selected |        s | ratio |\n"
            << "|------------------------------------------------------------|------------|----------|----------|-------|\n";
  PrintCase(peer, nullptr);
  PrintCase(ours, &peer);
  if (!a.skip_whole && whole_ok) PrintCase(whole, nullptr);
  std::cout << "  steps (s):\n";
  PrintSteps(ours);
  if (!a.skip_whole && whole_ok) PrintSteps(whole);
  std::printf("  index load %.1f s; peak RSS of this process (index + draws) %.0f MB\n", load_s, peak);
  std::cout << "  目标 / targets: prefecture ≤ 1.5 s and ratio ≤ 1.0; whole directory ≤ 8 s; peak RSS ≤ 2048 MB\n";

  for (const auto& id : created) (void)draw::CancelTask(ctx, id, "基准测试结束 / benchmark finished");
  return whole_ok;
}

}  // namespace

void RegisterBenchDrawCommand(CLI::App& app, Globals& g) {
  CLI::App* bench = app.get_subcommand("bench");
  static DrawBenchArgs a;
  auto* cmd = bench->add_subcommand("draw", "省级规模抽取 / a province-scale draw vs ORDER BY random() LIMIT k");
  cmd->add_option("--subjects", a.subjects, "名录主体数 / subjects in the directory (default 10000000)");
  cmd->add_option("--inspectors", a.inspectors, "检查人员数 / inspectors (default 2000)");
  cmd->add_option("--seed", a.seed, "随机种子 / generator seed (default 11)");
  cmd->add_option("--dir", a.dir, "工作目录，数据在其中复用 / work folder; its data is reused (default bench-draw)");
  cmd->add_option("--pg", a.pg_url, "同时测 PostgreSQL / also run against this PostgreSQL server URL (a database is created)")
      ->envname("XINJIAN_BENCH_PG");
  cmd->add_flag("--skip-whole", a.skip_whole, "不做全名录抽取 / skip the whole-directory draw");
  cmd->callback([&g] {
    namespace fs = std::filesystem;
    fs::create_directories(a.dir);
    const std::string dir = fs::absolute(a.dir).string();
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const std::string url = "sqlite:" + dir + "/draw.db";
    std::cout << "准备数据 / preparing the directory in " << dir << " (reused when present)\n";
    if (!EnsureDirectory(self, url, a, dir)) {
      g_exit_code = kExitFailure;
      return;
    }
    if (!BenchBackend("SQLite", url, a, g)) g_exit_code = kExitFailure;
    if (!a.pg_url.empty()) {
      const std::string name = "xj_bench_draw";
      const auto slash = a.pg_url.rfind('/');
      const std::string pg_db = a.pg_url.substr(0, slash + 1) + name;
      Run({"psql", "-q", "-X", a.pg_url, "-c", "DROP DATABASE IF EXISTS " + name});
      Run({"psql", "-q", "-X", a.pg_url, "-c", "CREATE DATABASE " + name});
      {
        auto from = Database::Open(url);
        auto to = Database::Open(pg_db);
        if (!from.ok() || !to.ok()) {
          PrintError(!from.ok() ? from.status().message() : to.status().message());
          g_exit_code = kExitFailure;
          return;
        }
        std::cout << "\n复制名录到 PostgreSQL / copying the directory to PostgreSQL...\n" << std::flush;
        auto t0 = std::chrono::steady_clock::now();
        if (auto st = CopySubjects(*from.value(), *to.value()); !st.ok()) {
          PrintError(st.message());
          g_exit_code = kExitFailure;
          return;
        }
        std::printf("  copied in %.1f s\n", Since(t0));
        Run({"psql", "-q", "-X", pg_db, "-c", "ANALYZE subjects"});
      }
      if (!EnsureDirectory(self, pg_db, a, dir) || !BenchBackend("PostgreSQL", pg_db, a, g)) g_exit_code = kExitFailure;
    }
  });
}

}  // namespace xj::cli
