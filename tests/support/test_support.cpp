#include "test_support.h"

#include "regions.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace xj::test {
namespace fs = std::filesystem;

const RegionCodes& Gb2260() { return BuiltinRegionCodes(); }

namespace {
struct TempRoot {
  fs::path root;
  TempRoot() {
    std::string tmpl = (fs::temp_directory_path() / "xj-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    root = tmpl;
  }
  ~TempRoot() {
    if (!std::getenv("XJ_KEEP_TEMP")) {
      std::error_code ec;
      fs::remove_all(root, ec);
    }
  }
};
TempRoot& Root() {
  static TempRoot r;
  return r;
}
std::atomic<int> counter{0};

// Starts argv[0] with stdin from /dev/null and stdout, stderr into the given files; the
// child's pid, or -1.
pid_t Start(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& out_path, const std::string& err_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> envs;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos && env.count(kv.substr(0, eq))) continue;
    envs.push_back(kv);
  }
  for (auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

CommandResult Spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
  std::string dir = TempDir();
  std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  const pid_t pid = Start(argv, env, out_path, err_path);
  CommandResult r;
  if (pid < 0) {
    r.err = "posix_spawn failed";
    return r;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = ExitCode(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  return r;
}
}  // namespace

std::string TempDir() {
  fs::path p = Root().root / ("t" + std::to_string(counter++));
  fs::create_directories(p);
  return p.string();
}

std::string Backend() {
  const char* b = std::getenv("XINJIAN_TEST_BACKEND");
  return b && *b ? b : "sqlite";
}

std::string FreshDatabaseUrl() {
  if (Backend() == "sqlite") return "sqlite:" + TempDir() + "/xinjian.db";
  const char* base = std::getenv("XINJIAN_TEST_PG_URL");
  if (!base || !*base)
    throw std::runtime_error("XINJIAN_TEST_PG_URL is not set: run the suite with ./xj test, which starts PostgreSQL");
  // base is postgresql://user@host:port/dbname ; create a new database beside it.
  std::string b = base;
  auto slash = b.rfind('/');
  // Unique on a server that outlives many runs: process ids repeat (pid_max), so a name made
  // of the pid alone met a database a finished run had left behind.
  static const std::string run = [] {
    std::random_device rd;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
    return std::string(buf);
  }();
  static std::atomic<int> n{0};
  std::string name = "xjt_" + std::to_string(getpid()) + "_" + run + "_" + std::to_string(n++);
  std::string psql = "psql -q -X -v ON_ERROR_STOP=1 '" + b + "' -c 'CREATE DATABASE " + name + "' >/dev/null";
  CommandResult r = RunShell(psql);
  if (r.exit_code != 0) throw std::runtime_error("cannot create test database: " + r.err);
  return b.substr(0, slash + 1) + name;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
  if (!out) throw std::runtime_error("cannot write " + path);
}

CommandResult RunCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv{XJ_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  return Spawn(argv, env);
}

CommandResult RunShell(const std::string& command_line) {
  return Spawn({"/bin/sh", "-c", command_line}, {});
}

BackgroundCli::BackgroundCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  const std::string dir = TempDir();
  out_path_ = dir + "/stdout";
  err_path_ = dir + "/stderr";
  std::vector<std::string> argv{XJ_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = Start(argv, env, out_path_, err_path_);
  if (pid_ < 0) throw std::runtime_error("posix_spawn failed for " + std::string(XJ_CLI));
}

BackgroundCli::~BackgroundCli() {
  if (exit_code_ < 0) (void)Stop(SIGKILL);
}

bool BackgroundCli::Running() {
  if (exit_code_ >= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exit_code_ = ExitCode(status);
  return false;
}

int BackgroundCli::Stop(int signal) {
  if (Running()) {
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    exit_code_ = ExitCode(status);
  }
  return exit_code_;
}

std::string BackgroundCli::Out() const { return ReadFile(out_path_); }
std::string BackgroundCli::Err() const { return ReadFile(err_path_); }

}  // namespace xj::test
