// xinjian bench draw: a province-scale draw beside the naive peer, in the same run.
//
// Setup (reused between runs when the folder already holds the data), by running `xinjian`
// itself: a directory of N generated subjects (default 10,000,000) sorted by USCC and
// imported with `xinjian import`, department SCJG (jurisdiction 33), 2,000 SCJG inspectors,
// one item without restrictions. Then `xinjian bench draw-run` measures one backend in a
// process of its own (so that its peak RSS is the draw's): the in-memory subject index is
// loaded; a task over the prefecture nearest to N/10 subjects, stratified by risk class with
// the Henan 2020 ratios and teams of 2, is announced and drawn (pool frozen, secret,
// commitment, tickets, selection, teams, everything persisted) and timed; the peer runs per
// stratum
//   SELECT uscc FROM subjects WHERE <prefecture> AND status = 'active' AND risk_class = ?
//   ORDER BY random() LIMIT k
// on the same database, as existing systems do; then a draw over the whole directory. The
// tasks are cancelled at the end so that the next run sees the same pools.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "tasks.h"
#include "xinjian/bench.h"
#include "xinjian/command.h"

namespace xj::draw {
namespace {

double CurrentRssMb() {
  std::ifstream f("/proc/self/statm");
  long pages = 0, resident = 0;
  f >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

struct Case {
  std::string name;
  std::uint64_t pool = 0, selected = 0;
  double seconds = 0;
  std::map<std::string, double> steps;
};

void PrintCase(std::ostream& out, const Case& c, const Case* peer) {
  char line[512];
  std::snprintf(line, sizeof line, "| %-58s | %10llu | %8llu | %8.3f | %5s |", c.name.c_str(),
                static_cast<unsigned long long>(c.pool), static_cast<unsigned long long>(c.selected), c.seconds,
                peer ? std::to_string(c.seconds / peer->seconds).substr(0, 4).c_str() : "");
  out << line << "\n";
}

void PrintSteps(std::ostream& out, const Case& c) {
  out << "    " << c.name << ":";
  for (const auto& [k, v] : c.steps) {
    char b[64];
    std::snprintf(b, sizeof b, " %s %.3f", k.c_str(), v);
    out << b;
  }
  out << "\n";
}

// bench draw-run: the measured part on the database of --db.
Status MeasureBackend(CommandContext& ctx) {
  std::ostream& out = ctx.out();
  Platform& platform = ctx.platform();
  auto dialect = platform.Dialect();
  if (!dialect.ok()) return dialect.status();
  const std::string label = dialect.value() == SqlDialect::kSqlite ? "SQLite" : "PostgreSQL";
  const bool skip_whole = ctx.args().Flag("--skip-whole");

  // The platform's subject index is loaded here (the first Subjects) and caught up at each
  // announce.
  out << "\n[" << label << "] 加载内存索引 / loading the in-memory subject index...\n" << std::flush;
  const double rss0 = CurrentRssMb();
  auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, std::uint64_t> per_pref;
  std::uint64_t want = 0;
  double load_s = 0;
  {
    auto index = platform.Subjects();
    if (!index.ok()) return index.status();
    load_s = bench::SecondsSince(t0);
    char line[256];
    std::snprintf(line, sizeof line,
                  "  %zu subjects in %.1f s; index %.0f MB (arrays), process RSS %.0f MB (+%.0f MB)\n",
                  index.value()->size(), load_s, static_cast<double>(index.value()->MemoryBytes()) / 1048576.0,
                  CurrentRssMb(), CurrentRssMb() - rss0);
    out << line;
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
  if (pref.empty())
    return Status::Error(StatusCode::kFailedPrecondition, "名录中没有浙江（33）的检查对象",
                         "the directory has no subject in Zhejiang (33)");

  TaskContext tc;
  tc.platform = &platform;
  tc.principal = Principal::System("bench");
  tc.subject_index = true;
  tc.spec_options.regions = &platform.Regions();
  auto make_spec = [&](const std::string& title, const std::vector<std::string>& regions) {
    TaskSpec s;
    s.title = title;
    s.department = "SCJG";
    s.items = {"BENCH-001"};
    s.filters.regions = regions;
    s.strata = StrataKind::kRiskClass;
    const auto& preset = BuiltinRatioPresets().at("henan-2020");
    RatioRule rule = preset.rule;
    rule.ppm["none"] = rule.ppm["A"];  // subjects without a class: the lowest ratio
    s.rule = rule;
    s.slots = {Slot{"SCJG", 2}};
    s.entropy_source = "bench";
    s.exclusions.open_tasks = OpenTasks::kNone;
    s.exclusions.same_item_within_days = 0;
    return s;
  };
  std::vector<std::string> created;
  auto run_task = [&](const std::string& name, const TaskSpec& spec, Case* c) -> Status {
    auto t = CreateTask(tc, spec);
    if (!t.ok()) return t.status();
    created.push_back(t.value().id);
    c->name = name;
    tc.timings = &c->steps;
    auto start = std::chrono::steady_clock::now();
    auto an = AnnounceTask(tc, t.value().id);
    if (!an.ok()) return an.status();
    auto dr = DrawTask(tc, t.value().id, "7.8.11.17.19.25.46./");
    c->seconds = bench::SecondsSince(start);
    tc.timings = nullptr;
    if (!dr.ok()) return dr.status();
    c->pool = static_cast<std::uint64_t>(dr.value().pool_size);
    c->selected = 0;
    auto alloc = nlohmann::json::parse(dr.value().allocation_json);
    for (auto it = alloc.begin(); it != alloc.end(); ++it) c->selected += it.value().get<std::uint64_t>();
    return Status::Ok();
  };
  // The tasks are cancelled whatever happens, so that the next run sees the same pools.
  auto finish = [&](Status st) {
    for (const auto& id : created) (void)CancelTask(tc, id, "基准测试结束 / benchmark finished");
    return st;
  };

  Case ours;
  if (Status st = run_task("xinjian announce + draw + teams + persist, prefecture " + pref,
                           make_spec("bench " + pref, {pref}), &ours);
      !st.ok())
    return finish(st);
  // The peer, with our allocation per stratum.
  Case peer;
  peer.name = "peer: ORDER BY random() LIMIT k per stratum";
  peer.pool = ours.pool;
  {
    auto t = LoadTask(platform, created.back());
    if (!t.ok()) return finish(t.status());
    auto alloc = nlohmann::json::parse(t.value().allocation_json);
    std::string hi = pref;
    hi.back() = static_cast<char>(hi.back() + 1);
    const std::string random_fn = "random()";  // the same spelling on SQLite and PostgreSQL
    auto start = std::chrono::steady_clock::now();
    Status st = platform.Read([&](Sql& sql) -> Status {
      for (auto it = alloc.begin(); it != alloc.end(); ++it) {
        const std::string cls = it.key();
        const std::string where = cls == "none" ? "risk_class IS NULL" : "risk_class = '" + cls + "'";
        Status q =
            sql.Query("SELECT uscc FROM subjects WHERE region >= ? AND region < ? AND status = 'active' AND " + where +
                          " ORDER BY " + random_fn + " LIMIT " + std::to_string(it.value().get<std::uint64_t>()),
                      {pref, hi}, [&](const SqlRow&) {
                        ++peer.selected;
                        return true;
                      });
        if (!q.ok()) return q;
      }
      return Status::Ok();
    });
    if (!st.ok()) return finish(st);
    peer.seconds = bench::SecondsSince(start);
  }
  Case whole;
  if (!skip_whole)
    if (Status st = run_task("xinjian announce + draw + teams + persist, whole directory", make_spec("bench whole", {}),
                             &whole);
        !st.ok())
      return finish(st);
  const double peak = bench::PeakRssMb();

  out << "\n| case                                                       |       pool | selected |        s | ratio |\n"
      << "|------------------------------------------------------------|------------|----------|----------|-------|\n";
  PrintCase(out, peer, nullptr);
  PrintCase(out, ours, &peer);
  if (!skip_whole) PrintCase(out, whole, nullptr);
  out << "  steps (s):\n";
  PrintSteps(out, ours);
  if (!skip_whole) PrintSteps(out, whole);
  char line[256];
  std::snprintf(line, sizeof line, "  index load %.1f s; peak RSS of this process (index + draws) %.0f MB\n", load_s,
                peak);
  out << line << "  目标 / targets: prefecture ≤ 1.5 s and ratio ≤ 1.0; whole directory ≤ 8 s; peak RSS ≤ 2048 MB\n";
  return finish(Status::Ok());
}

// Imports the benchmark's directory into `url` unless the folder records that it is there.
Status EnsureDirectory(std::ostream& out, const std::string& self, const std::string& url, const std::string& dir,
                       const std::string& marker, std::int64_t subjects, std::int64_t inspectors, std::int64_t seed) {
  namespace fs = std::filesystem;
  const auto fail = [](const std::string& what) {
    return Status::Error(StatusCode::kInternal, "准备数据失败：" + what, "preparing the data failed: " + what);
  };
  if (fs::exists(marker)) return Status::Ok();
  if (!bench::RunEchoed(out, {self, "--db", url, "init"})) return fail("init");
  const std::string deps = dir + "/departments.csv", insp = dir + "/inspectors.csv", item = dir + "/items.csv";
  {
    std::ofstream f(deps);
    f << "code,name,level,jurisdiction\nSCJG,市场监督管理局,province,33\n";
    std::ofstream g(item);
    g << "code,name,department,legal_basis,class,ratio_min,ratio_max,frequency_per_year,target_types,target_labels,"
         "qualification\nBENCH-001,基准测试抽查事项,SCJG,《企业信息公示暂行条例》第十四条,key,1,100,1,,,\n";
  }
  if (!fs::exists(insp) && !bench::RunEchoed(out, {self, "gen", "inspectors", "--count", std::to_string(inspectors), "--departments",
                                      "1", "--seed", std::to_string(seed), "-o", insp}))
    return fail("gen inspectors");
  const std::string csv = dir + "/subjects.csv";
  if (!fs::exists(csv)) {
    // Generated in index order, the USCCs are random; sorted, the import appends to the
    // B-trees instead of touching random pages of a table larger than the page cache.
    const std::string raw = dir + "/subjects-unsorted.csv";
    if (!bench::RunEchoed(out,
             {self, "gen", "subjects", "--count", std::to_string(subjects), "--seed", std::to_string(seed), "-o", raw}))
      return fail("gen subjects");
    if (!bench::RunEchoed(out, {"sh", "-c", "(head -n 1 \"$0\" && tail -n +2 \"$0\" | LC_ALL=C sort -S 1G) > \"$1\" && rm \"$0\"",
                   raw, csv}))
      return fail("sort");
  }
  for (const auto& [kind, file] : std::vector<std::pair<std::string, std::string>>{
           {"departments", deps}, {"inspectors", insp}, {"items", item}, {"subjects", csv}})
    if (!bench::RunEchoed(out, {self, "--db", url, "import", kind, file, "--json", "--no-dispatch"})) return fail("import " + kind);
  std::ofstream(marker) << url << "\n";
  return Status::Ok();
}

}  // namespace

Status RegisterBench(Registrar& reg) {
  {
    CommandSpec spec;
    spec.path = {"bench", "draw"};
    spec.help = "省级规模抽取 / a province-scale draw vs ORDER BY random() LIMIT k";
    spec.options = {
        Opt("--subjects", "名录主体数 / subjects in the directory", OptionKind::kInteger, false, {}, "10000000"),
        Opt("--inspectors", "检查人员数 / inspectors", OptionKind::kInteger, false, {}, "2000"),
        Opt("--seed", "随机种子 / generator seed", OptionKind::kInteger, false, {}, "11"),
        Opt("--dir", "工作目录，数据在其中复用 / work folder; its data is reused", OptionKind::kText, false, {},
            "bench-draw"),
        Opt("--pg",
            "同时测 PostgreSQL（创建数据库 xj_bench_draw）/ also run against this PostgreSQL server URL (the database "
            "xj_bench_draw is created; env XINJIAN_BENCH_PG)"),
        Opt("--skip-whole", "不做全名录抽取 / skip the whole-directory draw", OptionKind::kFlag)};
    spec.json = false;
    spec.needs_database = false;  // its own databases, in --dir and on --pg
    Status st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      namespace fs = std::filesystem;
      std::ostream& out = ctx.out();
      const std::int64_t subjects = ctx.args().Int("--subjects"), inspectors = ctx.args().Int("--inspectors");
      if (subjects < 1000 || subjects > 100000000 || inspectors < 2 || inspectors > 1000000)
        return Status::Error(StatusCode::kInvalidArgument,
                             "--subjects 须为 1000 至 1 亿，--inspectors 须为 2 至 100 万",
                             "--subjects must be 1,000 to 100,000,000 and --inspectors 2 to 1,000,000");
      fs::create_directories(ctx.args().Text("--dir"));
      const std::string dir = fs::absolute(ctx.args().Text("--dir")).string();
      const std::string self = bench::SelfExecutable();
      const std::string tag =
          std::to_string(subjects) + "-" + std::to_string(inspectors) + "-" + std::to_string(ctx.args().Int("--seed"));
      std::vector<std::pair<std::string, std::string>> backends{
          {"sqlite:" + dir + "/draw.db", dir + "/.loaded-sqlite-" + tag}};
      std::string pg = ctx.args().Text("--pg");
      if (pg.empty())
        if (const char* env = std::getenv("XINJIAN_BENCH_PG")) pg = env;
      if (!pg.empty()) {
        const std::string name = "xj_bench_draw";
        const std::string pg_db = pg.substr(0, pg.rfind('/') + 1) + name;
        const std::string marker = dir + "/.loaded-pg-" + tag;
        // A fresh database each run unless this folder loaded it with the same directory.
        if (!fs::exists(marker)) {
          bench::RunEchoed(out, {"psql", "-q", "-X", pg, "-c", "DROP DATABASE IF EXISTS " + name});
          if (!bench::RunEchoed(out, {"psql", "-q", "-X", pg, "-c", "CREATE DATABASE " + name}))
            return Status::Error(StatusCode::kUnavailable, "无法创建 PostgreSQL 数据库 " + name,
                                 "cannot create the PostgreSQL database " + name);
        }
        backends.emplace_back(pg_db, marker);
      }
      out << "准备数据 / preparing the directory in " << dir << " (reused when present)\n";
      for (const auto& [url, marker] : backends) {
        if (Status st = EnsureDirectory(out, self, url, dir, marker, subjects, inspectors, ctx.args().Int("--seed"));
            !st.ok())
          return st;
        if (url.rfind("postgres", 0) == 0) bench::RunEchoed(out, {"psql", "-q", "-X", url, "-c", "ANALYZE subjects"});
        std::vector<std::string> run{self, "--db", url, "bench", "draw-run"};
        if (ctx.args().Flag("--skip-whole")) run.push_back("--skip-whole");
        if (!bench::RunEchoed(out, run))
          return Status::Error(StatusCode::kInternal, "测量失败：" + url, "the measured run failed: " + url);
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  CommandSpec spec;
  spec.path = {"bench", "draw-run"};
  spec.help =
      "bench draw 的一次测量：在 --db 的数据库上（名录已导入）/ one measured run of bench draw, on the database of "
      "--db "
      "(its directory imported)";
  spec.options = {Opt("--skip-whole", "不做全名录抽取 / skip the whole-directory draw", OptionKind::kFlag)};
  spec.json = false;
  return reg.AddCommand(spec, MeasureBackend);
}

}  // namespace xj::draw
