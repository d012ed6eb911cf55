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
// committed change within 200 ms plus one request. The refresh runs on the request that finds
// the index due, not on a thread of its own: the SDK gives a plugin no hook at the server's
// shutdown, and a thread outliving the platform it reads would touch a destroyed object.
#include <xinjian/digest.h>

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
  std::unordered_map<std::string, KeyInfo> keys;
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
                     l->keys.emplace(r.Text(0), KeyInfo{r.Text(1), r.Text(2), JsonList(r.View(3))});
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
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), static_cast<unsigned>(SteadyNs())};
    return std::mt19937_64(seq);
  }();
  unsigned char b[12];
  for (int i = 0; i < 12; i += 4) {
    const std::uint64_t v = rng();
    for (int j = 0; j < 4; ++j) b[i + j] = static_cast<unsigned char>(v >> (8 * j));
  }
  return "chk_" + Hex(b, sizeof b);
}

CheckIndex& CheckIndex::Of(Platform& platform) {
  static std::mutex mu;
  static std::map<const Platform*, std::unique_ptr<CheckIndex>> indexes;
  std::lock_guard lock(mu);
  auto& slot = indexes[&platform];
  if (!slot) slot = std::make_unique<CheckIndex>();
  return *slot;
}

const std::vector<const Measure*>* CheckIndex::Triggered(const std::string& list, const std::string& action) const {
  auto a = triggers_.find(list);
  if (a == triggers_.end()) return nullptr;
  auto b = a->second.find(action);
  return b == a->second.end() ? nullptr : &b->second;
}

Status CheckIndex::Fresh(Platform& platform, bool force) {
  const std::int64_t now = SteadyNs();
  if (!force && loaded_.load() && now - last_poll_ns_.load() < kPollNs) return Status::Ok();
  std::unique_lock refresh(refresh_mu_, std::defer_lock);
  if (loaded_.load() && !force) {
    // Another request is catching up: answer from what is there (at most one poll interval old).
    if (!refresh.try_lock()) return Status::Ok();
  } else {
    refresh.lock();
  }
  if (!force && loaded_.load() && SteadyNs() - last_poll_ns_.load() < kPollNs) return Status::Ok();
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

Status LogChecks(Platform& platform, const std::vector<CheckRecord>& records) {
  if (records.empty()) return Status::Ok();
  Principal who = Principal::System("punishment.credit-check:" + records.front().key_name);
  return platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    if (records.size() == 1) {
      const CheckRecord& r = records.front();
      auto n = uow.sql().Exec(
          "INSERT INTO punishment_checks (check_id, key_name, department, uscc, action, answer, listing_ids, "
          "measure_codes, at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {r.check_id, r.key_name, r.department, r.uscc, r.action, r.answer, r.listing_ids, r.measure_codes, r.at_us});
      return n.ok() ? Status::Ok() : n.status();
    }
    auto w = uow.sql().BulkInsert("punishment_checks", {"check_id", "key_name", "department", "uscc", "action",
                                                        "answer", "listing_ids", "measure_codes", "at_us"});
    if (!w.ok()) return w.status();
    for (const CheckRecord& r : records)
      if (auto st = w.value()->Add({r.check_id, r.key_name, r.department, r.uscc, r.action, r.answer, r.listing_ids,
                                    r.measure_codes, r.at_us});
          !st.ok())
        return st;
    return w.value()->Finish();
  });
}

}  // namespace xj::punishment
