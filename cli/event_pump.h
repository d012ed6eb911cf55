// The event delivery of `xinjian serve`: the plugins' subscribers receive every event of the
// outbox within about a second of its commit, whichever process committed it (a command run
// by someone else, the scheduler's job runs, another serve node).
//
// Why a thread of its own with its own long-lived connection, rather than rounds in serve's
// main thread or a job of the scheduler: delivery then does not depend on the scheduler
// (`serve --no-scheduler` delivers too, and a slow subscriber never delays a fire time), and
// each connection is used by one thread only, as Database requires. On SQLite, WAL lets it
// read beside the scheduler's writer; it takes the write lock only for one event (writing
// subscribers) or one batch of at most 100 (the others) at a time. (A first attempt that
// opened a connection in the main thread stalled the scheduler: Database::Open checked the
// file with fopen/fclose, and that close dropped the POSIX locks of every SQLite connection
// of the process; see database.cpp. Fixed there, not worked around here.)
//
// Between rounds it polls the highest event id (an indexed MAX, every 250 ms) and runs a
// round when it changed, when the previous round delivered something (there may be more),
// or when a subscriber failed and its retry is due (1 s, doubling to 30 s). Several serve
// processes may deliver at once: DispatchEvents and DispatchWritingEvents read and advance a
// subscriber's position in one transaction that holds it (PostgreSQL: the row FOR UPDATE;
// SQLite: the write lock), so an event reaches a subscriber once, the at-least-once contract
// (events.h) aside.
//
// The connection is attached to the plugin host's platform for the process's lifetime, so a
// plugin's units of work and reads through the platform it got at init work in serve too;
// a round holds the platform's lock (PlatformImpl::Lock) while it uses the connection.
//
// Thread safety: Start and Stop from one thread (serve's main thread).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cli.h"
#include "xinjian/status.h"

namespace xj {
class Database;
class PluginHost;
}  // namespace xj

namespace xj::cli {

class EventPump {
 public:
  // `host` must outlive the pump.
  EventPump(const Globals& g, PluginHost& host);
  ~EventPump();
  EventPump(const EventPump&) = delete;
  EventPump& operator=(const EventPump&) = delete;

  // Opens the connection, attaches it to the host's platform and starts the thread. The
  // database's error when it cannot be opened.
  Status Start();
  // Delivers what is pending one last time (the events of the runs that just ended), stops
  // the thread, detaches and closes the connection. Idempotent.
  void Stop();

 private:
  void Loop();
  // One round: writing subscribers first (the events they publish reach the others in the
  // same round), then the others. Returns the events delivered, or the database's error;
  // `*failed` when a subscriber refused an event (its retry is then scheduled).
  Result<std::int64_t> Round(bool* failed);
  Result<std::int64_t> MaxEventId();
  Status Reconnect();
  void Warn(const std::string& key, const std::string& message);

  const Globals& g_;
  PluginHost& host_;
  std::unique_ptr<Database> db_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  // Warnings already printed (key -> message, time), so a failing subscriber is reported when
  // its message changes or once a minute, not four times a second.
  std::map<std::string, std::pair<std::string, std::chrono::steady_clock::time_point>> warned_;
};

}  // namespace xj::cli
