// Shared helpers for the Catch2 suites: temporary folders, the database a test runs
// against (SQLite file or a fresh database on the PostgreSQL server ./xj test started),
// and running the real xinjian binary.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "xinjian/directory.h"

namespace xj::test {

// The GB/T 2260 codes the host knows (Platform::Regions()), for tests of plugin code that
// takes them (draw::SpecOptions::regions).
const RegionCodes& Gb2260();

// A new empty folder under the system temp dir; removed when the test process exits.
std::string TempDir();
// "sqlite" or "postgresql", from XINJIAN_TEST_BACKEND (default sqlite).
std::string Backend();
// A URL of a new, empty database of the current backend: "sqlite:/tmp/.../x.db", or a
// database created on the server named by XINJIAN_TEST_PG_URL (the test fails with a clear
// message when the variable is missing).
std::string FreshDatabaseUrl();

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the xinjian binary with `args` (no shell), capturing stdout and stderr.
// `env` entries are added to the environment.
CommandResult RunCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
// Runs a shell command line with /bin/sh -c.
CommandResult RunShell(const std::string& command_line);

// The xinjian binary running in the background with `args` (e.g. `serve`), stdout and stderr
// into files of a temporary folder, `env` added to the environment. Not copyable; the
// destructor kills it (SIGKILL) if it still runs. For the test thread only.
class BackgroundCli {
 public:
  explicit BackgroundCli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});
  ~BackgroundCli();
  BackgroundCli(const BackgroundCli&) = delete;
  BackgroundCli& operator=(const BackgroundCli&) = delete;
  // False once it exited (then reaped).
  bool Running();
  // Sends `signal` unless it exited already, waits, and returns its exit code (128 + the
  // signal when a signal ended it).
  int Stop(int signal = 15 /* SIGTERM */);
  // What it wrote so far.
  std::string Out() const;
  std::string Err() const;

 private:
  int pid_ = -1;
  int exit_code_ = -1;
  std::string out_path_, err_path_;
};

}  // namespace xj::test
