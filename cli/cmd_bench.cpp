// xinjian bench import: our validated import beside the peers that do no validation
// (the sqlite3 shell's .import, psql's \copy), on the same file, in the same run.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "database.h"
#include "generator.h"

namespace xj::cli {
extern int g_exit_code;

namespace {
struct BenchArgs {
  std::uint64_t count = 1000000;
  std::uint64_t seed = 7;
  std::string pg_url;
  std::string dir;
  bool keep = false;
};

struct Run {
  std::string name;
  int exit_code = -1;
  double seconds = 0;
  double peak_rss_mb = 0;
  double cpu_seconds = 0;  // user + sys of the child, all its threads
  std::string out;
};

std::string SelfExe() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

// Runs argv (no shell), stdout to a file; measures wall time and the child's peak RSS.
Run Measure(const std::string& name, const std::vector<std::string>& argv, const std::string& stdin_file = "") {
  Run r;
  r.name = name;
  std::string out_path = std::filesystem::temp_directory_path() / ("xj-bench-" + std::to_string(getpid()) + ".out");
  auto t0 = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    FILE* o = std::fopen(out_path.c_str(), "w");
    if (o) dup2(fileno(o), 1);
    if (!stdin_file.empty()) {
      FILE* i = std::fopen(stdin_file.c_str(), "r");
      if (i) dup2(fileno(i), 0);
    }
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    execvp(a[0], a.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.peak_rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  r.cpu_seconds = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                  static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  r.out = ss.str();
  std::filesystem::remove(out_path);
  return r;
}

const char* kPeerTable =
    "CREATE TABLE subjects (uscc TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, region TEXT NOT NULL, "
    "industry TEXT, registered_on TEXT NOT NULL, status TEXT NOT NULL, risk_class TEXT, labels TEXT NOT NULL DEFAULT '', "
    "address TEXT); CREATE INDEX subjects_region ON subjects(region);";

void PrintRow(const Run& r, std::uint64_t rows, const Run* peer) {
  double rate = r.seconds > 0 ? static_cast<double>(rows) / r.seconds : 0;
  char line[512];
  std::snprintf(line, sizeof line, "| %-46s | %9llu | %8.2f | %8.2f | %12.0f | %8.1f | %s |", r.name.c_str(),
                static_cast<unsigned long long>(rows), r.seconds, r.cpu_seconds, rate, r.peak_rss_mb,
                peer ? (std::to_string(r.seconds / peer->seconds).substr(0, 4)).c_str() : "    ");
  std::cout << line << (r.exit_code == 0 ? "" : "  (exit " + std::to_string(r.exit_code) + ")") << "\n";
}
}  // namespace

void RegisterBenchCommands(CLI::App& app, Globals& g) {
  auto* bench = app.add_subcommand("bench", "基准测试 / benchmarks (figures beside a peer in the same run)");
  bench->require_subcommand(1);
  static BenchArgs a;
  auto* imp = bench->add_subcommand("import", "名录导入 / directory import vs sqlite3 .import and psql \\copy");
  imp->add_option("--count", a.count, "主体数 / subjects (default 1000000)");
  imp->add_option("--seed", a.seed, "随机种子 / seed");
  imp->add_option("--pg", a.pg_url, "同时测 PostgreSQL / also run against this PostgreSQL server (a database is created and dropped)")
      ->envname("XINJIAN_BENCH_PG");
  imp->add_option("--dir", a.dir, "工作目录 / work folder (default: a new temp folder)");
  imp->add_flag("--keep", a.keep, "保留工作目录 / keep the work folder");
  imp->callback([&g] {
    (void)g;
    namespace fs = std::filesystem;
    std::string dir = a.dir;
    if (dir.empty()) {
      std::string t = (fs::temp_directory_path() / "xj-bench-XXXXXX").string();
      if (!mkdtemp(t.data())) {
        PrintError("mkdtemp failed");
        g_exit_code = kExitFailure;
        return;
      }
      dir = t;
    }
    fs::create_directories(dir);
    std::string csv = dir + "/subjects.csv";
    std::cout << "生成 / generating " << a.count << " subjects → " << csv << "\n";
    {
      std::ofstream out(csv, std::ios::binary | std::ios::trunc);
      gen::Options o;
      o.count = a.count;
      o.seed = a.seed;
      if (Status s = gen::WriteCsv("subjects", o, out); !s.ok()) {
        PrintError(s.message());
        g_exit_code = kExitFailure;
        return;
      }
    }
    std::cout << "文件 / file: " << fs::file_size(csv) / (1024 * 1024) << " MiB\n\n";
    std::cout << "| case                                           |      rows |        s |    cpu s |       rows/s |  peak MB | ratio |\n"
              << "|------------------------------------------------|-----------|----------|----------|--------------|----------|-------|\n";
    std::string self = SelfExe();
    // SQLite: ours (every validation, upsert, audit, outbox), then the sqlite3 shell.
    std::string ours_db = dir + "/ours.db", peer_db = dir + "/peer.db";
    fs::remove(ours_db);
    fs::remove(peer_db);
    Run init = Measure("init", {self, "--db", "sqlite:" + ours_db, "init"});
    Run ours = Measure("xinjian import (SQLite, validated)",
                       {self, "--db", "sqlite:" + ours_db, "import", "subjects", csv, "--json", "--no-dispatch"});
    Run again = Measure("xinjian import again (SQLite, all unchanged)",
                        {self, "--db", "sqlite:" + ours_db, "import", "subjects", csv, "--json", "--no-dispatch"});
    // The peer as a naive user runs it (default settings), and with the page cache and
    // journal settings we use, so that the ratio shows our own work only.
    Run peer_default = Measure("sqlite3 .import (no validation, defaults)",
                               {"sqlite3", peer_db, kPeerTable, ".import --csv --skip 1 " + csv + " subjects"});
    std::string peer_db2 = dir + "/peer2.db";
    Run peer = Measure("sqlite3 .import (no validation, our settings)",
                       {"sqlite3", peer_db2, "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA cache_size=-65536",
                        kPeerTable, ".import --csv --skip 1 " + csv + " subjects"});
    PrintRow(peer_default, a.count, nullptr);
    PrintRow(peer, a.count, nullptr);
    PrintRow(ours, a.count, &peer);
    PrintRow(again, a.count, &peer);
    std::cout << "  (ratio = our time / the peer with our settings; against the peer with defaults: "
              << std::to_string(ours.seconds / peer_default.seconds).substr(0, 4) << ")\n"
              << "  (cpu s = user + sys of all threads. We read and validate on one thread while another\n"
              << "   writes; the peers use one. On a busy machine the time ratio moves toward the cpu ratio: "
              << std::to_string(ours.cpu_seconds / peer.cpu_seconds).substr(0, 4) << ")\n";
    if (ours.exit_code != 0 || peer.exit_code != 0 || peer_default.exit_code != 0) g_exit_code = kExitFailure;
    std::cout << "\n  ours: " << ours.out;
    if (!a.pg_url.empty()) {
      std::string base = a.pg_url;
      std::string name = "xj_bench_" + std::to_string(getpid());
      std::string admin = base;
      auto slash = base.rfind('/');
      std::string pg_db = base.substr(0, slash + 1) + name;
      Measure("createdb", {"psql", "-q", "-X", admin, "-c", "CREATE DATABASE " + name});
      Run pinit = Measure("init", {self, "--db", pg_db, "init"});
      Run pours = Measure("xinjian import (PostgreSQL, validated)",
                          {self, "--db", pg_db, "import", "subjects", csv, "--json", "--no-dispatch"});
      Measure("peer table", {"psql", "-q", "-X", pg_db, "-c",
                             "CREATE TABLE peer_subjects (uscc TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL, "
                             "region TEXT NOT NULL, industry TEXT, registered_on TEXT NOT NULL, status TEXT NOT NULL, "
                             "risk_class TEXT, labels TEXT, address TEXT); "
                             "CREATE INDEX peer_subjects_region ON peer_subjects(region)"});
      Run ppeer = Measure("psql \\copy (no validation)",
                          {"psql", "-q", "-X", pg_db, "-c", "\\copy peer_subjects FROM '" + csv + "' CSV HEADER"});
      std::cout << "\n";
      PrintRow(ppeer, a.count, nullptr);
      PrintRow(pours, a.count, &ppeer);
      std::cout << "  (cpu s here is the client process only; the server's work is not in it)\n";
      std::cout << "\n  ours: " << pours.out;
      Measure("dropdb", {"psql", "-q", "-X", admin, "-c", "DROP DATABASE " + name});
      if (pours.exit_code != 0 || ppeer.exit_code != 0) g_exit_code = kExitFailure;
    }
    std::cout << "\n目标 / targets: ≥150,000 rows/s, peak RSS < 300 MB, ratio ≤ 2 (SQLite)\n";
    if (!a.keep && a.dir.empty()) fs::remove_all(dir);
  });
}

}  // namespace xj::cli
