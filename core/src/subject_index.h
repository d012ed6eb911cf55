// The host side of the in-memory subject index (xinjian/directory.h): loading it from the
// subjects table and catching it up with the directory changes committed since, through the
// audit log (every directory write leaves one audit record per changed subject, entity
// "subject", so a catch-up re-reads exactly the changed ones).
//
// Not thread-safe: the caller (PlatformImpl::Subjects) holds the index's lock exclusively
// while it loads or catches up, and the database's.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "database.h"
#include "xinjian/directory.h"
#include "xinjian/status.h"

namespace xj {

class SubjectIndexBuilder {
 public:
  // Loads every subject (progress: rows loaded so far, every 100,000; may be empty).
  static Result<std::unique_ptr<SubjectIndex>> Load(Database& db, const std::function<void(std::uint64_t)>& progress = {});
  // Applies the directory changes committed since the last Load/CatchUp (within the caller's
  // transaction when one is open). On error the index may hold part of the changes; the next
  // call applies them again (applying a change twice is harmless).
  static Status CatchUp(SubjectIndex& index, Database& db);

 private:
  static void Append(SubjectIndex& x, const SubjectFacts& f);
  static void Set(SubjectIndex& x, std::size_t i, const SubjectFacts& f);
  static std::uint32_t Intern(SubjectIndex& x, std::vector<std::string>& dict, std::string_view s);
  // A copy of `x` in USCC order (after appends that broke the order).
  static std::unique_ptr<SubjectIndex> Sorted(const SubjectIndex& x);
};

}  // namespace xj
