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
#include <cstdint>
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

// A CSV of `count` generated subjects (`xinjian gen subjects`, seed `seed`) sorted by USCC, so
// that an import appends to the B-trees, at `csv` (kept when it exists: a benchmark's folder
// reuses it). `self` is the xinjian executable. True when it is there.
inline bool GenSortedSubjects(std::ostream& out, const std::string& self, const std::string& csv, std::int64_t count,
                              std::int64_t seed) {
  if (std::filesystem::exists(csv)) return true;
  const std::string raw = csv + ".unsorted";
  return RunEchoed(out, {self, "gen", "subjects", "--count", std::to_string(count), "--seed", std::to_string(seed), "-o",
                         raw}) &&
         RunEchoed(out, {"sh", "-c",
                         "(head -n 1 \"$0\" && tail -n +2 \"$0\" | LC_ALL=C sort -S 1G) > \"$1.part\" && mv \"$1.part\" "
                         "\"$1\" && rm \"$0\"",
                         raw, csv});
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
