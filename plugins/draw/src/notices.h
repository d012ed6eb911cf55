// The task notices as the public reads them: one query shared by the JSON list
// (GET /api/v1/tasks, routes.cpp), the pages, the downloads and the feed (pages.cpp). Only
// announced tasks (a draft is not public), newest announcement first; only the fields of a
// public notice (no selection, no secret: a task's page decides those on the caller, as
// TaskViewJson does).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "xinjian/http.h"
#include "xinjian/plugin.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::draw {

// A task id typed into a URL: short, printable, no separators.
inline bool PlausibleId(const std::string& id) {
  if (id.empty() || id.size() > 100) return false;
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  });
}

struct NoticeFilter {
  std::string state;       // "" for every state but draft
  std::string department;  // "" for every department
  std::int64_t limit = 50, offset = 0;
};

// ?state= and ?department= of a request, checked for their shape: kInvalidArgument naming the
// parameter (whether the department exists is QueryNotices' question: kNotFound).
Status ReadNoticeFilter(const HttpRequest& request, NoticeFilter* filter);

struct NoticeRow {
  std::string id, title, department, department_name, state;
  std::string announce_date, draw_date, due_date;
  std::string pool_hash, commitment, entropy_source, entropy;  // entropy: once drawn
  std::int64_t pool_size = 0;
  std::int64_t announced_at_us = 0, drawn_at_us = 0, revealed_at_us = 0, cancelled_at_us = 0, updated_at_us = 0;
  std::vector<std::string> items;  // item codes, sorted
};

struct NoticeList {
  std::vector<NoticeRow> rows;  // the page asked for
  std::int64_t total = 0;       // every match
  // The latest change of any matching notice (UTC epoch microseconds; 0 when none).
  std::int64_t last_changed_us = 0;
};

// The announced tasks matching `filter`, paged in the database. kNotFound for a department
// that does not exist.
Result<NoticeList> QueryNotices(Sql& sql, const NoticeFilter& filter);

// "中文 / English" text in the reader's language (the whole text when it has no " / ").
std::string LocalText(const std::string& text, const std::string& lang);

// The page routes, the home and subject sections, the downloads and the feed (pages.cpp).
Status RegisterPages(Registrar& reg);

}  // namespace xj::draw
