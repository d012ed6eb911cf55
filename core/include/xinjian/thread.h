// Threads a plugin starts for background work (a log writer, a poller, a refresher), and the
// CPUs a thread pool may size itself by.
//
//   std::thread([this] {
//     xj::BecomeBackgroundThread("xj-check-log");
//     …
//   });
//
// Header-only; Linux (elsewhere it does nothing).
#pragma once

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace xj {

// The niceness BecomeBackgroundThread adds: a thread at +10 weighs about a tenth of a request
// thread when both want a CPU (it is never starved: it still gets that tenth).
inline constexpr int kBackgroundNice = 10;

// Names the calling thread (`name`, cut to 15 bytes, as top -H, ps -L and gdb show it) and
// lowers its priority by kBackgroundNice for this thread only, so that request threads run
// first when the CPUs are short: background work may wait some milliseconds, an answer should
// not. A thread's priority can only be lowered without privileges, so this cannot be undone in
// the thread; call it first thing in a thread of its own, never on a request thread or one the
// host lent (a job, a subscriber). Never fails: where the system refuses, the thread runs as
// it was.
inline void BecomeBackgroundThread(const char* name) {
#if defined(__linux__)
  char cut[16] = {};
  std::strncpy(cut, name, sizeof cut - 1);
  pthread_setname_np(pthread_self(), cut);
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int now = getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return;
  const int nice = now + kBackgroundNice < 19 ? now + kBackgroundNice : 19;
  (void)setpriority(PRIO_PROCESS, tid, nice);
#else
  (void)name;
#endif
}

// The CPUs this process may run on, in order: its affinity (taskset, a container's cpuset),
// which may be fewer than the machine's. Elsewhere, or when the system does not say: 0 to
// hardware_concurrency - 1 (at least one). Size thread pools with it.
inline std::vector<int> UsableCpus() {
  std::vector<int> cpus;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
#endif
  if (cpus.empty())
    for (unsigned c = 0; c < std::max(1u, std::thread::hardware_concurrency()); ++c) cpus.push_back(static_cast<int>(c));
  return cpus;
}

}  // namespace xj
