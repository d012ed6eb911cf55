// The inspector's task list and a department's visits (issue 14): what GET /my/visits, GET
// /api/v1/my/visits and GET /department/visits show (pages.cpp; docs/visits.md "The inspector's
// task list on the web").
//
// Confidentiality: a visit names a drawn subject, which is not public before the task's reveal.
// So these lists are never public: an inspector sees the visits whose team he is on (his login is
// his inspector id), a supervisor the visits with an item of his department (a task's departments
// see its selection before the reveal). The team is shown by name only: an inspector's id number
// is never read (the directory keeps it masked anyway), nor are the inspectors' ids. Findings are
// free text: personal numbers in them are masked here too.
//
// Errors are Status values: the Sql's (kInternal) and the task service's.
// Thread safety: plain functions and values; the Sql belongs to the caller's read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "draw/task_service.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::inspection {

struct TeamMember {
  std::string name;  // from the inspector directory; "" when the inspector is gone from it
  bool lead = false;
  bool you = false;  // the inspector the list is for
};

struct ListedItem {
  std::string item, item_name, task, task_title, department, state;
  std::string result, result_zh, result_en;  // once entered
  std::string inspected_on, findings;        // findings with personal numbers masked
  std::string due_date, card;                // publication deadline (once entered) and its card
  bool due_provisional = false;
  std::string published_on;
};

struct ListedVisit {
  std::string id, uscc, name, address, state, merged_into, started_on;
  // The day the inspections are due (the task's due_date; the earliest of a joint visit's
  // tasks); "" when the tasks set none.
  std::string due_date;
  // The earliest publication deadline among the visit's entered, unpublished items; "" when none.
  std::string publish_due;
  std::string lead_name;
  bool you_lead = false;
  std::vector<TeamMember> team;  // lead first
  std::vector<ListedItem> items;
};

struct VisitListQuery {
  // One of them: the visits whose team has this inspector, or those with an item of this
  // department.
  std::string inspector, department;
  bool include_closed = false;  // published visits too (merged ones never: their joint visit is listed)
  std::int64_t limit = 100, offset = 0;
};

struct VisitList {
  std::vector<ListedVisit> visits;  // by due date (none last), then publication deadline, then id
  std::int64_t total = 0;
};

// The page of visits the query asks for, with the count of all.
Result<VisitList> ListVisits(Sql& sql, const draw::TaskService& tasks, const VisitListQuery& q);

// The visit `id` when `inspector` is on its team (a merged visit included); std::nullopt
// otherwise, whether or not it exists (the caller answers 404 either way: never confirming a
// visit to someone outside its team).
Result<std::optional<ListedVisit>> VisitOfInspector(Sql& sql, const draw::TaskService& tasks, const std::string& id,
                                                    const std::string& inspector);

}  // namespace xj::inspection
