// The credit check's in-memory index and its log (docs/punishment.md, "The index and its
// freshness"). An answer comes from memory; the database is read only to catch up:
//
// - every change that affects answers (a listing in force or ended through the subscriber, a
//   catalogue or memoranda import, a key added or revoked) bumps punishment_state.seq and adds a
//   row to punishment_changes in its own unit of work;
// - Fresh() reads (epoch, seq) at most every 200 ms per process (one statement, ReadSingle) and,
//   when the sequence moved, reads the changes since the last one it saw and reloads only what
//   they name (the listings of those subjects; the catalogue; the keys). A new epoch (another
//   database), more than 10,000 changes behind, or the first use: a full load.
//
// So every process answering checks on one database (several `serve` on one PostgreSQL) sees a
// committed change within 200 ms plus one poll. In `serve` (a platform with Platform::AtDetach)
// a thread of the index polls and a request never reads the database once the index is loaded;
// the detach hook stops that thread before the database goes. Elsewhere (one command) the
// request that finds the index due polls.
#include <xinjian/digest.h>
#include <xinjian/thread.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "punishment.h"

#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::punishment {

using nlohmann::json;

namespace {

constexpr std::int64_t kPollNs = 200'000'000;
constexpr std::int64_t kMaxCatchUp = 10000;

std::int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::vector<std::string> JsonList(std::string_view text) {
  std::vector<std::string> out;
  json j = json::parse(text, nullptr, false);
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) out.push_back(x.get<std::string>());
  return out;
}

std::string Hex(const unsigned char* p, std::size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

struct Loaded {
  std::unordered_map<std::string, std::vector<ActiveListing>> listings;
  std::map<std::string, Measure> measures;
  std::vector<std::pair<std::string, std::string>> triggers;  // (list, measure)
  std::unordered_map<std::string, std::shared_ptr<const KeyInfo>> keys;
  bool catalogue = false, keys_loaded = false;
};

Status ReadListings(Sql& sql, const std::string& uscc,
                    std::unordered_map<std::string, std::vector<ActiveListing>>* out) {
  std::string q = "SELECT id, list, uscc, starts_on, expires_on FROM punishment_listings WHERE state = 'in_force'";
  SqlParams params;
  if (!uscc.empty()) {
    q += " AND uscc = ?";
    params.push_back(uscc);
    (*out)[uscc];  // present, maybe empty: the subject left every list
  }
  q += " ORDER BY uscc, starts_on, id";
  return sql.Query(q, params, [&](const SqlRow& r) {
    (*out)[r.Text(2)].push_back(ActiveListing{r.Text(0), r.Text(1), r.Text(3), r.Text(4)});
    return true;
  });
}

Status ReadCatalogue(Sql& sql, Loaded* l) {
  auto m = LoadMeasures(sql);
  if (!m.ok()) return m.status();
  l->measures = std::move(m.value());
  l->catalogue = true;
  return sql.Query("SELECT DISTINCT list, measure FROM punishment_triggers ORDER BY list, measure", {},
                   [&](const SqlRow& r) {
                     l->triggers.emplace_back(r.Text(0), r.Text(1));
                     return true;
                   });
}

Status ReadKeys(Sql& sql, Loaded* l) {
  l->keys_loaded = true;
  return sql.Query("SELECT key_sha256, name, department, actions FROM punishment_keys WHERE revoked_at_us = 0", {},
                   [&](const SqlRow& r) {
                     l->keys.emplace(r.Text(0), std::make_shared<const KeyInfo>(KeyInfo{r.Text(1), r.Text(2), JsonList(r.View(3))}));
                     return true;
                   });
}

}  // namespace

bool KeyInfo::Allows(const std::string& action) const {
  for (const auto& a : actions)
    if (a == action) return true;
  return false;
}

std::string NewApiKey() {
  unsigned char bytes[32];
  bool ok = false;
  if (std::FILE* f = std::fopen("/dev/urandom", "rb"); f != nullptr) {
    ok = std::fread(bytes, 1, sizeof bytes, f) == sizeof bytes;
    std::fclose(f);
  }
  if (!ok) {
    std::random_device rd;
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  return "xjk_" + Hex(bytes, sizeof bytes);
}

std::string NewCheckId() {
  // The first 6 bytes are the milliseconds since the epoch (the ids of a log sort by time, so
  // the log's primary key grows at its end), the last 6 random.
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), static_cast<unsigned>(SteadyNs())};
    return std::mt19937_64(seq);
  }();
  const std::uint64_t ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  const std::uint64_t r = rng();
  unsigned char b[12];
  for (int j = 0; j < 6; ++j) b[j] = static_cast<unsigned char>(ms >> (8 * (5 - j)));
  for (int j = 0; j < 6; ++j) b[6 + j] = static_cast<unsigned char>(r >> (8 * j));
  return "chk_" + Hex(b, sizeof b);
}

namespace {
// One T per Platform of the process, kept for its life (a platform made later at the same address
// finds it again: the index then sees the database's epoch and sequence and catches up). The
// thread's last answer is remembered: a request takes no lock to find it.
template <typename T>
T& PerPlatform(Platform& platform) {
  thread_local const Platform* last_platform = nullptr;
  thread_local T* last = nullptr;
  if (last_platform == &platform) return *last;
  static std::mutex mu;
  static std::map<const Platform*, std::unique_ptr<T>> all;
  std::lock_guard lock(mu);
  auto& slot = all[&platform];
  if (!slot) slot = std::make_unique<T>();
  last_platform = &platform;
  last = slot.get();
  return *slot;
}
}  // namespace

CheckIndex& CheckIndex::Of(Platform& platform) { return PerPlatform<CheckIndex>(platform); }
CheckLog& CheckLog::Of(Platform& platform) { return PerPlatform<CheckLog>(platform); }

namespace {
constexpr std::size_t kFlushRows = 5000;
constexpr std::size_t kMaxQueued = 50000;
constexpr auto kMaxWait = std::chrono::seconds(5);
}  // namespace

void LogRows::Append(LogRows&& other) {
  if (checks.empty())
    checks = std::move(other.checks);
  else
    checks.insert(checks.end(), std::make_move_iterator(other.checks.begin()),
                  std::make_move_iterator(other.checks.end()));
  if (batches.empty())
    batches = std::move(other.batches);
  else
    batches.insert(batches.end(), std::make_move_iterator(other.batches.begin()),
                   std::make_move_iterator(other.batches.end()));
}

std::string BatchItemId(const std::string& batch_id, std::size_t index) {
  return batch_id + "-" + std::to_string(index);
}

CheckLog::~CheckLog() {
  // At the process's exit: a thread still running has a platform that AtDetach never reached.
  std::unique_lock lock(mu_);
  if (thread_.joinable()) thread_.detach();
}

namespace {
std::size_t ChecksIn(const LogRows& rows) {
  std::size_t n = rows.checks.size();
  for (const auto& b : rows.batches) n += static_cast<std::size_t>(b.checks);
  return n;
}
}  // namespace

bool CheckLog::EnsureWriter(Platform& platform, int flush_ms) {
  if (!running_ && !unavailable_) {
    // The first write on this platform: the writer starts, and stops at the detach.
    if (thread_.joinable()) thread_.join();
    Status hook = platform.AtDetach([this] { Stop(); });
    if (hook.ok()) {
      running_ = true;
      stop_ = false;
      thread_ = std::thread([this, &platform, flush_ms] { Run(&platform, flush_ms); });
    } else {
      unavailable_ = true;  // a platform of one command or one job: write at once
    }
  }
  return running_;
}

bool CheckLog::WaitForRoom(std::unique_lock<std::mutex>& lock) {
  // The writer behind: wait for room (back pressure), never answer without a row.
  if (pending_ < kMaxQueued) return true;
  cv_.notify_all();
  return space_cv_.wait_for(lock, kMaxWait, [&] { return pending_ < kMaxQueued || !running_; });
}

Status CheckLog::Write(Platform& platform, LogRows rows) {
  if (rows.empty()) return Status::Ok();
  const int flush_ms = CurrentSettings().check_log_flush_ms;
  if (flush_ms > 0) {
    std::unique_lock lock(mu_);
    if (EnsureWriter(platform, flush_ms)) {
      if (!WaitForRoom(lock))
        return Status::Error(StatusCode::kUnavailable, "核查日志写入跟不上，请稍后再试",
                             "the check log cannot keep up; try again later");
      if (running_) {
        const bool was_idle = pending_ == 0;
        pending_ += ChecksIn(rows);
        queue_.Append(std::move(rows));
        if (was_idle || pending_ >= kFlushRows) cv_.notify_all();
        return Status::Ok();
      }
    }
  }
  return WriteNow(platform, std::move(rows));
}

Result<std::optional<std::string>> CheckLog::LogSingle(Platform& platform, const CheckRecord& r) {
  const int flush_ms = CurrentSettings().check_log_flush_ms;
  if (flush_ms <= 0) return std::optional<std::string>();
  std::unique_lock lock(mu_);
  if (!EnsureWriter(platform, flush_ms)) return std::optional<std::string>();
  if (!WaitForRoom(lock))
    return Status::Error(StatusCode::kUnavailable, "核查日志写入跟不上，请稍后再试", "the check log cannot keep up; try again later");
  if (!running_) return std::optional<std::string>();
  CheckBatchRecord& g = groups_[{r.key_name, r.action}];
  if (g.batch_id.empty()) {
    g.batch_id = NewCheckId();
    g.key_name = r.key_name;
    g.department = r.department;
    g.action = r.action;
    g.at_us = r.at_us;
  }
  const std::int64_t index = g.checks++;
  // "index\tuscc\tanswer\tlisting ids\tmeasure codes\tat_us\n": a batch request's line and the
  // check's own time (the row's at_us is its first check's).
  std::string& t = g.items;
  t += std::to_string(index);
  t += '\t';
  t += r.uscc;
  t += '\t';
  t += r.answer;
  t += '\t';
  t += r.listing_ids;
  t += '\t';
  t += r.measure_codes;
  t += '\t';
  t += std::to_string(r.at_us);
  t += '\n';
  if (++pending_ == 1 || pending_ >= kFlushRows) cv_.notify_all();  // the first row wakes the writer
  return std::optional<std::string>(BatchItemId(g.batch_id, static_cast<std::size_t>(index)));
}

void CheckLog::Run(Platform* platform, int flush_ms) {
  // Behind the requests when CPUs are short: a round may be late by milliseconds (the queue and
  // its back pressure absorb it), an answer should not.
  BecomeBackgroundThread("xj-check-log");
  // After a failed round (the database gone) the next waits twice as long, up to kMaxRetryMs,
  // however full the queue: not a retry and an error line every interval. A success resets it.
  constexpr int kMaxRetryMs = 1000;
  int wait_ms = flush_ms;
  std::unique_lock lock(mu_);
  while (true) {
    // Idle: asleep until the first row comes (an idle server is not woken every round); then
    // the rows of the next flush_ms join it.
    cv_.wait(lock, [&] { return stop_ || flush_asked_ || pending_ > 0 || !queue_.empty() || !groups_.empty(); });
    const bool retrying = wait_ms > flush_ms;
    cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                 [&] { return stop_ || flush_asked_ || (!retrying && pending_ >= kFlushRows); });
    const bool last = stop_;
    flush_asked_ = false;
    LogRows batch;
    std::swap(batch, queue_);
    for (auto& [k, g] : groups_) batch.batches.push_back(std::move(g));
    groups_.clear();
    pending_ = 0;
    space_cv_.notify_all();
    if (!batch.empty()) {
      lock.unlock();
      Status st = WriteNow(*platform, batch);
      if (!st.ok() && last) st = WriteNow(*platform, batch);  // the last chance: once more
      lock.lock();
      wait_ms = st.ok() ? flush_ms : std::min(wait_ms * 2, std::max(flush_ms, kMaxRetryMs));
      if (!st.ok()) {
        if (!last)
          std::fprintf(stderr, "punishment: check log: %s (retried in %d ms)\n", st.message().c_str(), wait_ms);
        else
          std::fprintf(stderr, "punishment: check log: %s\n", st.message().c_str());
        if (!last) {
          // Kept, ahead of what came meanwhile, for the next round.
          pending_ += ChecksIn(batch);
          batch.Append(std::move(queue_));
          std::swap(batch, queue_);
        } else {
          std::fprintf(stderr, "punishment: check log: %zu rows could not be written at the stop\n", batch.rows());
        }
      }
    }
    ++cycles_;
    space_cv_.notify_all();
    // Rows a request queued while the last round wrote (a detach under way) are written too.
    if (last && queue_.empty() && groups_.empty()) break;
  }
  running_ = false;
  space_cv_.notify_all();
}

void CheckLog::Flush() {
  std::unique_lock lock(mu_);
  // Rows queued before now are in the round under way or in the next one.
  const std::int64_t target = cycles_ + 2;
  while (running_ && cycles_ < target) {
    flush_asked_ = true;
    cv_.notify_all();
    space_cv_.wait(lock);
  }
}

void CheckLog::Stop() {
  std::thread t;
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stop_ = true;
    cv_.notify_all();
    t = std::move(thread_);
  }
  if (t.joinable()) t.join();
}

Status CheckLog::WriteNow(Platform& platform, LogRows rows) {
  std::unique_lock lock(mu_);
  if (!open_) open_ = std::make_shared<Batch>();
  std::shared_ptr<Batch> mine = open_;
  mine->rows.Append(std::move(rows));
  while (!mine->done) {
    if (writing_) {
      space_cv_.wait(lock);
      continue;
    }
    // No unit of work running: this caller writes the open batch (its own rows among them).
    writing_ = true;
    std::shared_ptr<Batch> batch = std::move(open_);
    open_.reset();
    lock.unlock();
    Status st;
    try {
      st = LogChecks(platform, batch->rows);
    } catch (const std::exception& e) {  // never leave the others waiting on a writer that is gone
      st = Status::Error(StatusCode::kInternal, std::string("核查日志写入失败：") + e.what(),
                         std::string("the check log could not be written: ") + e.what());
    }
    batches_.fetch_add(1);
    rows_.fetch_add(static_cast<std::int64_t>(batch->rows.rows()));
    lock.lock();
    batch->status = st;
    batch->done = true;
    writing_ = false;
    space_cv_.notify_all();
  }
  return mine->status;
}

const std::vector<const Measure*>* CheckIndex::Triggered(const std::string& list, const std::string& action) const {
  auto a = triggers_.find(list);
  if (a == triggers_.end()) return nullptr;
  auto b = a->second.find(action);
  return b == a->second.end() ? nullptr : &b->second;
}

CheckIndex::~CheckIndex() {
  // At the process's exit: a refresher still running has a platform that AtDetach never reached.
  if (refresher_.joinable()) refresher_.detach();
}

Status CheckIndex::Fresh(Platform& platform, bool force) {
  // The refresher keeps the index in step: the request answers from memory.
  if (!force && loaded_.load() && refresher_on_.load()) return Status::Ok();
  return Poll(platform, force, true);
}

void CheckIndex::StopRefresher() {
  std::thread t;
  {
    std::lock_guard lock(refresher_mu_);
    refresher_stop_ = true;
    t = std::move(refresher_);
  }
  refresher_cv_.notify_all();
  if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  if (t.joinable()) t.detach();
  refresher_on_.store(false);
}

Status CheckIndex::Poll(Platform& platform, bool force, bool due_only) {
  const std::int64_t now = SteadyNs();
  if (!force && due_only && loaded_.load() && now - last_poll_ns_.load() < kPollNs) return Status::Ok();
  std::unique_lock refresh(refresh_mu_, std::defer_lock);
  if (loaded_.load() && !force) {
    // Another request is catching up: answer from what is there (at most one poll interval old).
    if (!refresh.try_lock()) return Status::Ok();
  } else {
    refresh.lock();
  }
  if (!force && due_only && loaded_.load() && SteadyNs() - last_poll_ns_.load() < kPollNs) return Status::Ok();
  std::string epoch;
  std::int64_t seq = 0;
  Status st = platform.ReadSingle([&](Sql& sql) {
    return sql.Query("SELECT epoch, seq FROM punishment_state WHERE id = 1", {}, [&](const SqlRow& r) {
      epoch = r.Text(0);
      seq = r.Int(1);
      return false;
    });
  });
  if (!st.ok()) return st;
  last_poll_ns_.store(SteadyNs());
  if (!loaded_.load() || epoch != epoch_) return FullLoad(platform);
  if (seq > seq_.load()) return CatchUp(platform, seq);
  return Status::Ok();
}

Status CheckIndex::FullLoad(Platform& platform) {
  Loaded l;
  std::string epoch;
  std::int64_t seq = 0;
  Status st = platform.Read([&](Sql& sql) -> Status {
    // The sequence first: a change committed while we read is caught up next time.
    Status s = sql.Query("SELECT epoch, seq FROM punishment_state WHERE id = 1", {}, [&](const SqlRow& r) {
      epoch = r.Text(0);
      seq = r.Int(1);
      return false;
    });
    if (!s.ok()) return s;
    if (s = ReadListings(sql, "", &l.listings); !s.ok()) return s;
    if (s = ReadCatalogue(sql, &l); !s.ok()) return s;
    return ReadKeys(sql, &l);
  });
  if (!st.ok()) return st;
  std::unique_lock lock(mu_);
  listings_ = std::move(l.listings);
  measures_ = std::move(l.measures);
  triggers_.clear();
  for (const auto& [list, code] : l.triggers) {
    auto m = measures_.find(code);
    if (m == measures_.end()) continue;
    for (const auto& action : m->second.actions) triggers_[list][action].push_back(&m->second);
  }
  keys_ = std::move(l.keys);
  epoch_ = epoch;
  seq_.store(seq);
  loaded_.store(true);
  full_loads_.fetch_add(1);
  lock.unlock();
  // When the platform's database is detached (another one attached next), the refresher stops
  // and the next request loads in full instead of answering from this database's listings.
  if (!detach_hook_.exchange(true)) {
    if (platform
            .AtDetach([this] {
              StopRefresher();
              loaded_.store(false);
              detach_hook_.store(false);
            })
            .ok()) {
      // The refresher: polls every 200 ms on its own thread, so that no request waits on the
      // database (the machine listener's few threads serve many connections each).
      std::lock_guard lock(refresher_mu_);
      refresher_stop_ = false;
      refresher_on_.store(true);
      refresher_ = std::thread([this, &platform] {
        BecomeBackgroundThread("xj-check-index");
        std::unique_lock lock(refresher_mu_);
        while (!refresher_stop_) {
          refresher_cv_.wait_for(lock, std::chrono::nanoseconds(kPollNs), [&] { return refresher_stop_; });
          if (refresher_stop_) break;
          lock.unlock();
          Status st = Poll(platform, false, false);
          if (!st.ok()) std::fprintf(stderr, "punishment: check index: %s\n", st.message().c_str());
          lock.lock();
        }
      });
    } else {
      detach_hook_.store(false);
    }
  }
  return Status::Ok();
}

Status CheckIndex::CatchUp(Platform& platform, std::int64_t to_seq) {
  Loaded l;
  std::int64_t seq = seq_.load(), rows = 0;
  bool too_many = false;
  Status st = platform.Read([&](Sql& sql) -> Status {
    std::set<std::string> usccs;
    bool catalogue = false, keys = false;
    Status s = sql.Query("SELECT seq, what, ref FROM punishment_changes WHERE seq > ? ORDER BY seq LIMIT ?",
                         {seq_.load(), kMaxCatchUp + 1}, [&](const SqlRow& r) {
                           ++rows;
                           seq = std::max(seq, r.Int(0));
                           const std::string_view what = r.View(1);
                           if (what == "listing") usccs.insert(r.Text(2));
                           if (what == "catalogue") catalogue = true;
                           if (what == "keys") keys = true;
                           return true;
                         });
    if (!s.ok()) return s;
    if (rows > kMaxCatchUp || seq < to_seq) {  // too far behind, or the changes were trimmed
      too_many = true;
      return Status::Ok();
    }
    for (const auto& u : usccs)
      if (s = ReadListings(sql, u, &l.listings); !s.ok()) return s;
    if (catalogue)
      if (s = ReadCatalogue(sql, &l); !s.ok()) return s;
    if (keys)
      if (s = ReadKeys(sql, &l); !s.ok()) return s;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (too_many) return FullLoad(platform);
  std::unique_lock lock(mu_);
  for (auto& [uscc, ls] : l.listings) {
    if (ls.empty())
      listings_.erase(uscc);
    else
      listings_[uscc] = std::move(ls);
  }
  if (l.catalogue) {
    measures_ = std::move(l.measures);
    triggers_.clear();
    for (const auto& [list, code] : l.triggers) {
      auto m = measures_.find(code);
      if (m == measures_.end()) continue;
      for (const auto& action : m->second.actions) triggers_[list][action].push_back(&m->second);
    }
  }
  if (l.keys_loaded) keys_ = std::move(l.keys);
  seq_.store(seq);
  catch_ups_.fetch_add(1);
  return Status::Ok();
}

Status AddKey(UnitOfWork& uow, const std::string& created_by, const std::string& name, const std::string& department,
              const std::vector<std::string>& actions, const std::string& key) {
  auto d = uow.sql().Exists("SELECT 1 FROM departments WHERE code = ?", {department});
  if (!d.ok()) return d.status();
  if (!d.value()) return Status::Error(StatusCode::kNotFound, "没有部门 " + department, "no department " + department);
  auto n = uow.sql().Exec(
      "INSERT INTO punishment_keys (name, department, actions, key_sha256, created_by, created_at_us) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      {name, department, json(actions).dump(), digest::Sha256Hex(key), created_by, uow.now_us()});
  if (!n.ok()) {
    if (n.status().code() == StatusCode::kAlreadyExists)
      return Status::Error(StatusCode::kAlreadyExists, "已有名为 " + name + " 的密钥", "a key named " + name + " exists");
    return n.status();
  }
  json row{{"name", name}, {"department", department}, {"actions", actions}};
  if (auto s = uow.Audit({"punishment.key.add", "punishment_key", name, "", digest::Sha256Hex(row.dump())}); !s.ok())
    return s;
  if (auto s = uow.Publish("punishment.key.added", name, row.dump()); !s.ok()) return s;
  return Bump(uow, "keys", name);
}

Status LogChecks(Platform& platform, const LogRows& rows) {
  if (rows.empty()) return Status::Ok();
  // One transaction may hold the checks of several keys: each row names its key.
  Principal who = Principal::System("punishment.credit-check");
  return platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    if (rows.checks.size() == 1) {
      const CheckRecord& r = rows.checks.front();
      auto n = uow.sql().Exec(
          "INSERT INTO punishment_checks (check_id, key_name, department, uscc, action, answer, listing_ids, "
          "measure_codes, at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {r.check_id, r.key_name, r.department, r.uscc, r.action, r.answer, r.listing_ids, r.measure_codes, r.at_us});
      if (!n.ok()) return n.status();
    } else if (!rows.checks.empty()) {
      auto w = uow.sql().BulkInsert("punishment_checks", {"check_id", "key_name", "department", "uscc", "action",
                                                          "answer", "listing_ids", "measure_codes", "at_us"});
      if (!w.ok()) return w.status();
      for (const CheckRecord& r : rows.checks)
        if (auto st = w.value()->Add({r.check_id, r.key_name, r.department, r.uscc, r.action, r.answer, r.listing_ids,
                                      r.measure_codes, r.at_us});
            !st.ok())
          return st;
      if (auto st = w.value()->Finish(); !st.ok()) return st;
    }
    // The groups in statements of up to kRowsPerInsert rows each: one round trip to the server
    // for a round's few dozen rows instead of one per row.
    constexpr std::size_t kRowsPerInsert = 64;
    for (std::size_t from = 0; from < rows.batches.size(); from += kRowsPerInsert) {
      const std::size_t to = std::min(rows.batches.size(), from + kRowsPerInsert);
      std::string sql =
          "INSERT INTO punishment_check_batches (batch_id, key_name, department, action, checks, items, at_us) VALUES ";
      SqlParams params;
      params.reserve((to - from) * 7);
      for (std::size_t i = from; i < to; ++i) {
        const CheckBatchRecord& b = rows.batches[i];
        sql += i == from ? "(?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?)";
        params.insert(params.end(), {b.batch_id, b.key_name, b.department, b.action, b.checks, b.items, b.at_us});
      }
      auto n = uow.sql().Exec(sql, params);
      if (!n.ok()) return n.status();
    }
    return Status::Ok();
  });
}

Result<std::int64_t> LoggedChecks(Sql& sql) {
  auto singles = sql.QueryInt("SELECT COUNT(*) FROM punishment_checks");
  if (!singles.ok()) return singles.status();
  auto batched = sql.QueryInt("SELECT COALESCE(SUM(checks), 0) FROM punishment_check_batches");
  if (!batched.ok()) return batched.status();
  return singles.value() + batched.value();
}

}  // namespace xj::punishment
