// Threads a plugin starts for background work: a log writer, a poller, a refresher.
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
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <cstring>
#include <string>

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

}  // namespace xj
