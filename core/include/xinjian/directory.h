// The directories for plugins (一单两库): what a plugin may read of departments, the item list,
// subjects, inspectors and declared relations, and the in-memory subject index the draw
// builds its pools from.
//
// The directories belong to the host: it imports them (`xinjian import`, docs/import.md),
// validates every row and leaves one audit record per changed row. A plugin reads them through
// Sql (xinjian/sql.h) inside a unit of work or a read (xinjian/platform.h) and never writes
// them. The tables and the columns a plugin may read:
//
//   departments   code TEXT primary key; name; level ('province' | 'city' | 'county');
//                 jurisdiction: ';'-separated GB/T 2260 region prefixes ("3302;3303"), '' for
//                 unlimited.
//   items         the item list (抽查事项清单). code primary key; name; department (its
//                 department's code); legal_basis; class ('key' | 'general'); ratio_min_ppm,
//                 ratio_max_ppm (percent × 10,000; NULL for none); frequency_per_year;
//                 target_types, target_labels (';'-separated, '' for any); qualification (what
//                 an inspector of the item's department needs, '' for none).
//   subjects      the subject directory (检查对象名录库). uscc primary key (18 characters);
//                 name; type ('enterprise' | 'individual' | 'intermediary' | 'social_org' |
//                 'public_institution'); region (6-digit GB/T 2260 county code); industry
//                 (GB/T 4754 code, NULL when unknown); registered_on (YYYY-MM-DD); status
//                 ('active' | 'suspended' | 'revoked' | 'deregistered': only active subjects
//                 are drawable); risk_class ('A'…'D' or NULL: internal, never published);
//                 labels (';'-separated special libraries); address (NULL when unknown);
//                 listings (the codes of the lists the subject is on now, sorted,
//                 ';'-separated: set only by Platform::SetListings, not imported, not in the
//                 digest).
//   inspectors    the inspector directory (执法检查人员名录库). id primary key; name;
//                 department; unit; office_region (GB/T 2260 code of the officer's office);
//                 certificate_no; certificate_expires (YYYY-MM-DD: not drawable after it);
//                 qualifications (';'-separated); expert (0 | 1); status ('active' |
//                 'inactive'). id_number_masked holds the officer's ID number, masked: a plugin
//                 never shows it, in any output, even masked.
//   relations     declared conflicts of interest (回避). (inspector_id, uscc, relation)
//                 primary key; relation ('spouse' | 'relative' | 'former_employer' |
//                 'shareholding' | 'other'); note.
//
// Every table also has digest (the SHA-256 of the row's canonical form, chained by the audit
// log) and updated_at_us; a plugin does not interpret them. Stored lists are ';'-separated
// with no escaping (SplitStoredList). The typed helpers below read the common cases.
//
// The subject index: a long-running process (the scheduler, the web server, the draw benchmark)
// builds pools from an in-memory copy of the subjects' drawable facts instead of scanning the
// table. The host loads it on first use (Platform::Subjects) and catches it up with the
// directory changes committed since, at every call; a plugin reads it through a lease without
// copying it (the accessors are inline: the loop over millions of subjects makes no call into
// the host).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj {

// A ';'-separated stored list (labels, qualifications, jurisdiction, target types), empty
// parts dropped. The views point into `s`.
inline std::vector<std::string_view> SplitStoredList(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Parses a percentage with up to 4 decimals ("3", "12.5", "0.0001", "100"), as the item list
// gives ratio_min / ratio_max, into parts per million exactly (percent × 10,000; what
// ratio_*_ppm store). Range 0..100; kInvalidArgument saying what is wrong otherwise.
inline Result<long long> PercentToPpm(std::string_view t) {
  auto bad = [&](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, zh, en);
  };
  std::size_t dot = t.find('.');
  std::string_view ip = t.substr(0, dot), fp = dot == std::string_view::npos ? std::string_view() : t.substr(dot + 1);
  if (ip.empty() || ip.size() > 3 || (dot != std::string_view::npos && fp.empty()))
    return bad("百分比格式无效（如 3 或 12.5）", "invalid percentage (e.g. 3 or 12.5)");
  if (fp.size() > 4) return bad("百分比最多 4 位小数", "a percentage has at most 4 decimals");
  long long v = 0;
  for (char ch : ip) {
    if (ch < '0' || ch > '9') return bad("百分比格式无效（如 3 或 12.5）", "invalid percentage (e.g. 3 or 12.5)");
    v = v * 10 + (ch - '0');
  }
  long long f = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    char ch = i < fp.size() ? fp[i] : '0';
    if (ch < '0' || ch > '9') return bad("百分比格式无效（如 3 或 12.5）", "invalid percentage (e.g. 3 or 12.5)");
    f = f * 10 + (ch - '0');
  }
  long long ppm = v * 10000 + f;
  if (ppm > 1000000) return bad("百分比不能超过 100", "a percentage cannot exceed 100");
  return ppm;
}

// ---------------------------------------------------------------------------------------------
// Typed reads (header-only, on Sql). Each returns std::nullopt when there is no such row and
// the Sql's error otherwise.

struct DepartmentRow {
  std::string code, name, level;
  std::string jurisdiction;  // ';'-separated region prefixes, "" = unlimited
};

inline Result<std::optional<DepartmentRow>> FindDepartment(Sql& sql, const std::string& code) {
  std::optional<DepartmentRow> out;
  Status st =
      sql.Query("SELECT code, name, level, jurisdiction FROM departments WHERE code = ?", {code}, [&](const SqlRow& r) {
        out = DepartmentRow{r.Text(0), r.Text(1), r.Text(2), r.Text(3)};
        return false;
      });
  if (!st.ok()) return st;
  return out;
}

// True when the department's jurisdiction holds `region` (a GB/T 2260 code): one of its
// prefixes begins the code, or the jurisdiction is unlimited ("").
inline bool JurisdictionHolds(const DepartmentRow& dept, std::string_view region) {
  const auto prefixes = SplitStoredList(dept.jurisdiction);
  if (prefixes.empty()) return true;
  for (std::string_view pre : prefixes)
    if (region.substr(0, pre.size()) == pre) return true;
  return false;
}

// True when the department `code` exists and its jurisdiction holds the subject `uscc`'s
// region; false for an unknown department or subject. The Sql's error otherwise.
inline Result<bool> DepartmentHoldsSubject(Sql& sql, const std::string& code, const std::string& uscc) {
  auto dept = FindDepartment(sql, code);
  if (!dept.ok()) return dept.status();
  if (!dept.value()) return false;
  std::optional<std::string> region;
  Status st = sql.Query("SELECT region FROM subjects WHERE uscc = ?", {uscc}, [&](const SqlRow& r) {
    region = r.Text(0);
    return false;
  });
  if (!st.ok()) return st;
  return region.has_value() && JurisdictionHolds(*dept.value(), *region);
}

struct ItemRow {
  std::string code, name, department, legal_basis, item_class;  // item_class: "key" | "general"
  std::int64_t ratio_min_ppm = -1, ratio_max_ppm = -1;          // -1: none
  std::int64_t frequency_per_year = 0;
  std::vector<std::string> target_types, target_labels;  // empty: any
  std::string qualification;                             // "" for none
};

inline Result<std::optional<ItemRow>> FindItem(Sql& sql, const std::string& code) {
  std::optional<ItemRow> out;
  Status st = sql.Query(
      "SELECT code, name, department, legal_basis, class, COALESCE(ratio_min_ppm, -1), COALESCE(ratio_max_ppm, -1), "
      "frequency_per_year, target_types, target_labels, qualification FROM items WHERE code = ?",
      {code}, [&](const SqlRow& r) {
        ItemRow it;
        it.code = r.Text(0);
        it.name = r.Text(1);
        it.department = r.Text(2);
        it.legal_basis = r.Text(3);
        it.item_class = r.Text(4);
        it.ratio_min_ppm = r.Int(5);
        it.ratio_max_ppm = r.Int(6);
        it.frequency_per_year = r.Int(7);
        for (std::string_view v : SplitStoredList(r.View(8))) it.target_types.emplace_back(v);
        for (std::string_view v : SplitStoredList(r.View(9))) it.target_labels.emplace_back(v);
        it.qualification = r.Text(10);
        out = std::move(it);
        return false;
      });
  if (!st.ok()) return st;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The directory change feed (header-only, on Sql; reads the audit log).
//
// A plugin that keeps something derived from the directories (a search index, a cache) finds
// what changed since it last looked in the audit log: every row `xinjian import` inserts,
// updates or removes leaves one record naming the directory (entity "department", "item",
// "subject", "inspector" or "relation") and the row's key (the code, the USCC, the inspector
// id; a relation's key is "inspector_id<TAB>uscc<TAB>relation"). Positions (audit_log.seq) only
// grow. Records are appended in commit order under the audit log's lock, so every record up to
// the head read in the same unit of work or read is committed: keep the position you reached,
// read the head, then the changes up to it, and store the head as your new position with what
// you derived, in one unit of work. A key may come several times (changed twice); it says
// *that* the row changed: read the row itself (it is gone when it was removed). A few records
// carry a note instead of a key (a department an import created: "CODE: level=province, …");
// such a key names no row, so reading it finds nothing, and nothing was removed.

// The position of the audit log's last record (0 for an empty log).
inline Result<std::int64_t> AuditHead(Sql& sql) { return sql.QueryInt("SELECT seq FROM audit_head WHERE id = 1"); }

struct DirectoryChange {
  std::int64_t seq = 0;  // the record's position
  std::string key;       // the changed row's key
};

// The changes of directory `entity` recorded after position `after` and up to `upto`
// (inclusive), in position order, at most `limit` of them, appended to `*out`. Stops early
// when `limit` is reached: continue after the last seq returned. The scan reads the records of
// every entity in (after, upto], so keep the window short (a catch-up at every call, or steps).
inline Status DirectoryChangesAfter(Sql& sql, std::string_view entity, std::int64_t after, std::int64_t upto,
                                    std::int64_t limit, std::vector<DirectoryChange>* out) {
  return sql.Query("SELECT seq, entity_key FROM audit_log WHERE seq > ? AND seq <= ? AND entity = ? ORDER BY seq LIMIT ?",
                   {after, upto, std::string(entity), limit}, [&](const SqlRow& r) {
                     out->push_back(DirectoryChange{r.Int(0), r.Text(1)});
                     return true;
                   });
}

// ---------------------------------------------------------------------------------------------
// GB/T 2260 region codes.

// The administrative division codes the host validates subjects' regions against (the table
// compiled into the host). Thread-safe (immutable); valid for the life of the process.
class RegionCodes {
 public:
  virtual ~RegionCodes() = default;
  // True for a listed county code (6 digits), or a prefecture (XXYY00) or province (XX0000)
  // code with a listed county under it.
  virtual bool IsValid(std::string_view code) const = 0;
};

// ---------------------------------------------------------------------------------------------
// The in-memory subject index.

// The columns of a subject that decide whether it is drawable and into which stratum, as
// stored (views valid as long as their source: a row callback, or the index lease).
struct SubjectFacts {
  std::string_view uscc, type, region, industry, registered_on, status, risk_class, labels;
  std::string_view listings;  // host API 12: the list codes in force, ';'-separated
};

// The coded values of the index (FactsOf returns views of these). kSubjectStatuses ends with
// "missing": a subject that left the directory keeps its slot with that status (never
// drawable). kRiskClasses starts with "" (no class).
inline constexpr std::string_view kSubjectTypes[] = {"enterprise", "individual", "intermediary", "social_org",
                                                     "public_institution"};
inline constexpr std::string_view kSubjectStatuses[] = {"active", "suspended", "revoked", "deregistered", "missing"};
inline constexpr std::string_view kRiskClasses[] = {"", "A", "B", "C", "D"};

// Every subject of the directory in flat arrays, about 45 bytes each, sorted by USCC (byte
// order). Read-only for plugins: the host builds it and catches it up
// (core/src/subject_index.cpp); a plugin gets it through a SubjectIndexLease and must not keep
// a pointer, view or index position beyond the lease. Positions (`i`) run from 0 to size()-1
// in USCC order and stay valid for the lease.
//
// The data layout is part of the host API: changing it changes kHostApiVersion (plugin.h).
class SubjectIndex {
 public:
  SubjectIndex(const SubjectIndex&) = delete;
  SubjectIndex& operator=(const SubjectIndex&) = delete;

  std::size_t size() const { return n_; }
  std::string_view uscc(std::size_t i) const { return {usccs_.data() + i * 18, 18}; }
  // Every fact of subject `i`.
  SubjectFacts FactsOf(std::size_t i) const {
    return SubjectFacts{uscc(i),
                        kSubjectTypes[type_[i]],
                        std::string_view(regions_.data() + i * 6, 6),
                        industries_[industry_[i]],
                        std::string_view(registered_.data() + i * 10, 10),
                        kSubjectStatuses[status_[i]],
                        kRiskClasses[risk_[i]],
                        label_sets_[labels_[i]],
                        listing_sets_[listings_[i]]};
  }
  // Only the USCC, the region and the registration date (the other fields empty).
  SubjectFacts PlaceOf(std::size_t i) const {
    SubjectFacts f;
    f.uscc = uscc(i);
    f.region = std::string_view(regions_.data() + i * 6, 6);
    f.registered_on = std::string_view(registered_.data() + i * 10, 10);
    return f;
  }
  // A key of the categorical facts: CategoryKey(i) == CategoryKey(j) implies equal type,
  // status, risk class, industry, labels and listings (for memoising decisions on those).
  // Packed as 4 + 4 + 4 + 16 + 24 + 12 bits; an index with more distinct label sets or
  // listing sets than that holds gives each subject a key of its own (still correct, only
  // without memoising).
  std::uint64_t CategoryKey(std::size_t i) const {
    if (label_sets_.size() > (1u << 24) || listing_sets_.size() > (1u << 12)) return std::uint64_t{1} << 63 | i;
    return std::uint64_t{type_[i]} | std::uint64_t{status_[i]} << 4 | std::uint64_t{risk_[i]} << 8 |
           std::uint64_t{industry_[i]} << 12 | std::uint64_t{labels_[i]} << 28 | std::uint64_t{listings_[i]} << 52;
  }
  // Calls `fn(i)` (returning bool: false stops) for each subject whose region starts with one
  // of `prefixes` (every subject when empty), in USCC order. Inline, so that the walk over
  // millions of subjects costs no call.
  template <typename Fn>
  void ScanIndices(const std::vector<std::string>& prefixes, Fn&& fn) const {
    for (std::size_t i = 0; i < n_; ++i) {
      if (!prefixes.empty()) {
        const char* r = regions_.data() + i * 6;
        bool in = false;
        for (const auto& p : prefixes) {
          if (std::memcmp(r, p.data(), p.size() < 6 ? p.size() : 6) == 0) {
            in = true;
            break;
          }
        }
        if (!in) continue;
      }
      if (!fn(i)) return;
    }
  }
  // Calls `fn(i, facts)` for each subject under `prefixes`, in USCC order.
  template <typename Fn>
  void Scan(const std::vector<std::string>& prefixes, Fn&& fn) const {
    ScanIndices(prefixes, [&](std::size_t i) {
      fn(i, FactsOf(i));
      return true;
    });
  }
  // The bytes the arrays and dictionaries take.
  std::size_t MemoryBytes() const {
    std::size_t b = usccs_.capacity() + regions_.capacity() + registered_.capacity() + type_.capacity() +
                    status_.capacity() + risk_.capacity() + industry_.capacity() * 2 + labels_.capacity() * 4 +
                    listings_.capacity() * 4;
    for (const auto& s : industries_) b += sizeof(std::string) + s.capacity();
    for (const auto& s : label_sets_) b += sizeof(std::string) + s.capacity();
    for (const auto& s : listing_sets_) b += sizeof(std::string) + s.capacity();
    return b;
  }
  // The audit record (audit_log.seq) the index reflects: directory changes after it are not
  // in it yet.
  std::int64_t audit_seq() const { return audit_seq_; }

 private:
  friend class SubjectIndexBuilder;  // the host: core/src/subject_index.cpp
  SubjectIndex() = default;

  std::size_t n_ = 0;
  std::string usccs_;                               // 18 bytes each
  std::string regions_;                             // 6 bytes each (padded with spaces)
  std::string registered_;                          // 10 bytes each
  std::vector<std::uint8_t> type_, status_, risk_;  // into kSubjectTypes, kSubjectStatuses, kRiskClasses
  std::vector<std::uint16_t> industry_;             // into industries_
  std::vector<std::uint32_t> labels_;               // into label_sets_
  std::vector<std::string> industries_, label_sets_;
  std::unordered_map<std::string, std::uint32_t> industry_ids_, label_ids_;  // the host's lookups
  std::int64_t audit_seq_ = 0;
  // Host API 12, after the members of API 11 so that their offsets stay what older plugins'
  // inline accessors read.
  std::vector<std::uint32_t> listings_;  // into listing_sets_
  std::vector<std::string> listing_sets_;
  std::unordered_map<std::string, std::uint32_t> listing_ids_;
};

// Read access to the subject index for as long as the lease lives: it holds a shared lock, so
// the host's catch-up (which takes the lock exclusively) never changes the index under a
// reader. Movable, not copyable.
//
// Thread safety: any number of threads may hold leases at once; Platform::Subjects hands out
// another at once while nothing was committed since the last catch-up, and otherwise waits for
// the leases held before it catches up. So a thread holding a lease must not call into the
// platform (Subjects, RunInTransaction, Read): the catch-up may be waiting for it. Take the
// lease, scan, let it go.
class SubjectIndexLease {
 public:
  SubjectIndexLease(const SubjectIndex* index, std::shared_lock<std::shared_mutex> lock)
      : index_(index), lock_(std::move(lock)) {}
  const SubjectIndex& operator*() const { return *index_; }
  const SubjectIndex* operator->() const { return index_; }

 private:
  const SubjectIndex* index_;
  std::shared_lock<std::shared_mutex> lock_;
};

}  // namespace xj
