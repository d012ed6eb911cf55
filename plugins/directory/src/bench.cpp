// xinjian bench web: the public API under load, beside nginx serving a static file, in the same
// run (ENGINEERING.md: figures beside a peer).
//
// Setup per backend (reused when the folder already holds it), by running `xinjian` itself: a
// directory of N generated subjects (default 10,000,000), sorted by USCC and imported with
// `xinjian import`; `xinjian init` (the plugins' tables); `xinjian directory index` (timed: the
// index's build time and size are reported). Then:
//   1. `xinjian bench web-prepare` (one process on the database): samples existing codes,
//      makes valid codes that do not exist and 2-4-character Chinese name queries, writes the
//      request paths and a typical answer; measures the database alone (Platform::ReadSingle of one
//      subject, one thread: the ceiling the server's single connection puts on lookups) and the
//      naive name search (LIKE '%q%' on the subjects table) as the search's peer;
//   2. `xinjian serve --no-scheduler --listen 127.0.0.1:0` as a child;
//   3. wrk (Debian package) with a Lua script drawing random paths: GET /api/v1/subjects/{uscc}
//      (80 % existing, 20 % missing codes: 404), then the same against nginx (Debian package, a
//      child with its own configuration in the work folder, on a free port) answering every path
//      with a static JSON file of the size of a typical answer: same connections, threads and
//      duration;
//   4. wrk on GET /api/v1/subjects?q= with the name queries.
// It prints requests per second, p50 and p99 latency for each and the ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "plugin_parts.h"
#include "search_index.h"
#include "search_text.h"
#include "xinjian/bench.h"
#include "xinjian/bench_http.h"
#include "xinjian/command.h"

namespace xj::directory {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Status Fail(const std::string& what) {
  return Status::Error(StatusCode::kInternal, "基准测试失败：" + what, "the benchmark failed: " + what);
}

std::string Fixed(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

using bench::Capture;
using bench::Child;
using bench::RunWrk;
using bench::WrkOptions;

// ---- bench web-prepare: on the database of --db.

// A random well-formed USCC whose first two characters are `head`.
std::string RandomUscc(std::mt19937_64& rng, const std::string& head) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  std::string s = head;
  while (s.size() < 17) s += kAlphabet[rng() % kAlphabet.size()];
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += static_cast<int>(kAlphabet.find(s[i])) * kWeights[i];
  s += kAlphabet[static_cast<std::size_t>((31 - sum % 31) % 31)];
  return s;
}

bool IsHan(std::uint32_t cp) { return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF); }

Status PrepareCommand(CommandContext& ctx) {
  Platform& platform = ctx.platform();
  const std::string out_dir = ctx.args().Text("--out");
  const std::int64_t count = ctx.args().Int("--count");
  std::mt19937_64 rng(static_cast<std::uint64_t>(ctx.args().Int("--seed")));
  fs::create_directories(out_dir);
  // Valid two-character heads for the codes that do not exist: those of the directory.
  std::vector<std::string> heads;
  Status st = platform.Read([&](Sql& sql) {
    for (const char* first : {"1", "5", "9", "Y"}) {
      for (char second : std::string("0123456789ABCDEFGHJKLMNPQRTUWXY")) {
        const std::string h = std::string(first) + second;
        auto e = sql.Exists("SELECT 1 FROM subjects WHERE uscc >= ? AND uscc < ? LIMIT 1", {h, h + "Z"});
        if (!e.ok()) return e.status();
        if (e.value()) heads.push_back(h);
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (heads.empty()) return Status::Error(StatusCode::kFailedPrecondition, "名录为空", "the directory is empty");
  std::vector<std::string> existing, missing, queries;
  std::string typical;
  st = platform.Read([&](Sql& sql) -> Status {
    // A uniform sample of the subjects: random rowids on SQLite (the import appends, so they
    // are dense), a Bernoulli sample on PostgreSQL (one scan of the table).
    std::vector<std::pair<std::string, std::string>> sample;  // uscc, name
    auto keep = [&](const SqlRow& r) {
      sample.emplace_back(r.Text(0), r.Text(1));
      return true;
    };
    if (sql.dialect() == SqlDialect::kSqlite) {
      auto hi = sql.QueryInt("SELECT COALESCE(MAX(rowid), 0) FROM subjects");
      if (!hi.ok()) return hi.status();
      std::set<std::int64_t> picked;
      for (std::int64_t i = 0; i < count * 2 && static_cast<std::int64_t>(picked.size()) < count; ++i)
        picked.insert(1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(std::max<std::int64_t>(1, hi.value()))));
      for (std::int64_t id : picked)
        if (Status q = sql.Query("SELECT uscc, name FROM subjects WHERE rowid >= ? ORDER BY rowid LIMIT 1", {id}, keep);
            !q.ok())
          return q;
    } else {
      auto n = sql.QueryInt("SELECT GREATEST(reltuples, 1)::bigint FROM pg_class WHERE oid = 'subjects'::regclass");
      if (!n.ok()) return n.status();
      const double pct = std::min(100.0, 100.0 * 1.2 * static_cast<double>(count) / static_cast<double>(std::max<std::int64_t>(1, n.value())));
      if (Status q = sql.Query("SELECT uscc, name FROM subjects TABLESAMPLE BERNOULLI (" + Fixed(pct, 6) + ") REPEATABLE (" +
                                   std::to_string(rng() % 1000000) + ")",
                               {}, keep);
          !q.ok())
        return q;
    }
    std::shuffle(sample.begin(), sample.end(), rng);
    std::set<std::string> seen;
    for (const auto& [uscc, name] : sample) {
      if (static_cast<std::int64_t>(existing.size()) >= count) break;
      if (!seen.insert(uscc).second) continue;
      existing.push_back(uscc);
      // A 2-, 3- or 4-character run of Chinese characters of its name.
      std::vector<std::uint32_t> cps;
      std::vector<std::size_t> at;
      DecodeUtf8(name, &cps, &at);
      const std::size_t len = 2 + rng() % 3;
      if (cps.size() < len) continue;
      const std::size_t from = rng() % (cps.size() - len + 1);
      bool han = true;
      for (std::size_t k = from; k < from + len; ++k) han = han && IsHan(cps[k]);
      if (han) queries.push_back(name.substr(at[from], at[from + len] - at[from]));
    }
    if (existing.empty()) return Status::Error(StatusCode::kFailedPrecondition, "名录为空", "the directory is empty");
    // One missing code for four existing ones: 20 % of the paths answer 404.
    const std::size_t want_missing = std::max<std::size_t>(1, existing.size() / 4);
    for (std::int64_t i = 0; missing.size() < want_missing && i < count * 4; ++i) {
      const std::string u = RandomUscc(rng, heads[rng() % heads.size()]);
      auto f = FindPublicSubject(sql, u);
      if (!f.ok()) return f.status();
      if (!f.value()) missing.push_back(u);
    }
    auto one = FindPublicSubject(sql, existing.front());
    if (!one.ok()) return one.status();
    json j{{"uscc", one.value()->uscc}, {"name", one.value()->name}, {"type", one.value()->type},
           {"region", one.value()->region}, {"registered_on", one.value()->registered_on},
           {"status", one.value()->status},
           {"address", one.value()->address ? json(*one.value()->address) : json(nullptr)}};
    typical = j.dump(-1, ' ', false, json::error_handler_t::replace);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  {
    std::ofstream lookups(out_dir + "/lookup-paths.txt");
    for (const auto& u : existing) lookups << "/api/v1/subjects/" << u << "\n";
    for (const auto& u : missing) lookups << "/api/v1/subjects/" << u << "\n";  // 20 % of the paths: 404
    std::ofstream search(out_dir + "/search-paths.txt");
    for (const auto& q : queries) search << "/api/v1/subjects?q=" << UrlEncode(q) << "&limit=20\n";
    std::ofstream(out_dir + "/subject.json") << typical;
  }
  // The database alone: one thread, one lookup per ReadSingle, as the server's handler does.
  std::int64_t lookups = 0;
  const auto t0 = std::chrono::steady_clock::now();
  while (bench::SecondsSince(t0) < 2.0) {
    const std::string& u = existing[static_cast<std::size_t>(lookups) % existing.size()];
    auto f = ReadSingleValue<std::optional<PublicSubject>>(platform, [&](Sql& sql) { return FindPublicSubject(sql, u); });
    if (!f.ok()) return f.status();
    ++lookups;
  }
  const double db_rate = static_cast<double>(lookups) / bench::SecondsSince(t0);
  // The peer of the name search: LIKE '%q%' on the subjects table, as a naive system does.
  std::vector<double> naive_ms;
  const std::int64_t naive_n = ctx.args().Int("--naive");
  for (std::int64_t i = 0; i < naive_n && i < static_cast<std::int64_t>(queries.size()); ++i) {
    const auto q0 = std::chrono::steady_clock::now();
    std::int64_t n = 0;
    Status q = platform.Read([&](Sql& sql) {
      return sql.Query("SELECT uscc FROM subjects WHERE name LIKE ? LIMIT ?",
                       {"%" + queries[static_cast<std::size_t>(i)] + "%", kSearchCap + 1}, [&](const SqlRow&) {
                         ++n;
                         return true;
                       });
    });
    if (!q.ok()) return q;
    naive_ms.push_back(bench::SecondsSince(q0) * 1000.0);
  }
  std::sort(naive_ms.begin(), naive_ms.end());
  // The same queries through our index, in process (without HTTP), for the record.
  std::vector<double> ours_ms;
  for (std::size_t i = 0; i < queries.size() && i < 2000; ++i) {
    auto parsed = ParseQuery(queries[i]);
    if (!parsed.ok()) continue;
    const auto q0 = std::chrono::steady_clock::now();
    auto r = ReadValue<SearchResult>(platform, [&](Sql& sql) { return Search(sql, parsed.value(), 20, 0); });
    if (!r.ok()) return r.status();
    ours_ms.push_back(bench::SecondsSince(q0) * 1000.0);
  }
  std::sort(ours_ms.begin(), ours_ms.end());
  auto pct = [](const std::vector<double>& v, double p) {
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
  };
  json report{{"existing", existing.size()},
              {"missing", missing.size()},
              {"queries", queries.size()},
              {"typical_bytes", typical.size()},
              {"db_lookups_per_s", db_rate},
              {"naive_queries", naive_ms.size()},
              {"naive_p50_ms", pct(naive_ms, 0.5)},
              {"naive_max_ms", naive_ms.empty() ? 0.0 : naive_ms.back()},
              {"index_queries", ours_ms.size()},
              {"index_p50_ms", pct(ours_ms, 0.5)},
              {"index_p99_ms", pct(ours_ms, 0.99)},
              {"index_max_ms", ours_ms.empty() ? 0.0 : ours_ms.back()}};
  ctx.out() << report.dump() << "\n";
  return Status::Ok();
}

// ---- bench web: the whole run.

using Backend = bench::BenchBackend;

Status EnsureData(std::ostream& out, const std::string& self, const std::string& dir, const Backend& b,
                  std::int64_t subjects, std::int64_t seed) {
  if (fs::exists(b.marker)) return Status::Ok();
  const std::string csv = dir + "/subjects-" + std::to_string(subjects) + "-" + std::to_string(seed) + ".csv";
  if (!fs::exists(csv)) {
    // Sorted by USCC, the import appends to the B-trees (as bench draw does).
    const std::string raw = dir + "/subjects-unsorted.csv";
    if (!bench::RunEchoed(out, {self, "gen", "subjects", "--count", std::to_string(subjects), "--seed",
                                std::to_string(seed), "-o", raw}))
      return Fail("gen subjects");
    if (!bench::RunEchoed(out, {"sh", "-c",
                                "(head -n 1 \"$0\" && tail -n +2 \"$0\" | LC_ALL=C sort -S 1G) > \"$1\" && rm \"$0\"",
                                raw, csv}))
      return Fail("sort");
  }
  if (!bench::RunEchoed(out, {self, "--db", b.url, "init"})) return Fail("init");
  if (!bench::RunEchoed(out, {self, "--db", b.url, "import", "subjects", csv, "--json", "--no-dispatch"}))
    return Fail("import subjects");
  // The index, timed in a process of its own (its --json answer carries its size).
  const auto t0 = std::chrono::steady_clock::now();
  auto index = Capture(out, {self, "--db", b.url, "directory", "index", "--json"});
  if (!index) return Fail("directory index");
  json j = json::parse(*index, nullptr, false);
  if (!j.is_object()) return Fail("directory index: " + *index);
  j["wall_seconds"] = bench::SecondsSince(t0);
  std::ofstream(b.marker) << j.dump() << "\n";
  return Status::Ok();
}

Status WebBench(CommandContext& ctx) {
  std::ostream& out = ctx.out();
  const std::int64_t subjects = ctx.args().Int("--subjects"), seed = ctx.args().Int("--seed");
  // A bad option is a usage error (exit 2), said before anything is made.
  const auto usage = [&](const std::string& zh, const std::string& en) {
    ctx.SetExitCode(2);
    return Status::Error(StatusCode::kInvalidArgument, zh, en);
  };
  if (subjects < 100 || subjects > 100000000) return usage("--subjects 须为 100 至 1 亿", "--subjects must be 100 to 100,000,000");
  auto http_options = bench::ReadHttpBenchOptions(ctx.args(), out);
  if (!http_options.ok()) {
    ctx.SetExitCode(2);
    return http_options.status();
  }
  const WrkOptions wo = http_options->wrk;
  const bench::CpuPlan cpus = http_options->cpus;
  const std::int64_t web_threads = http_options->web_threads, db_connections = http_options->db_connections;
  if (ctx.args().Int("--sample") < 10 || ctx.args().Int("--sample") > 1000000)
    return usage("--sample 须为 10 至 100 万", "--sample must be 10 to 1,000,000");
  if (ctx.args().Int("--naive") < 0 || ctx.args().Int("--naive") > 1000)
    return usage("--naive 须为 0 至 1000", "--naive must be 0 to 1000");
  fs::create_directories(ctx.args().Text("--dir"));
  const std::string dir = fs::absolute(ctx.args().Text("--dir")).string();
  const std::string self = bench::SelfExecutable();
  const std::string tag = std::to_string(subjects) + "-" + std::to_string(seed);
  // One PostgreSQL database per directory size and seed, as the marker in --dir is (a
  // 100,000-subject run must not find the 10,000,000 subjects of another folder).
  auto found = bench::BenchBackends(out, ctx.args(), dir, "web.db", "xj_bench_web", subjects, seed, tag);
  if (!found.ok()) return found.status();
  const std::vector<Backend> backends = std::move(found).value();
  const std::string script = dir + "/paths.lua";
  std::ofstream(script) << bench::kWrkScript;
  out << "准备数据 / preparing the directory in " << dir << " (reused when present)\n";
  for (const Backend& b : backends) {
    if (Status st = EnsureData(out, self, dir, b, subjects, seed); !st.ok()) return st;
    if (b.label == "PostgreSQL") bench::RunEchoed(out, {"psql", "-q", "-X", b.url, "-c", "ANALYZE subjects"});
    json index = json::parse(std::ifstream(b.marker), nullptr, false);
    const std::string work = dir + "/run-" + (b.label == "SQLite" ? std::string("sqlite") : std::string("pg"));
    auto prep = Capture(out, {self, "--db", b.url, "bench", "web-prepare", "--out", work, "--count",
                              std::to_string(ctx.args().Int("--sample")), "--seed", std::to_string(seed), "--naive",
                              std::to_string(ctx.args().Int("--naive"))});
    if (!prep) return Fail("web-prepare");
    json p = json::parse(*prep, nullptr, false);
    if (!p.is_object()) return Fail("web-prepare: " + *prep);

    // The server, and nginx answering the same paths with a static file of a typical answer's size.
    Child serve;
    auto base_r =
        bench::StartServe(serve,
                          bench::OnCpus(cpus.server, {self, "--db", b.url, "serve", "--no-scheduler", "--listen",
                                                      "127.0.0.1:0", "--web-threads", std::to_string(web_threads),
                                                      "--db-connections", std::to_string(db_connections)}),
                          work + "/serve.log");
    if (!base_r.ok()) return base_r.status();
    const std::string base = base_r.value();
    const std::string ngx = work + "/nginx";
    Child nginx;
    auto peer_r = bench::StartNginxPeer(nginx, ngx, work + "/subject.json", cpus);
    if (!peer_r.ok()) return peer_r.status();
    const std::string peer_base = peer_r.value();

    out << "\n[" << b.label << "] " << subjects << " subjects, wrk -t" << wo.threads << " -c" << wo.connections << " -d"
        << wo.seconds << "s, serve --web-threads " << web_threads << " --db-connections " << db_connections << "; "
        << bench::DescribeCpus(cpus) << "\n"
        << std::flush;
    WrkOptions warm = wo;
    warm.seconds = std::min(2, wo.seconds);
    (void)RunWrk(out, "warm-up", base, script, {work + "/lookup-paths.txt"}, warm, -1);
    auto ours = RunWrk(out, "xinjian GET /api/v1/subjects/{uscc}", base, script, {work + "/lookup-paths.txt"}, wo, serve.pid());
    if (!ours.ok()) return ours.status();
    (void)RunWrk(out, "warm-up", peer_base, script, {work + "/lookup-paths.txt"}, warm, -1);
    auto peer = RunWrk(out, "peer: nginx, static file of the same size", peer_base, script, {work + "/lookup-paths.txt"},
                       wo, nginx.pid());
    if (!peer.ok()) return peer.status();
    nginx.Stop();
    if (peer->non2xx > 0)
      return Fail("nginx answered " + std::to_string(peer->non2xx) + " requests with an error: not a fair peer (" + ngx +
                  "/error.log)");
    (void)RunWrk(out, "warm-up", base, script, {work + "/search-paths.txt"}, warm, -1);
    auto search = RunWrk(out, "xinjian GET /api/v1/subjects?q= (2-4 Chinese)", base, script, {work + "/search-paths.txt"},
                         wo, serve.pid());
    if (!search.ok()) return search.status();
    serve.Stop();

    bench::PrintLoadHead(out);
    bench::PrintLoad(out, peer.value(), nullptr);
    bench::PrintLoad(out, ours.value(), &peer.value());
    bench::PrintLoad(out, search.value(), nullptr);
    out << "  non-2xx of the lookups: the missing codes (404), about 20 % of the paths by design\n";
    out << "  database alone (Platform::ReadSingle of one subject, one thread): " << Fixed(p["db_lookups_per_s"].get<double>(), 0)
        << " lookups/s — one connection's ceiling; serve reads on --db-connections of them at once\n";
    out << "  name search in process (" << p["index_queries"] << " queries, no HTTP): p50 "
        << Fixed(p["index_p50_ms"].get<double>(), 2) << " ms, p99 " << Fixed(p["index_p99_ms"].get<double>(), 2)
        << " ms, max " << Fixed(p["index_max_ms"].get<double>(), 1) << " ms; peer: LIKE '%q%' on subjects ("
        << p["naive_queries"] << " queries) p50 " << Fixed(p["naive_p50_ms"].get<double>(), 1) << " ms, max "
        << Fixed(p["naive_max_ms"].get<double>(), 1) << " ms\n";
    if (index.is_object())
      out << "  index: " << index.value("indexed", 0) << " subjects, "
          << Fixed(static_cast<double>(index.value("bytes", std::int64_t{-1})) / 1048576.0, 0) << " MB, built in "
          << Fixed(index.value("wall_seconds", 0.0), 0) << " s (`directory index`, its own process)\n";
    out << "  目标 / targets: lookups ≥ 15,000 req/s, p99 ≤ 5 ms, ratio ≥ 0.5; name search p99 ≤ 50 ms\n" << std::flush;
  }
  return Status::Ok();
}

}  // namespace

Status RegisterBench(Registrar& reg) {
  {
    CommandSpec spec;
    spec.path = {"bench", "web"};
    spec.help = "公开 API 压测，对照 nginx 静态文件 / the public API under load (wrk) beside nginx serving a static file";
    spec.options = {
        Opt("--subjects", "名录主体数 / subjects in the directory", OptionKind::kInteger, false, "10000000"),
        Opt("--seed", "随机种子 / generator seed", OptionKind::kInteger, false, "11"),
        Opt("--dir", "工作目录，数据在其中复用 / work folder; its data is reused", OptionKind::kText, false,
            "bench-web"),
        Opt("--pg",
            "同时测 PostgreSQL（创建数据库 xj_bench_web_N_SEED）/ also run against this PostgreSQL server URL (the "
            "database xj_bench_web_N_SEED is created; env XINJIAN_BENCH_PG)"),
        Opt("--duration", "每次压测秒数 / seconds per wrk run", OptionKind::kInteger, false, "10"),
        Opt("--connections", "并发连接数 / connections", OptionKind::kInteger, false, "32"),
        Opt("--threads", "wrk 线程数（0：wrk 每个处理器一个） / wrk threads (0: one per CPU wrk runs on)",
            OptionKind::kInteger, false, "2"),
        Opt("--web-threads",
            "serve 的网站线程数（0：连接数加 2）/ the server's web threads (0: the connections plus 2)",
            OptionKind::kInteger, false, "0"),
        Opt("--db-connections", "serve 的数据库连接数 / the server's database connections", OptionKind::kInteger, false,
            "4"),
        Opt("--cpus",
            "split：wrk 与服务端各用一半处理器；shared：共用 / split: wrk on half the CPUs, the servers on the rest; "
            "shared: all on every CPU",
            OptionKind::kText, false, "shared", {"split", "shared"}),
        Opt("--sample", "抽样的代码与查询数 / codes and queries sampled", OptionKind::kInteger, false, "10000"),
        Opt("--naive", "朴素查询（LIKE）的次数 / naive LIKE queries timed", OptionKind::kInteger, false, "10")};
    spec.json = false;
    spec.needs_database = false;  // its own databases, in --dir and on --pg
    if (Status st = reg.AddCommand(spec, WebBench); !st.ok()) return st;
  }
  CommandSpec spec;
  spec.path = {"bench", "web-prepare"};
  spec.help = "bench web 的准备：抽样并测量数据库 / bench web's preparation on the database of --db: samples, measures";
  spec.options = {Opt("--out", "输出目录 / output folder", OptionKind::kText, true),
                  Opt("--count", "抽样数 / sample size", OptionKind::kInteger, false, "10000"),
                  Opt("--seed", "随机种子 / seed", OptionKind::kInteger, false, "11"),
                  Opt("--naive", "朴素查询次数 / naive queries", OptionKind::kInteger, false, "10")};
  spec.json = false;
  return reg.AddCommand(spec, PrepareCommand);
}

}  // namespace xj::directory
