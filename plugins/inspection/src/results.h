// The published results as open data (issue 14): the result notices the results API, its
// downloads and the feed of new notices serve (routes.cpp, docs/visits.md "Results API and
// downloads").
//
// A result notice is what one department published about one subject in one task (谁检查、谁
// 公开): its items, each with the result, the method, the inspection date, the findings and
// the follow-up, and the dates of its first and latest publication. Only published results are
// ever read: the notices come from inspection_result_notices (one row per task, subject and
// department, written by PublishResults in the unit of work that publishes), their items from
// the published rows of visit_items. Nothing else of a visit is read: not its team (no
// inspector, so no inspector's ID number), not its rank, not the results not published yet, not
// a subject's risk class. Findings are free text an officer typed: resident ID and mobile
// numbers in them are masked (opendata::MaskPersonalNumbers); a case number is not served.
//
// Each function reads on the Sql of the caller's read (Platform::Read), so that a page, its
// count and its names come from one snapshot; tasks' titles come through the draw plugin's
// service "draw.tasks".
//
// Errors are Status values: the Sql's (kInternal) and the task service's.
// Thread safety: plain functions and values; the Sql belongs to the caller's read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "draw/task_service.h"
#include "xinjian/opendata.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::inspection {

// Which notices, in which order, which page. Empty strings and zero instants filter nothing.
struct ResultQuery {
  std::string task, department, uscc;
  std::string item;    // notices with a published result of this item (and only those items shown)
  std::string result;  // notices with a published result of this code (and only those items shown)
  std::int64_t from_us = 0;  // latest publication at or after (UTC epoch microseconds)
  std::int64_t to_us = 0;    // latest publication before
  bool newest_first = true;  // by latest publication (then task, USCC, department)
  std::int64_t limit = 50;   // notices (QueryNotices) or rows (QueryRows)
  std::int64_t offset = 0;
};

struct PublishedItem {
  std::string item, item_name, result, result_zh, result_en, method, method_zh, method_en, inspected_on;
  bool problem = false;   // the result code counts as a problem (data/result-codes.json)
  std::string findings;   // personal numbers masked
  std::string follow_up;  // none, correct, case, transfer
  std::string follow_up_deadline, follow_up_to_department;
  std::string published_on;
};

struct ResultNotice {
  std::string task, task_title, uscc, name, department, department_name;
  std::string first_published_on, published_on;
  std::int64_t first_published_us = 0, last_published_us = 0;
  std::vector<PublishedItem> items;  // by item code
};

struct NoticePage {
  std::vector<ResultNotice> notices;
  std::int64_t total = 0;  // notices matching the query (QueryNotices), rows read (QueryRows)
  bool more = false;       // QueryRows: rows exist after this page
  // The last change of what the query matches (the latest publication among every matching
  // notice) and of the names shown on this page (subjects, items, departments): the
  // Last-Modified of a representation built from the page. 0 when nothing matches.
  std::int64_t last_changed_us = 0;
};

// A page of notices (query.limit notices from query.offset) with their items, and the count of
// every matching notice.
Result<NoticePage> QueryNotices(Sql& sql, const draw::TaskService& tasks, const ResultQuery& query);

// A page of result rows (query.limit rows from query.offset; one row per published item, the
// notices in the query's order, each notice's items by item code), grouped back into notices;
// `more` says whether rows follow. No count (a download does not need one).
Result<NoticePage> QueryRows(Sql& sql, const draw::TaskService& tasks, const ResultQuery& query);

// The notices as one row per item, the columns of ResultColumns(): what the CSV, JSON Lines and
// .xlsx downloads hold.
opendata::Table ResultTable(const std::vector<ResultNotice>& notices);
const std::vector<opendata::Column>& ResultColumns();

}  // namespace xj::inspection
