// Helpers for a plugin's HTTP benchmarks (`xinjian bench web`, `xinjian bench credit-check`):
// the real server (`xinjian serve`) and nginx serving a static file of the same size, driven by
// wrk (Debian packages) with the same requests, threads, connections and duration in the same
// run, so that every figure is printed beside its peer (ENGINEERING.md). Header-only; POSIX.
//
//   xj::bench::Child serve, nginx;
//   auto base = xj::bench::StartServe(out, serve, {self, "--db", url, "serve", "--no-scheduler",
//                                                  "--listen", "127.0.0.1:0"}, work + "/serve.log");
//   auto peer = xj::bench::StartNginxPeer(nginx, work + "/nginx", work + "/answer.json");
//   std::ofstream(work + "/wrk.lua") << xj::bench::kWrkScript;
//   auto ours = xj::bench::RunWrk(out, "xinjian", *base, work + "/wrk.lua", {work + "/paths.txt"}, o, serve.pid());
//
// The wrk script (kWrkScript) takes, after `--`: a file of requests, one per line (a path for
// GET; "path<TAB>body" for POST, the body sent as application/json), the method (GET by
// default), and an optional header ("Name: value") sent with every request. Each wrk thread
// picks its requests at random; its `done` prints one line "XJ_WRK requests=… p99_us=…" that
// RunWrk reads.
//
// Thread safety: none; call from the command's thread. A Child kills its process when
// destroyed (SIGTERM, then SIGKILL after 5 s).
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "xinjian/bench.h"
#include "xinjian/command.h"
#include "xinjian/status.h"
#include "xinjian/thread.h"

namespace xj::bench {

// Runs a command line (each word quoted), echoing it, and returns its standard output (its
// standard error goes to ours). std::nullopt when it did not exit 0.
inline std::optional<std::string> Capture(std::ostream& out, const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv) cmd += ShellQuote(a) + " ";
  out << "  $ " << cmd << "\n" << std::flush;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  const int rc = pclose(p);
  if (rc != 0) return std::nullopt;
  return text;
}

// A child process with its output in `log`; killed (SIGTERM, then SIGKILL) when destroyed.
class Child {
 public:
  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { Stop(); }
  bool Start(const std::vector<std::string>& argv, const std::string& log) {
    // The log is emptied before the fork: the caller reads it for the address at once, and
    // must not find the previous run's there.
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    pid_ = fork();
    if (pid_ < 0) {
      close(fd);
      return false;
    }
    if (pid_ == 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(fd);
    return true;
  }
  pid_t pid() const { return pid_; }
  // True while the child runs; a child that ended is reaped (and forgotten) here.
  bool Alive() {
    if (pid_ <= 0) return false;
    if (waitpid(pid_, nullptr, WNOHANG) == 0) return true;
    pid_ = -1;
    return false;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) != 0) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// CPU seconds (user + system) of process `pid` and its children processes (nginx's workers).
inline double CpuSeconds(pid_t pid) {
  namespace fs = std::filesystem;
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  double total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream f(e.path() / "stat");
    std::string line;
    if (!std::getline(f, line)) continue;
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string state;
    long ppid = 0;
    rest >> state >> ppid;
    const long self = std::stol(name);
    if (self != pid && ppid != pid) continue;
    std::string skip;
    for (int i = 0; i < 9; ++i) rest >> skip;  // fields 5..13
    unsigned long long utime = 0, stime = 0;
    rest >> utime >> stime;
    total += static_cast<double>(utime + stime) / tick;
  }
  return total;
}

// A TCP port on 127.0.0.1 that was free a moment ago (0 when none could be had).
inline int FreePort() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  int port = 0;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  close(s);
  return port;
}

// True once something accepts connections on 127.0.0.1:`port` (within `seconds`).
inline bool WaitForPort(int port, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

inline const char* kWrkScript = R"(-- xinjian bench: random requests from the file named by the first argument after --;
-- the second is the method (GET, or POST with lines "path<TAB>body"), the third a header.
local reqs = {}
init = function(args)
  local method = args[2] or "GET"
  local headers = {}
  if args[3] ~= nil and args[3] ~= "" then
    local name, value = string.match(args[3], "^([^:]+):%s*(.*)$")
    if name ~= nil then headers[name] = value end
  end
  for line in io.lines(args[1]) do
    if method == "GET" then
      reqs[#reqs + 1] = wrk.format("GET", line, headers)
    else
      local path, body = string.match(line, "^([^\t]+)\t(.*)$")
      if path ~= nil then
        headers["Content-Type"] = "application/json"
        reqs[#reqs + 1] = wrk.format(method, path, headers, body)
      end
    end
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000) + #reqs)
end
request = function()
  return reqs[math.random(#reqs)]
end
done = function(summary, latency, requests)
  io.write(string.format("XJ_WRK requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d bytes=%d\n",
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, summary.bytes))
end
)";

// One wrk run's figures; cpu_pct is the server's (and its children's) CPU over the run, -1
// when not measured.
struct WrkLoad {
  std::string name;
  double rps = 0, p50_ms = 0, p99_ms = 0, max_ms = 0, cpu_pct = -1;
  std::int64_t requests = 0, non2xx = 0, socket_errors = 0;
};

struct WrkOptions {
  int threads = 2, connections = 32, seconds = 10;
  std::string cpus;  // the CPUs wrk runs on ("0", "0,1"; taskset's list), "" for any
};

// Where a benchmark's processes run (--cpus). `split`: wrk on the first half of the CPUs this
// process may use, the servers (serve, nginx) on the rest, so that the load generator never
// takes a server's core; `shared`: every process on every CPU, as the scheduler likes. On a
// small machine shared cores make the tail a measure of the scheduler: with wrk's threads and
// the server's on 2 shared cores, a server thread waits for a core a few times a second, and
// nginx's own p99 swings between 0.5 and 3.4 ms from run to run. Fewer than 2 usable CPUs:
// shared whatever was asked.
struct CpuPlan {
  std::string load, server;  // taskset lists; both "" when shared
  int server_count = 0;      // the servers' CPUs (0 when shared)
};

inline CpuPlan PlanCpus(bool split) {
  CpuPlan plan;
  const std::vector<int> cpus = UsableCpus();
  if (!split || cpus.size() < 2) return plan;
  const std::size_t load = cpus.size() / 2;
  for (std::size_t i = 0; i < cpus.size(); ++i) {
    std::string& list = i < load ? plan.load : plan.server;
    list += (list.empty() ? "" : ",") + std::to_string(cpus[i]);
  }
  plan.server_count = static_cast<int>(cpus.size() - load);
  return plan;
}

// `argv` run on `cpus` (taskset, util-linux; it execs the command, so the pid is the
// command's); `argv` itself when `cpus` is "".
inline std::vector<std::string> OnCpus(const std::string& cpus, std::vector<std::string> argv) {
  if (!cpus.empty()) argv.insert(argv.begin(), {"taskset", "-c", cpus});
  return argv;
}

// The CPUs process `pid` may run on, as the kernel has them (/proc/PID/status,
// Cpus_allowed_list: "1", "0-3"); "" when unknown.
inline std::string AllowedCpus(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Cpus_allowed_list:", 0) == 0) {
      const auto at = line.find_first_not_of(" \t", 18);
      return at == std::string::npos ? "" : line.substr(at);
    }
  return "";
}

// How a plan reads in a benchmark's heading.
inline std::string DescribeCpus(const CpuPlan& plan) {
  return plan.server.empty() ? std::string("CPUs shared by wrk and the server")
                             : "wrk on CPU " + plan.load + ", the server on CPU " + plan.server;
}

// One wrk run of kWrkScript (written to `script`) against `base` with `script_args` after
// `--`; the server's CPU use from `server_pid` (> 0).
inline Result<WrkLoad> RunWrk(std::ostream& out, const std::string& name, const std::string& base,
                              const std::string& script, const std::vector<std::string>& script_args,
                              const WrkOptions& o, pid_t server_pid) {
  const auto fail = [&](const std::string& what) {
    return Status::Error(StatusCode::kInternal, "基准测试失败：" + what, "the benchmark failed: " + what);
  };
  const double cpu0 = server_pid > 0 ? CpuSeconds(server_pid) : 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> argv{"wrk",
                                "-t",
                                std::to_string(o.threads),
                                "-c",
                                std::to_string(o.connections),
                                "-d",
                                std::to_string(o.seconds) + "s",
                                "--timeout",
                                "10s",
                                "-s",
                                script,
                                base,
                                "--"};
  argv.insert(argv.end(), script_args.begin(), script_args.end());
  auto text = Capture(out, OnCpus(o.cpus, argv));
  const double wall = SecondsSince(t0);
  if (!text) return fail("wrk " + name);
  const auto at = text->find("XJ_WRK ");
  if (at == std::string::npos) return fail("wrk " + name + ": no result line");
  std::map<std::string, double> v;
  std::istringstream in(text->substr(at + 7));
  std::string kv;
  while (in >> kv) {
    const auto eq = kv.find('=');
    if (eq != std::string::npos) v[kv.substr(0, eq)] = std::atof(kv.substr(eq + 1).c_str());
  }
  WrkLoad l;
  l.name = name;
  l.requests = static_cast<std::int64_t>(v["requests"]);
  l.rps = v["duration_us"] > 0 ? v["requests"] / (v["duration_us"] / 1e6) : 0;
  l.p50_ms = v["p50_us"] / 1000.0;
  l.p99_ms = v["p99_us"] / 1000.0;
  l.max_ms = v["max_us"] / 1000.0;
  l.non2xx = static_cast<std::int64_t>(v["non2xx"]);
  l.socket_errors = static_cast<std::int64_t>(v["socket_errors"]);
  if (server_pid > 0 && wall > 0) l.cpu_pct = 100.0 * (CpuSeconds(server_pid) - cpu0) / wall;
  return l;
}

// The table RunWrk's figures go in: its head, and one row (with the ratio to `peer`'s rate).
inline void PrintLoadHead(std::ostream& out) {
  out << "\n| case                                           |     req/s | p50 ms  | p99 ms  |   max ms | non-2xx   | "
         "errors | cpu %  | ratio  |\n"
      << "|------------------------------------------------|-----------|---------|---------|----------|-----------|----"
         "-"
         "---|--------|--------|\n";
}
inline void PrintLoad(std::ostream& out, const WrkLoad& l, const WrkLoad* peer) {
  char cpu[32] = "", ratio[32] = "", line[512];
  if (l.cpu_pct >= 0) std::snprintf(cpu, sizeof cpu, "%.0f", l.cpu_pct);
  if (peer != nullptr && peer->rps > 0) std::snprintf(ratio, sizeof ratio, "%.2f", l.rps / peer->rps);
  std::snprintf(line, sizeof line, "| %-46s | %9.0f | %7.2f | %7.2f | %8.1f | %9lld | %6lld | %6s | %6s |",
                l.name.c_str(), l.rps, l.p50_ms, l.p99_ms, l.max_ms, static_cast<long long>(l.non2xx),
                static_cast<long long>(l.socket_errors), cpu, ratio);
  out << line << "\n";
}

// The options every HTTP benchmark command declares: --threads (0-64; 0: one per CPU wrk runs
// on), --connections (the threads to 10,000), --duration (1-3600 s), --web-threads (1-1024; 0
// for the connections plus 2: CivetWeb keeps a thread for a kept-alive connection while it
// sends requests, so fewer threads than connections would leave some unserved the whole run,
// which `out` is told), --db-connections (0-64) and --cpus (split or shared: CpuPlan; wrk.cpus
// is its load half). kInvalidArgument, bilingual, naming the bad one.
struct HttpBenchOptions {
  WrkOptions wrk;
  std::int64_t web_threads = 0, db_connections = 4;
  CpuPlan cpus;
};
inline Result<HttpBenchOptions> ReadHttpBenchOptions(const CommandArgs& args, std::ostream& out) {
  const auto bad = [](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, zh, en);
  };
  HttpBenchOptions o;
  const std::string cpus = args.Text("--cpus");
  if (cpus != "split" && cpus != "shared")
    return bad("--cpus 须为 split 或 shared：" + cpus, "--cpus must be split or shared: " + cpus);
  o.cpus = PlanCpus(cpus == "split");
  o.wrk.cpus = o.cpus.load;
  std::int64_t threads = args.Int("--threads");
  const std::int64_t connections = args.Int("--connections"), seconds = args.Int("--duration");
  if (threads == 0) {
    // One wrk thread per CPU wrk runs on: a second thread on wrk's one CPU makes the two wait
    // for each other, and wrk counts that wait in every latency (p99 3.8 instead of 1.8 ms).
    const std::size_t n = o.cpus.load.empty()
                              ? UsableCpus().size()
                              : static_cast<std::size_t>(std::count(o.cpus.load.begin(), o.cpus.load.end(), ',') + 1);
    threads = static_cast<std::int64_t>(std::clamp<std::size_t>(n, 1, 64));
  }
  if (threads < 1 || threads > 64 || connections < threads || connections > 10000 || seconds < 1 || seconds > 3600)
    return bad("--threads 0–64（0：wrk 每个处理器一个），--connections 不少于线程数且至多 10000，--duration 1–3600 秒",
               "--threads 0-64 (0: one per CPU wrk runs on), --connections at least the threads and at most 10000, "
               "--duration 1-3600 s");
  o.wrk.threads = static_cast<int>(threads);
  o.wrk.connections = static_cast<int>(connections);
  o.wrk.seconds = static_cast<int>(seconds);
  o.web_threads = args.Int("--web-threads");
  if (o.web_threads == 0) o.web_threads = connections + 2;
  if (o.web_threads < 1 || o.web_threads > 1024)
    return bad("--web-threads 须为 1 至 1024", "--web-threads must be 1 to 1024");
  o.db_connections = args.Int("--db-connections");
  if (o.db_connections < 0 || o.db_connections > 64)
    return bad("--db-connections 须为 0 至 64", "--db-connections must be 0 to 64");
  if (cpus == "split" && o.cpus.server.empty())
    out << "注意 / note: fewer than 2 usable CPUs: wrk and the server share them (--cpus shared)\n";
  if (o.web_threads < connections)
    out << "注意 / note: --web-threads " << o.web_threads << " < --connections " << connections
        << ": CivetWeb serves a kept-alive connection on one thread, so only " << o.web_threads
        << " connections are served\n";
  return o;
}

// The PostgreSQL server of a benchmark: --pg, else the environment's XINJIAN_BENCH_PG; "" for
// none.
inline std::string BenchPgServer(const CommandArgs& args) {
  std::string pg = args.Text("--pg");
  if (pg.empty())
    if (const char* env = std::getenv("XINJIAN_BENCH_PG")) pg = env;
  return pg;
}

// The database `name` ([a-z0-9_]) on the server of `server_url` (psql, Debian's client), made
// afresh unless `keep` (the benchmark reuses its data): its URL. kUnavailable when it cannot be
// made.
inline Result<std::string> BenchPgDatabase(std::ostream& out, const std::string& server_url, const std::string& name,
                                           bool keep) {
  if (!keep) {
    RunEchoed(out, {"psql", "-q", "-X", server_url, "-c", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"});
    if (!RunEchoed(out, {"psql", "-q", "-X", server_url, "-c", "CREATE DATABASE " + name}))
      return Status::Error(StatusCode::kUnavailable, "无法创建 PostgreSQL 数据库 " + name,
                           "cannot create the PostgreSQL database " + name);
  }
  return server_url.substr(0, server_url.rfind('/') + 1) + name;
}

// A database a benchmark runs on: its label ("SQLite", "PostgreSQL"), URL, and the file in the
// benchmark's folder whose presence says its data is loaded (the data is reused).
struct BenchBackend {
  std::string label, url, marker;
};

// The databases of a benchmark in `dir`: SQLite in `dir/<sqlite_file>`, and with --pg (or
// XINJIAN_BENCH_PG) the PostgreSQL database `<pg_prefix>_<size>_<seed>` (one per size and seed,
// as the markers `dir/.loaded-sqlite-<tag>` and `dir/.loaded-pg-<tag>` are). kUnavailable when
// the PostgreSQL database cannot be made.
inline Result<std::vector<BenchBackend>> BenchBackends(std::ostream& out, const CommandArgs& args, const std::string& dir,
                                                       const std::string& sqlite_file, const std::string& pg_prefix,
                                                       std::int64_t size, std::int64_t seed, const std::string& tag) {
  std::vector<BenchBackend> backends{{"SQLite", "sqlite:" + dir + "/" + sqlite_file, dir + "/.loaded-sqlite-" + tag}};
  const std::string pg = BenchPgServer(args);
  if (!pg.empty()) {
    std::string name = pg_prefix + "_" + std::to_string(size) + "_" + std::to_string(seed);
    std::replace(name.begin(), name.end(), '-', 'm');  // a negative seed
    const std::string marker = dir + "/.loaded-pg-" + tag;
    auto url = BenchPgDatabase(out, pg, name, std::filesystem::exists(marker));
    if (!url.ok()) return url.status();
    backends.push_back({"PostgreSQL", url.value(), marker});
  }
  return backends;
}

// Starts `argv` (an `xinjian … serve --listen 127.0.0.1:0 …`) as `child`, its output in `log`,
// and returns the base URL it printed ("http://127.0.0.1:PORT") on a line containing `marker`
// ("web site started", "machine listener started"; "" for the last URL), waiting up to `seconds`.
inline Result<std::string> StartServe(Child& child, const std::vector<std::string>& argv, const std::string& log,
                                      int seconds = 120, const std::string& marker = "") {
  const auto fail = [&](const std::string& what) {
    return Status::Error(StatusCode::kInternal, "基准测试失败：" + what, "the benchmark failed: " + what);
  };
  if (!child.Start(argv, log)) return fail("serve");
  for (int i = 0; i < seconds * 10; ++i) {
    std::ifstream in(log);
    std::string line, base;
    while (std::getline(in, line)) {
      const auto at = line.find("http://127.0.0.1:");
      if (at != std::string::npos && (marker.empty() || line.find(marker) != std::string::npos)) {
        base = line.substr(at);
        base = base.substr(0, base.find('/', 7));
      }
    }
    if (!base.empty()) return base;
    if (!child.Alive()) return fail("serve exited (" + log + ")");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return fail("serve did not start (" + log + ")");
}

// nginx (Debian package) as `child` with its own configuration in `dir` on a free port,
// answering every path and method with the file `body` (copied to dir/www, served as
// application/json): the peer of a JSON route, on `cpus.server` with one worker per CPU there
// when the plan splits the CPUs. Returns its base URL.
inline Result<std::string> StartNginxPeer(Child& child, const std::string& dir, const std::string& body,
                                          const CpuPlan& cpus = {}) {
  namespace fs = std::filesystem;
  const auto fail = [&](const std::string& what) {
    return Status::Error(StatusCode::kInternal, "基准测试失败：" + what, "the benchmark failed: " + what);
  };
  std::error_code ec;
  fs::create_directories(dir + "/www", ec);
  fs::copy_file(body, dir + "/www/answer.json", fs::copy_options::overwrite_existing, ec);
  if (ec) return fail("copy " + body + ": " + ec.message());
  chmod((dir + "/www/answer.json").c_str(), 0644);
  // The port was free a moment ago; another process may take it before nginx binds it. nginx
  // writes its pid file only once it listens, so a pid file with the child's pid says the port
  // is nginx's; without it (nginx exited), another port is tried.
  int port = 0;
  for (int attempt = 0; attempt < 5 && port == 0; ++attempt) {
    port = FreePort();
    if (port == 0) return fail("no free port");
    fs::remove(dir + "/nginx.pid", ec);
    {
      std::ofstream conf(dir + "/nginx.conf");
      // As root, nginx's workers would run as nobody, who may not pass the folders above the work
      // folder (a mktemp folder is 0700): the peer would answer 403 to every request.
      if (geteuid() == 0) conf << "user root;\n";
      // Split CPUs: one worker per server CPU, as serve's machine listener has one thread per
      // CPU it may use (nginx's auto counts the machine's).
      conf << "worker_processes " << (cpus.server_count > 0 ? std::to_string(cpus.server_count) : "auto")
           << ";\nerror_log " << dir << "/error.log warn;\npid " << dir << "/nginx.pid;\n"
           << "events { worker_connections 4096; }\nhttp {\n  access_log off;\n  keepalive_requests 1000000;\n"
           << "  client_body_temp_path " << dir << "/tmp-body;\n  proxy_temp_path " << dir << "/tmp-proxy;\n"
           << "  fastcgi_temp_path " << dir << "/tmp-fastcgi;\n  uwsgi_temp_path " << dir << "/tmp-uwsgi;\n"
           << "  scgi_temp_path " << dir << "/tmp-scgi;\n  client_max_body_size 2m;\n"
           << "  server {\n    listen 127.0.0.1:" << port << ";\n    root " << dir
           << "/www;\n"
           // POST to a static file is 405 in nginx; error_page 405 =200 answers it with the file.
           << "    error_page 405 =200 /answer.json;\n"
           << "    location / { default_type application/json; try_files /answer.json =404; }\n  }\n}\n";
    }
    if (!child.Start(OnCpus(cpus.server, {"nginx", "-p", dir, "-c", dir + "/nginx.conf", "-g", "daemon off;"}),
                     dir + "/stderr.log"))
      return fail("nginx");
    bool listening = false;
    for (int i = 0; i < 400 && !listening; ++i) {  // 20 s
      std::ifstream pid_file(dir + "/nginx.pid");
      long pid = 0;
      if (pid_file >> pid && pid == child.pid()) {
        listening = WaitForPort(port, 20);
        break;
      }
      if (!child.Alive()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!listening) {
      child.Stop();
      port = 0;
    }
  }
  if (port == 0) return fail("nginx did not listen (" + dir + "/error.log)");
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace xj::bench
