// xinjian bench credit-check (docs/punishment.md, "Speed"): the credit check under load, beside
// nginx serving a static file of the same size, in the same run (ENGINEERING.md).
//
// Setup per backend (reused when the folder already holds it), by running `xinjian` itself:
// N generated subjects (default 10,000,000) sorted by USCC, `init`, the departments the
// measures name, `import subjects`, then `bench credit-check-fill` (one process on the
// database): M generated measures (default 40, proportionate by construction, checked by the
// real import) and one memorandum per list type, an API key for every action, and L listings in
// force (default 500,000) over subjects drawn at random from the directory, copied into the
// plugin's own table of listings in force (as its subscriber keeps it from the lists plugin's
// events) in units of 100,000 rows, with a new index epoch. It writes the requests: 10,000
// checks (30 % listed subjects, 70 % unlisted ones, a random action each) and 20 batches of 1,000
// codes in the same mix.
//
// Then `xinjian serve --no-scheduler` as a child; the first check (which loads the index) timed;
// wrk on GET /api/v1/credit-check with the key, then nginx answering the same requests with a
// static file of the answers' mean size (same threads, connections, duration); then batches of
// 1,000 codes one at a time (wrk -t1 -c1: the batch's own latency). Every answer is logged
// before it is sent: the log's rows before and after are counted and must cover every answer.
#include "xinjian/bench.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "punishment.h"
#include "xinjian/bench_http.h"
#include "xinjian/command.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace xj::punishment {
namespace {
// More databases than this on the benchmark's PostgreSQL server: a note (autovacuum's workers).
constexpr long long kManyDatabases = 50;

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kGetRequests = 10000;
constexpr int kBatches = 20;
constexpr int kBatchSize = 1000;
constexpr double kListedShare = 0.3;

Status Failed(const std::string& what) {
  return Status::Error(StatusCode::kInternal, "基准测试失败：" + what, "the benchmark failed: " + what);
}

const std::vector<std::string>& BenchDepartments() {
  static const std::vector<std::string> k{"SCJG", "CZJ", "FGW", "ZRZYJ", "ZJJ", "FY"};
  return k;
}

// `count` measures over the known actions, proportionate by construction (model.cpp's
// CheckProportionate): deny on black lists, restrict on black and abnormal lists, ease on red ones.
json BenchMeasures(int count) {
  const auto& actions = KnownActions();
  const auto& depts = BenchDepartments();
  json arr = json::array();
  for (int i = 0; i < count; ++i) {
    const int shape = i % 4;
    char code[32];
    std::snprintf(code, sizeof code, "bench_measure_%02d", i + 1);
    std::set<std::string> acts{actions[static_cast<std::size_t>(i) % actions.size()],
                               actions[static_cast<std::size_t>(i * 5 + 3) % actions.size()]};
    json lists = shape == 0   ? json{"serious_illegal", "dishonest_judgment_debtors", "intermediary_ban"}
                 : shape == 1 ? json{"serious_illegal", "intermediary_black"}
                 : shape == 2 ? json{"abnormal_operations"}
                              : json{"red_trustworthy", "intermediary_red"};
    arr.push_back({{"code", code},
                   {"name_zh", std::string("基准措施 ") + std::to_string(i + 1)},
                   {"name_en", std::string("bench measure ") + std::to_string(i + 1)},
                   {"kind", shape == 3 ? "reward" : "punishment"},
                   {"department", depts[static_cast<std::size_t>(i) % depts.size()]},
                   {"legal_basis", "《企业信息公示暂行条例》第十八条"},
                   {"lists", lists},
                   {"actions", json(std::vector<std::string>(acts.begin(), acts.end()))},
                   {"effect", shape == 0   ? "deny"
                              : shape == 3 ? "ease"
                                           : "restrict"},
                   {"published_on", "2026-01-01"}});
  }
  return arr;
}

// One memorandum per list type, naming every measure that applies to it.
json BenchMemoranda(const json& measures) {
  std::map<std::string, std::vector<std::string>> by_list;
  for (const json& m : measures)
    for (const json& l : m["lists"]) by_list[l.get<std::string>()].push_back(m["code"].get<std::string>());
  json arr = json::array();
  for (const auto& [list, codes] : by_list)
    arr.push_back({{"code", "bench_" + list},
                   {"title", "基准测试备忘录（" + list + "）"},
                   {"departments", BenchDepartments()},
                   {"signed_on", "2026-01-01"},
                   {"entries", json::array({{{"list", list}, {"measures", codes}}})}});
  return arr;
}

// The list type of the i-th bench listing: mostly 经营异常名录, as in a real province.
const char* BenchList(std::uint64_t r) {
  const std::uint64_t p = r % 100;
  if (p < 55) return "abnormal_operations";
  if (p < 70) return "serious_illegal";
  if (p < 85) return "dishonest_judgment_debtors";
  if (p < 95) return "red_trustworthy";
  if (p < 98) return "intermediary_black";
  if (p < 99) return "intermediary_ban";
  return "intermediary_red";
}

// ---- bench credit-check-fill: on the database of --db.
Status Fill(CommandContext& ctx) {
  Platform& platform = ctx.platform();
  const std::int64_t listings = ctx.args().Int("--listings"), measures_n = ctx.args().Int("--measures");
  const std::string out_dir = ctx.args().Text("--out");
  std::mt19937_64 rng(static_cast<std::uint64_t>(ctx.args().Int("--seed")));
  if (listings < 1 || listings > 50000000 || measures_n < 4 || measures_n > 1000)
    return Status::Error(StatusCode::kInvalidArgument, "--listings 1–5000 万，--measures 4–1000",
                         "--listings 1-50,000,000, --measures 4-1000");
  fs::create_directories(out_dir);
  const auto t0 = std::chrono::steady_clock::now();
  const Principal who = Principal::System("bench");
  const std::string key = NewApiKey();
  const json measures = BenchMeasures(static_cast<int>(measures_n));
  Status st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    auto m = ImportMeasures(platform, uow, "bench-measures.json", measures.dump());
    if (!m.ok()) return m.status();
    auto d = ImportMemoranda(platform, uow, "bench-memoranda.json", BenchMemoranda(measures).dump());
    if (!d.ok()) return d.status();
    // A new key per fill: the previous run's is revoked, as `punishment keys revoke` does.
    auto r =
        uow.sql().Exec("UPDATE punishment_keys SET name = name || '-' || ?, revoked_at_us = ? WHERE name = 'bench'",
                       {std::to_string(uow.now_us()), uow.now_us()});
    if (!r.ok()) return r.status();
    return AddKey(uow, "bench", "bench", BenchDepartments().front(), KnownActions(), key);
  });
  if (!st.ok()) return st;

  // The subjects: L to list and 20,000 not listed, drawn at random from the directory.
  std::vector<std::string> drawn;
  const std::int64_t want = listings + 20000;
  st = platform.Read([&](Sql& sql) -> Status {
    auto total = sql.QueryInt("SELECT COUNT(*) FROM subjects");
    if (!total.ok()) return total.status();
    if (total.value() < want)
      return Status::Error(
          StatusCode::kFailedPrecondition,
          "名录只有 " + std::to_string(total.value()) + " 个主体，少于 " + std::to_string(want),
          "the directory holds " + std::to_string(total.value()) + " subjects, fewer than " + std::to_string(want));
    auto keep = [&](const SqlRow& r) {
      drawn.push_back(r.Text(0));
      return true;
    };
    if (sql.dialect() == SqlDialect::kSqlite) {
      // The import appends: rowids are dense from 1.
      auto hi = sql.QueryInt("SELECT MAX(rowid) FROM subjects");
      if (!hi.ok()) return hi.status();
      std::set<std::int64_t> picked;
      while (static_cast<std::int64_t>(picked.size()) < want)
        picked.insert(1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi.value())));
      for (std::int64_t id : picked)
        if (Status q = sql.Query("SELECT uscc FROM subjects WHERE rowid >= ? ORDER BY rowid LIMIT 1", {id}, keep);
            !q.ok())
          return q;
    } else {
      const double pct = std::min(100.0, 110.0 * static_cast<double>(want) / static_cast<double>(total.value()));
      char q[256];
      std::snprintf(q, sizeof q, "SELECT uscc FROM subjects TABLESAMPLE BERNOULLI (%.6f) REPEATABLE (%llu)", pct,
                    static_cast<unsigned long long>(rng() % 1000000));
      if (Status s = sql.Query(q, {}, keep); !s.ok()) return s;
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::sort(drawn.begin(), drawn.end());
  drawn.erase(std::unique(drawn.begin(), drawn.end()), drawn.end());
  std::shuffle(drawn.begin(), drawn.end(), rng);
  if (static_cast<std::int64_t>(drawn.size()) < listings + 1000)
    return Failed("the sample of the directory is too small (" + std::to_string(drawn.size()) + ")");
  const std::vector<std::string> listed(drawn.begin(), drawn.begin() + listings);
  const std::vector<std::string> unlisted(
      drawn.begin() + listings,
      drawn.begin() + std::min<std::int64_t>(static_cast<std::int64_t>(drawn.size()), listings + 20000));

  // The listings in force, in units of 100,000 rows; the epoch changes, so every index reloads.
  st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    auto n = uow.sql().Exec("DELETE FROM punishment_listings WHERE id LIKE 'BENCH-%'");
    return n.ok() ? Status::Ok() : n.status();
  });
  if (!st.ok()) return st;
  for (std::size_t from = 0; from < listed.size(); from += 100000) {
    st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
      auto w = uow.sql().BulkInsert("punishment_listings", {"id", "list", "uscc", "kind", "state", "starts_on",
                                                            "expires_on", "ended_on", "updated_at_us"});
      if (!w.ok()) return w.status();
      for (std::size_t i = from; i < std::min(listed.size(), from + 100000); ++i) {
        const char* list = BenchList(i * 2654435761u);
        const ListPolicy* p = platform.FindListPolicy(list);
        char id[32];
        std::snprintf(id, sizeof id, "BENCH-%08zu", i + 1);
        if (Status s =
                w.value()->Add({std::string(id), std::string(list), listed[i],
                                std::string(p ? ListKindName(p->kind) : ""), std::string("in_force"),
                                std::string("2026-01-05"), std::string("2029-01-05"), std::string(), uow.now_us()});
            !s.ok())
          return s;
      }
      return w.value()->Finish();
    });
    if (!st.ok()) return st;
  }
  st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    auto n = uow.sql().Exec("UPDATE punishment_state SET epoch = ? WHERE id = 1", {NewApiKey().substr(4, 32)});
    if (!n.ok()) return n.status();
    return Bump(uow, "catalogue", "bench");
  });
  if (!st.ok()) return st;

  // The requests.
  const auto& actions = KnownActions();
  auto pick = [&]() -> const std::string& {
    if (std::uniform_real_distribution<double>(0, 1)(rng) < kListedShare) return listed[rng() % listed.size()];
    return unlisted[rng() % unlisted.size()];
  };
  {
    std::ofstream gets(out_dir + "/get-requests.txt");
    for (int i = 0; i < kGetRequests; ++i)
      gets << "/api/v1/credit-check?uscc=" << pick() << "&action=" << actions[rng() % actions.size()] << "\n";
    std::ofstream batches(out_dir + "/batch-requests.txt");
    for (int i = 0; i < kBatches; ++i) {
      json codes = json::array();
      for (int k = 0; k < kBatchSize; ++k) codes.push_back(pick());
      batches << "/api/v1/credit-check/batch\t"
              << json{{"action", actions[rng() % actions.size()]}, {"usccs", codes}}.dump() << "\n";
    }
    std::ofstream(out_dir + "/key.txt") << key << "\n";
    std::ofstream(out_dir + "/listed.txt") << listed.front() << "\n";
    std::ofstream(out_dir + "/unlisted.txt") << unlisted.front() << "\n";
  }
  ctx.out() << json{{"listings", listed.size()},
                    {"measures", measures.size()},
                    {"fill_seconds", bench::SecondsSince(t0)}}
                   .dump()
            << "\n";
  return Status::Ok();
}

// ---- bench credit-check: the whole run.

using Backend = bench::BenchBackend;

// VmHWM and VmRSS of `pid` in MB.
std::pair<double, double> RssMb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  double hwm = 0, rss = 0;
  while (std::getline(f, line)) {
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::atof(line.c_str() + 6) / 1024.0;
    if (line.rfind("VmRSS:", 0) == 0) rss = std::atof(line.c_str() + 6) / 1024.0;
  }
  return {hwm, rss};
}

Result<std::int64_t> LoggedChecks(std::ostream& out, const std::string& self, const std::string& url) {
  auto text = bench::Capture(out, {self, "--db", url, "bench", "credit-check-count"});
  if (!text) return Failed("credit-check-count");
  return static_cast<std::int64_t>(std::atoll(text->c_str()));
}

Status RunBench(CommandContext& ctx) {
  std::ostream& out = ctx.out();
  const std::int64_t subjects = ctx.args().Int("--subjects"), listings = ctx.args().Int("--listings"),
                     measures = ctx.args().Int("--measures"), seed = ctx.args().Int("--seed");
  const auto usage = [&](const std::string& zh, const std::string& en) {
    ctx.SetExitCode(2);
    return Status::Error(StatusCode::kInvalidArgument, zh, en);
  };
  if (subjects < 2000 || subjects > 100000000)
    return usage("--subjects 须为 2000 至 1 亿", "--subjects must be 2,000 to 100,000,000");
  if (listings < 1 || listings + 20000 > subjects)
    return usage("--listings 须至少为 1，且比主体数少 20000 以上",
                 "--listings must be at least 1 and 20,000 below the subjects");
  if (measures < 4 || measures > 1000) return usage("--measures 须为 4 至 1000", "--measures must be 4 to 1000");
  auto http_options = bench::ReadHttpBenchOptions(ctx.args(), out);
  if (!http_options.ok()) {
    ctx.SetExitCode(2);
    return http_options.status();
  }
  const bench::WrkOptions wo = http_options->wrk;
  const bench::CpuPlan cpus = http_options->cpus;
  const std::int64_t web_threads = http_options->web_threads, db_connections = http_options->db_connections;
  // The checks go to the machine listener (serve --api-listen, its event-driven threads) unless
  // --listener site (the site's CivetWeb threads).
  const bool machine = ctx.args().Text("--listener") != "site";
  const std::int64_t api_threads = ctx.args().Int("--api-threads");
  if (api_threads < 0 || api_threads > 256) return usage("--api-threads 须为 0 至 256", "--api-threads must be 0 to 256");
  fs::create_directories(ctx.args().Text("--dir"));
  const std::string dir = fs::absolute(ctx.args().Text("--dir")).string();
  const std::string self = bench::SelfExecutable();
  const std::string tag = std::to_string(subjects) + "-" + std::to_string(listings) + "-" + std::to_string(measures) +
                          "-" + std::to_string(seed);
  auto found = bench::BenchBackends(out, ctx.args(), dir, "credit-check.db", "xj_bench_cc", subjects, seed, tag);
  if (!found.ok()) return found.status();
  const std::vector<Backend> backends = std::move(found).value();
  out << "准备数据 / preparing the data in " << dir << " (reused when present)\n" << std::flush;
  const std::string csv = dir + "/subjects-" + std::to_string(subjects) + "-" + std::to_string(seed) + ".csv";
  if (!bench::GenSortedSubjects(out, self, csv, subjects, seed)) return Failed("gen subjects");
  {
    std::ofstream deps(dir + "/departments.csv");
    deps << "code,name,level,jurisdiction\n";
    for (const auto& d : BenchDepartments()) deps << d << ",基准部门 " << d << ",province,\n";
  }
  const std::string script = dir + "/requests.lua";
  std::ofstream(script) << bench::kWrkScript;

  struct Row {
    std::string label;
    bench::WrkLoad get, peer, batch;
    double first_s = 0, hwm_mb = 0, rss_mb = 0;
    std::int64_t logged = 0, answered = 0;
  };
  std::vector<Row> rows;
  for (const Backend& b : backends) {
    const std::string work = dir + "/run-" + (b.label == "SQLite" ? std::string("sqlite") : std::string("pg"));
    fs::create_directories(work);
    if (!fs::exists(b.marker)) {
      if (!bench::RunEchoed(out, {self, "--db", b.url, "init"}) ||
          !bench::RunEchoed(out, {self, "--db", b.url, "import", "departments", dir + "/departments.csv", "--json",
                                  "--no-dispatch"}) ||
          !bench::RunEchoed(out, {self, "--db", b.url, "import", "subjects", csv, "--json", "--no-dispatch"}) ||
          !bench::RunEchoed(out,
                            {self, "--db", b.url, "bench", "credit-check-fill", "--listings", std::to_string(listings),
                             "--measures", std::to_string(measures), "--seed", std::to_string(seed), "--out", work}))
        return Failed("preparing " + b.label);
      if (b.label == "PostgreSQL") bench::RunEchoed(out, {"psql", "-q", "-X", b.url, "-c", "VACUUM ANALYZE"});
      std::ofstream(b.marker) << b.url << "\n";
    } else if (!bench::RunEchoed(out, {self, "--db", b.url, "init"})) {
      return Failed("init " + b.label);  // data kept from an older build: its new migrations
    }
    if (b.label == "PostgreSQL") {
      // A server holding many databases (a test suite's leftovers) runs autovacuum workers
      // all the time, on any CPU: the figures measure them too (docs/punishment.md, Speed).
      auto n = bench::Capture(out, {"psql", "-At", "-X", b.url, "-c", "SELECT count(*) FROM pg_database"});
      const long long databases = n ? std::atoll(n->c_str()) : 0;
      if (databases > kManyDatabases)
        out << "  注意：该 PostgreSQL 服务器有 " << databases
            << " 个数据库，自动清理进程会占用处理器，数据偏慢 / note: this PostgreSQL server holds " << databases
            << " databases; its autovacuum workers take CPU time during the runs (drop what is not needed)\n";
    }
    std::string key;
    std::ifstream(work + "/key.txt") >> key;
    const std::string auth = "Authorization: Bearer " + key;

    Row row;
    row.label = b.label;
    bench::Child serve;
    std::vector<std::string> serve_argv{self,           "--db",          b.url,
                                        "serve",        "--no-scheduler", "--listen",
                                        "127.0.0.1:0",  "--web-threads", std::to_string(web_threads),
                                        "--db-connections", std::to_string(db_connections)};
    if (machine)
      serve_argv.insert(serve_argv.end(), {"--api-listen", "127.0.0.1:0", "--api-threads", std::to_string(api_threads)});
    auto base = bench::StartServe(serve, bench::OnCpus(cpus.server, serve_argv), work + "/serve.log", 120,
                                  machine ? "machine listener started" : "web site started");
    if (!base.ok()) return base.status();
    out << "  serve's CPUs (Cpus_allowed_list): " << bench::AllowedCpus(serve.pid()) << "\n";
    // The first check loads the index (every listing in force, the catalogue, the keys).
    std::string listed, unlisted;
    std::ifstream(work + "/listed.txt") >> listed;
    std::ifstream(work + "/unlisted.txt") >> unlisted;
    auto fetch = [&](const std::string& uscc) {
      return bench::Capture(out, {"curl", "-sS", "--fail-with-body", "-H", auth,
                                  base.value() + "/api/v1/credit-check?uscc=" + uscc + "&action=bidding"});
    };
    const auto f0 = std::chrono::steady_clock::now();
    auto first = fetch(listed);
    row.first_s = bench::SecondsSince(f0);
    auto other = fetch(unlisted);
    if (!first || !other) return Failed("the first checks (" + work + "/serve.log)");
    out << "  " << first->substr(0, 300) << (first->size() > 300 ? "…" : "") << "\n";
    // The peer's file: the mean size of the answers in the mix (30 % listed).
    const std::size_t size = static_cast<std::size_t>(kListedShare * static_cast<double>(first->size()) +
                                                      (1 - kListedShare) * static_cast<double>(other->size()));
    {
      std::string body = *other;
      while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
      if (body.size() < size) body.insert(body.size() - 1, size - body.size(), ' ');  // inside the object
      std::ofstream(work + "/answer.json") << body;
    }
    out << "\n[" << b.label << "] " << subjects << " subjects, " << listings << " listings in force, " << measures
        << " measures; wrk -t" << wo.threads << " -c" << wo.connections << " -d" << wo.seconds
        << "s; serve --web-threads " << web_threads << " --db-connections " << db_connections
        << (machine ? "; the machine listener (--api-listen, --api-threads " + std::to_string(api_threads) + ")"
                    : "; the site's listener")
        << "; " << bench::DescribeCpus(cpus) << "\n"
        << std::flush;
    bench::WrkOptions warm = wo;
    warm.seconds = std::min(2, wo.seconds);
    const std::vector<std::string> gets{work + "/get-requests.txt", "GET", auth};
    (void)bench::RunWrk(out, "warm-up", base.value(), script, gets, warm, -1);
    auto logged0 = LoggedChecks(out, self, b.url);
    if (!logged0.ok()) return logged0.status();
    auto ours = bench::RunWrk(out, "xinjian GET /api/v1/credit-check", base.value(), script, gets, wo, serve.pid());
    if (!ours.ok()) return ours.status();
    row.get = ours.value();
    bench::WrkOptions one = wo;
    one.threads = 1;
    one.connections = 1;
    one.seconds = std::max(3, wo.seconds / 2);
    auto batch = bench::RunWrk(out, "xinjian POST /credit-check/batch (1,000)", base.value(), script,
                               {work + "/batch-requests.txt", "POST", auth}, one, serve.pid());
    if (!batch.ok()) return batch.status();
    row.batch = batch.value();
    std::tie(row.hwm_mb, row.rss_mb) = RssMb(serve.pid());
    serve.Stop();
    auto logged1 = LoggedChecks(out, self, b.url);
    if (!logged1.ok()) return logged1.status();
    row.logged = logged1.value() - logged0.value();
    row.answered = (row.get.requests - row.get.non2xx) + (row.batch.requests - row.batch.non2xx) * kBatchSize;

    bench::Child nginx;
    auto peer_base = bench::StartNginxPeer(nginx, work + "/nginx", work + "/answer.json", cpus);
    if (!peer_base.ok()) return peer_base.status();
    out << "  nginx's CPUs (Cpus_allowed_list): " << bench::AllowedCpus(nginx.pid()) << "\n";
    (void)bench::RunWrk(out, "warm-up", peer_base.value(), script, gets, warm, -1);
    auto peer = bench::RunWrk(out, "peer: nginx, static file of the same size", peer_base.value(), script, gets, wo,
                              nginx.pid());
    if (!peer.ok()) return peer.status();
    nginx.Stop();
    if (peer->non2xx > 0)
      return Failed("nginx answered " + std::to_string(peer->non2xx) + " requests with an error: not a fair peer (" +
                    work + "/nginx/error.log)");
    row.peer = peer.value();
    if (row.get.non2xx > 0 || row.batch.non2xx > 0)
      return Failed("the credit check answered " + std::to_string(row.get.non2xx + row.batch.non2xx) +
                    " requests with an error (" + work + "/serve.log)");

    bench::PrintLoadHead(out);
    bench::PrintLoad(out, row.peer, nullptr);
    bench::PrintLoad(out, row.get, &row.peer);
    bench::PrintLoad(out, row.batch, nullptr);
    char line[512];
    std::snprintf(line, sizeof line,
                  "  answer size %zu bytes (mean of the mix; nginx's file the same); the first check, loading the "
                  "index: %.2f s; serve's memory: peak %.0f MB, now %.0f MB\n"
                  "  checks logged during the measured runs: %lld (answers: %lld)%s\n",
                  size, row.first_s, row.hwm_mb, row.rss_mb, static_cast<long long>(row.logged),
                  static_cast<long long>(row.answered), row.logged >= row.answered ? "" : "  ← FEWER THAN THE ANSWERS");
    out << line;
    const bool rate_ok = row.peer.rps > 0 && row.get.rps >= 0.8 * row.peer.rps;
    std::snprintf(line, sizeof line,
                  "  目标 / targets: ratio ≥ 0.80 (%.2f %s), p99 ≤ 2 ms (%.2f %s), a batch of 1,000 ≤ 20 ms (p99 %.2f "
                  "%s)\n",
                  row.peer.rps > 0 ? row.get.rps / row.peer.rps : 0.0, rate_ok ? "met" : "NOT MET", row.get.p99_ms,
                  row.get.p99_ms <= 2.0 ? "met" : "NOT MET", row.batch.p99_ms,
                  row.batch.p99_ms <= 20.0 ? "met" : "NOT MET");
    out << line << std::flush;
    if (row.logged < row.answered) return Failed("answers without a log row");
    rows.push_back(row);
  }
  return Status::Ok();
}

}  // namespace

Status RegisterBench(Registrar& reg) {
  using K = OptionKind;
  {
    CommandSpec spec;
    spec.path = {"bench", "credit-check"};
    spec.help =
        "信用核查压测，对照 nginx 静态文件 / the credit check under load (wrk) beside nginx serving a static file";
    spec.options = {
        {"--subjects", "名录主体数 / subjects in the directory", K::kInteger, false, "10000000"},
        {"--listings", "有效名单数 / listings in force", K::kInteger, false, "500000"},
        {"--measures", "措施数 / measures in the catalogue", K::kInteger, false, "40"},
        {"--seed", "随机种子 / seed", K::kInteger, false, "11"},
        {"--dir", "工作目录，数据在其中复用 / work folder; its data is reused", K::kText, false, "bench-credit-check"},
        {"--pg",
         "同时测 PostgreSQL（创建数据库 xj_bench_cc_N_SEED）/ also run against this PostgreSQL server URL (the "
         "database "
         "xj_bench_cc_N_SEED is created; env XINJIAN_BENCH_PG)",
         K::kText},
        {"--duration", "每次压测秒数 / seconds per wrk run", K::kInteger, false, "10"},
        {"--connections", "并发连接数 / connections", K::kInteger, false, "32"},
        {"--threads", "wrk 线程数（0：wrk 每个处理器一个） / wrk threads (0: one per CPU wrk runs on)", K::kInteger,
         false, "0"},
        {"--web-threads", "serve 的网站线程数（0：连接数加 2）/ the server's web threads (0: the connections plus 2)",
         K::kInteger, false, "0"},
        {"--db-connections", "serve 的数据库连接数 / the server's database connections", K::kInteger, false, "4"},
        {"--listener", "核查发往机器接口（machine）或网站（site） / the checks go to the machine listener or the site",
         K::kText, false, "machine", {"machine", "site"}},
        {"--api-threads",
         "机器接口线程数（0：每个可用处理器一个） / the machine listener's threads (0: one per CPU serve may use)",
         K::kInteger, false, "0"},
        {"--cpus",
         "split：wrk 用一半处理器，服务端（serve、nginx）用其余；shared：共用 / split: wrk on half the CPUs, "
         "the servers (serve, nginx) on the rest; shared: all on every CPU",
         K::kText, false, "split", {"split", "shared"}}};
    spec.json = false;
    spec.needs_database = false;  // its own databases, in --dir and on --pg
    if (Status st = reg.AddCommand(spec, RunBench); !st.ok()) return st;
  }
  {
    CommandSpec spec;
    spec.path = {"bench", "credit-check-fill"};
    spec.help = "bench credit-check 的数据：措施、备忘录、密钥与有效名单 / bench credit-check's data on --db";
    spec.options = {{"--listings", "有效名单数 / listings in force", K::kInteger, false, "500000"},
                    {"--measures", "措施数 / measures", K::kInteger, false, "40"},
                    {"--seed", "随机种子 / seed", K::kInteger, false, "11"},
                    {"--out", "请求与密钥写入此目录 / the requests and the key go to this folder", K::kText, true}};
    spec.json = false;
    if (Status st = reg.AddCommand(spec, Fill); !st.ok()) return st;
  }
  CommandSpec spec;
  spec.path = {"bench", "credit-check-count"};
  spec.help = "信用核查日志的行数 / the rows of the credit-check log on --db";
  spec.json = false;
  return reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
    auto n = ReadValue<std::int64_t>(ctx.platform(), [](Sql& sql) { return LoggedChecks(sql); });
    if (!n.ok()) return n.status();
    ctx.out() << n.value() << "\n";
    return Status::Ok();
  });
}

}  // namespace xj::punishment
