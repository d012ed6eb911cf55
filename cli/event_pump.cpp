// See event_pump.h.
#include "event_pump.h"

#include <algorithm>
#include <iostream>

#include "database.h"
#include "journal.h"
#include "platform_impl.h"
#include "plugin_host.h"
#include "scan.h"

namespace xj::cli {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(250);
constexpr auto kFirstRetry = std::chrono::seconds(1);
constexpr auto kLastRetry = std::chrono::seconds(30);
constexpr auto kWarnAgain = std::chrono::seconds(60);

}  // namespace

EventPump::EventPump(const Globals& g, PluginHost& host) : g_(g), host_(host) {}

EventPump::~EventPump() { Stop(); }

Status EventPump::Start() {
  if (Status st = Reconnect(); !st.ok()) return st;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void EventPump::Stop() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  if (db_) {
    PlatformImpl& platform = host_.platform();
    auto lock = platform.Lock();
    if (platform.database() == db_.get()) platform.Attach(nullptr);
    db_.reset();
  }
}

Status EventPump::Reconnect() {
  PlatformImpl& platform = host_.platform();
  auto lock = platform.Lock();
  if (db_ && platform.database() == db_.get()) platform.Attach(nullptr);
  db_.reset();
  // serve migrated the database before starting: no migration, no creation here.
  auto db = Database::Open(g_.db_url, {.migrate = false, .create = false, .require_schema = true});
  if (!db.ok()) return db.status();
  db_ = std::move(db).value();
  platform.Attach(db_.get());
  return Status::Ok();
}

Result<std::int64_t> EventPump::MaxEventId() {
  auto lock = host_.platform().Lock();
  std::int64_t max_id = 0;
  Status st = ScanRows(*db_, "SELECT COALESCE(MAX(id), 0) FROM events", {}, [&](const ScanRow& r) {
    max_id = std::stoll(std::string(r.values[0]));
    return false;
  });
  if (!st.ok()) return st;
  return max_id;
}

Result<std::int64_t> EventPump::Round(bool* failed) {
  *failed = false;
  std::map<std::string, WritingSubscriber*> writers;
  for (const auto& [name, sub] : host_.writing_subscribers()) writers[name] = sub.get();
  std::map<std::string, EventSubscriber*> subs;
  for (const auto& [name, sub] : host_.subscribers()) subs[name] = sub.get();
  PlatformImpl& platform = host_.platform();
  auto lock = platform.Lock();
  std::int64_t delivered = 0;
  auto take = [&](const Result<DispatchReport>& rep) -> Status {
    if (!rep.ok()) return rep.status();
    delivered += rep->delivered;
    for (const std::string& f : rep->failures) {
      *failed = true;
      Warn(f.substr(0, f.find(':')), "事件投递失败，稍后重试 / event delivery failed, retried later: " + f);
    }
    return Status::Ok();
  };
  if (!writers.empty())
    if (Status st = take(DispatchWritingEvents(platform, writers)); !st.ok()) return st;
  if (!subs.empty())
    if (Status st = take(DispatchEvents(*db_, subs)); !st.ok()) return st;
  return delivered;
}

void EventPump::Warn(const std::string& key, const std::string& message) {
  const auto now = std::chrono::steady_clock::now();
  auto it = warned_.find(key);
  if (it != warned_.end() && it->second.first == message && now - it->second.second < kWarnAgain) return;
  warned_[key] = {message, now};
  std::cerr << "警告 / warning: " << Printable(message, 3000, true) << "\n";
}

void EventPump::Loop() {
  const bool any = !host_.subscribers().empty() || !host_.writing_subscribers().empty();
  std::int64_t seen = -1;  // the highest event id when the last complete round began
  bool again = true;       // the last round delivered something, or none ran yet
  bool broken = false;     // the connection failed: reopen it before the next round
  auto retry_at = std::chrono::steady_clock::time_point::max();
  auto backoff = std::chrono::steady_clock::duration(kFirstRetry);
  bool last = false;
  while (any) {
    last = stopping_.load();
    const auto now = std::chrono::steady_clock::now();
    Status st;
    if (broken) st = Reconnect();
    if (st.ok()) broken = false;
    Result<std::int64_t> max_id = st.ok() ? MaxEventId() : Result<std::int64_t>(st);
    if (max_id.ok() && (last || again || max_id.value() != seen || now >= retry_at)) {
      bool failed = false;
      Result<std::int64_t> n = Round(&failed);
      if (n.ok()) {
        seen = max_id.value();
        again = n.value() > 0;
        if (failed) {
          retry_at = now + backoff;
          backoff = std::min<std::chrono::steady_clock::duration>(backoff * 2, kLastRetry);
        } else {
          retry_at = std::chrono::steady_clock::time_point::max();
          backoff = kFirstRetry;
        }
      } else {
        max_id = n.status();
      }
    }
    if (!max_id.ok()) {
      // The database is unreachable or the connection broke (a PostgreSQL restart): say so,
      // reopen it and try again a little later, slower each time.
      Warn("database", "事件投递暂停 / event delivery paused: " + max_id.status().message());
      broken = true;
      again = false;
      retry_at = now + backoff;
      backoff = std::min<std::chrono::steady_clock::duration>(backoff * 2, kLastRetry);
    }
    if (last) break;
    std::unique_lock<std::mutex> l(mu_);
    const auto wait = broken ? std::max<std::chrono::steady_clock::duration>(kPoll, retry_at - now)
                             : std::chrono::steady_clock::duration(again ? std::chrono::milliseconds(0) : kPoll);
    wake_.wait_for(l, wait, [&] { return stopping_.load(); });
  }
}

}  // namespace xj::cli
