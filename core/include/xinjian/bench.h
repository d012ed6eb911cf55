// Helpers for a plugin's benchmark commands (`xinjian bench …`, ENGINEERING.md: figures
// printed beside a peer run in the same run). Header-only; POSIX.
//
// A benchmark that prepares its own databases runs the xinjian executable itself for each
// step (init, import, the measured run), so that each measured run has a process of its own
// and its peak RSS is the run's:
//
//   const std::string self = xj::bench::SelfExecutable();
//   if (!xj::bench::RunEchoed(ctx.out(), {self, "--db", url, "bench", "draw-run"})) return Failed();
//
// Thread safety: RunEchoed runs a child process (std::system); call it from the command's
// thread only.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace xj::bench {

// The path of the running executable (/proc/self/exe), "" when it cannot be read.
inline std::string SelfExecutable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

// `s` quoted for the POSIX shell: one word whatever it holds.
inline std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a command line, each word quoted, after echoing it to `out` ("  $ …"); its output goes
// to this process's stdout and stderr. True when it exited 0.
inline bool RunEchoed(std::ostream& out, const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv) cmd += ShellQuote(a) + " ";
  out << "  $ " << cmd << "\n" << std::flush;
  return std::system(cmd.c_str()) == 0;
}

// Seconds elapsed since `t0` on the steady clock.
inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// This process's peak resident set size so far, in MB (getrusage).
inline double PeakRssMb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

}  // namespace xj::bench
