// The published results as open data (see results.h).
#include "results.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <utility>

#include "visits.h"

namespace xj::inspection {
namespace {

using json = nlohmann::json;
using Key = std::tuple<std::string, std::string, std::string>;  // task, USCC, department

// The WHERE of a query over the notices (alias n). `join` says whether visit_items (alias vi)
// is joined row by row (QueryRows: the item and result filters apply to vi) or not (the
// filters become an EXISTS over the notice's published items).
std::string NoticeWhere(const ResultQuery& q, bool join, SqlParams* params) {
  std::string w = " WHERE 1 = 1";
  auto eq = [&](const char* column, const std::string& value) {
    if (value.empty()) return;
    w += std::string(" AND ") + column + " = ?";
    params->emplace_back(value);
  };
  eq("n.task_id", q.task);
  eq("n.department", q.department);
  eq("n.uscc", q.uscc);
  if (q.from_us != 0) {
    w += " AND n.last_published_at_us >= ?";
    params->emplace_back(q.from_us);
  }
  if (q.to_us != 0) {
    w += " AND n.last_published_at_us < ?";
    params->emplace_back(q.to_us);
  }
  if (join) {
    eq("vi.item_code", q.item);
    eq("vi.result_code", q.result);
  } else if (!q.item.empty() || !q.result.empty()) {
    w += " AND EXISTS (SELECT 1 FROM visit_items vi WHERE vi.uscc = n.uscc AND vi.task_id = n.task_id AND "
         "vi.department = n.department AND vi.state = 'published'";
    eq("vi.item_code", q.item);
    eq("vi.result_code", q.result);
    w += ")";
  }
  return w;
}

std::string NoticeOrder(const ResultQuery& q) {
  // Every key in one direction, so that the index (last_published_at_us, task_id, uscc,
  // department) is read forwards or backwards.
  const char* dir = q.newest_first ? " DESC" : "";
  return std::string(" ORDER BY n.last_published_at_us") + dir + ", n.task_id" + dir + ", n.uscc" + dir +
         ", n.department" + dir;
}

// The published item of a row read from columns [at, at + 7): item_code, result_code, method,
// inspected_on, findings, follow_up, published_on.
PublishedItem ItemOf(const SqlRow& r, int at) {
  const ResultCatalog& cat = Results();
  PublishedItem it;
  it.item = r.Text(at);
  it.result = r.Text(at + 1);
  it.method = r.Text(at + 2);
  it.inspected_on = r.Text(at + 3);
  it.findings = opendata::MaskPersonalNumbers(r.Text(at + 4));
  it.published_on = r.Text(at + 6);
  if (const ResultCode* c = cat.Find(it.result)) {
    it.result_zh = c->zh;
    it.result_en = c->en;
    it.problem = c->problem;
  }
  if (auto m = cat.methods.find(it.method); m != cat.methods.end()) {
    it.method_zh = m->second.first;
    it.method_en = m->second.second;
  }
  const json f = json::parse(r.Text(at + 5), nullptr, /*allow_exceptions=*/false);
  it.follow_up = "none";
  if (f.is_object()) {
    auto text = [&](const char* k) { return f.contains(k) && f[k].is_string() ? f[k].get<std::string>() : ""; };
    if (!text("kind").empty()) it.follow_up = text("kind");
    it.follow_up_deadline = text("deadline");
    it.follow_up_to_department = text("to_department");
  }
  return it;
}

ResultNotice NoticeOf(const SqlRow& r) {
  ResultNotice n;
  n.task = r.Text(0);
  n.uscc = r.Text(1);
  n.department = r.Text(2);
  n.first_published_us = r.Int(3);
  n.last_published_us = r.Int(4);
  n.first_published_on = r.Text(5);
  n.published_on = r.Text(6);
  return n;
}

constexpr const char* kNoticeColumns =
    "n.task_id, n.uscc, n.department, n.first_published_at_us, n.last_published_at_us, n.first_published_on, "
    "n.published_on";
constexpr const char* kItemColumns =
    "vi.item_code, COALESCE(vi.result_code, ''), COALESCE(vi.method, ''), COALESCE(vi.inspected_on, ''), "
    "vi.findings, vi.follow_up, COALESCE(vi.published_on, '')";
// The same columns named (inside a subquery), and as the query around it reads them.
constexpr const char* kItemColumnsNamed =
    "vi.item_code, COALESCE(vi.result_code, '') AS result_code, COALESCE(vi.method, '') AS method, "
    "COALESCE(vi.inspected_on, '') AS inspected_on, vi.findings, vi.follow_up, "
    "COALESCE(vi.published_on, '') AS published_on";
constexpr const char* kItemColumnsOuter =
    "vi.item_code, vi.result_code, vi.method, vi.inspected_on, vi.findings, vi.follow_up, vi.published_on";

// `values` as "?, ?, …" appended to *params, in chunks of at most 500 (one statement each).
template <typename Fn>
Status InChunks(const std::vector<std::string>& values, Fn&& fn) {
  for (std::size_t at = 0; at < values.size(); at += 500) {
    const std::size_t end = std::min(values.size(), at + 500);
    std::string marks;
    SqlParams params;
    for (std::size_t i = at; i < end; ++i) {
      marks += marks.empty() ? "?" : ", ?";
      params.emplace_back(values[i]);
    }
    if (Status st = fn(marks, params); !st.ok()) return st;
  }
  return Status::Ok();
}

// The names of what the notices name (task titles, subjects, items, departments), and the
// latest change of those names in *changed.
Status Decorate(Sql& sql, const draw::TaskService& tasks, std::vector<ResultNotice>* notices,
                std::int64_t* changed) {
  std::set<std::string> task_ids, usccs, items, departments;
  for (const ResultNotice& n : *notices) {
    task_ids.insert(n.task);
    usccs.insert(n.uscc);
    departments.insert(n.department);
    for (const PublishedItem& it : n.items) items.insert(it.item);
  }
  std::map<std::string, std::string> titles;
  for (const std::string& id : task_ids) {
    auto t = tasks.Find(sql, id);
    if (!t.ok() && t.status().code() != StatusCode::kNotFound) return t.status();
    titles[id] = t.ok() ? t->title : "";
  }
  auto names = [&](const char* table, const char* key, const std::set<std::string>& keys,
                   std::map<std::string, std::string>* out) {
    return InChunks(std::vector<std::string>(keys.begin(), keys.end()), [&](const std::string& marks,
                                                                            const SqlParams& params) {
      return sql.Query(std::string("SELECT ") + key + ", name, COALESCE(updated_at_us, 0) FROM " + table + " WHERE " +
                           key + " IN (" + marks + ")",
                       params, [&](const SqlRow& r) {
                         (*out)[r.Text(0)] = r.Text(1);
                         *changed = std::max(*changed, r.Int(2));
                         return true;
                       });
    });
  };
  std::map<std::string, std::string> subject_names, item_names, department_names;
  if (Status st = names("subjects", "uscc", usccs, &subject_names); !st.ok()) return st;
  if (Status st = names("items", "code", items, &item_names); !st.ok()) return st;
  if (Status st = names("departments", "code", departments, &department_names); !st.ok()) return st;
  for (ResultNotice& n : *notices) {
    n.task_title = titles[n.task];
    n.name = subject_names[n.uscc];
    n.department_name = department_names[n.department];
    for (PublishedItem& it : n.items) it.item_name = item_names[it.item];
  }
  return Status::Ok();
}

}  // namespace

Result<NoticePage> QueryNotices(Sql& sql, const draw::TaskService& tasks, const ResultQuery& q) {
  NoticePage page;
  SqlParams params;
  const std::string where = NoticeWhere(q, /*join=*/false, &params);
  if (Status st = sql.Query("SELECT COUNT(*), COALESCE(MAX(n.last_published_at_us), 0) FROM "
                            "inspection_result_notices n" + where,
                            params, [&](const SqlRow& r) {
                              page.total = r.Int(0);
                              page.last_changed_us = r.Int(1);
                              return false;
                            });
      !st.ok())
    return st;
  SqlParams page_params = params;
  page_params.emplace_back(q.limit);
  page_params.emplace_back(q.offset);
  std::map<Key, std::size_t> index;
  if (Status st = sql.Query(std::string("SELECT ") + kNoticeColumns + " FROM inspection_result_notices n" + where +
                                NoticeOrder(q) + " LIMIT ? OFFSET ?",
                            page_params, [&](const SqlRow& r) {
                              ResultNotice n = NoticeOf(r);
                              index[Key{n.task, n.uscc, n.department}] = page.notices.size();
                              page.notices.push_back(std::move(n));
                              return true;
                            });
      !st.ok())
    return st;
  // The page's items: the published items of its subjects, kept where they belong to a notice
  // of the page (and match the item and result filters).
  std::set<std::string> usccs, task_ids;
  for (const ResultNotice& n : page.notices) {
    usccs.insert(n.uscc);
    task_ids.insert(n.task);
  }
  if (Status st = InChunks(std::vector<std::string>(usccs.begin(), usccs.end()),
                           [&](const std::string& marks, const SqlParams& in) {
                             SqlParams p = in;
                             std::string filter, tasks_in;
                             for (const std::string& t : task_ids) {
                               tasks_in += tasks_in.empty() ? "?" : ", ?";
                               p.emplace_back(t);
                             }
                             filter += " AND vi.task_id IN (" + tasks_in + ")";
                             if (!q.item.empty()) {
                               filter += " AND vi.item_code = ?";
                               p.emplace_back(q.item);
                             }
                             if (!q.result.empty()) {
                               filter += " AND vi.result_code = ?";
                               p.emplace_back(q.result);
                             }
                             return sql.Query(std::string("SELECT vi.task_id, vi.uscc, vi.department, ") +
                                                  kItemColumns +
                                                  " FROM visit_items vi WHERE vi.state = 'published' AND vi.uscc IN (" +
                                                  marks + ")" + filter + " ORDER BY vi.item_code",
                                              p, [&](const SqlRow& r) {
                                                auto at = index.find(Key{r.Text(0), r.Text(1), r.Text(2)});
                                                if (at != index.end())
                                                  page.notices[at->second].items.push_back(ItemOf(r, 3));
                                                return true;
                                              });
                           });
      !st.ok())
    return st;
  if (Status st = Decorate(sql, tasks, &page.notices, &page.last_changed_us); !st.ok()) return st;
  return page;
}

Result<NoticePage> QueryRows(Sql& sql, const draw::TaskService& tasks, const ResultQuery& q) {
  NoticePage page;
  SqlParams agg_params;
  const std::string agg_where = NoticeWhere(q, /*join=*/false, &agg_params);
  if (Status st = sql.Query("SELECT COALESCE(MAX(n.last_published_at_us), 0) FROM inspection_result_notices n" +
                                agg_where,
                            agg_params, [&](const SqlRow& r) {
                              page.last_changed_us = r.Int(0);
                              return false;
                            });
      !st.ok())
    return st;
  // The first offset + limit + 1 matching notices, in the order of an index: each has at least
  // one matching row, so they hold every row of this page and the one after it. Their items are
  // then looked up notice by notice (visit_items_published, migration 003) and only those rows
  // sorted: the work follows offset + limit, not the number of published results. SQLite: a
  // CROSS JOIN keeps the notices the outer loop; PostgreSQL: a LATERAL subquery does (its
  // planner, misjudging the three-column join, would rather hash every published item).
  SqlParams params = agg_params;
  params.emplace_back(q.offset + q.limit + 1);
  std::string item_filter;
  if (!q.item.empty()) {
    item_filter += " AND vi.item_code = ?";
    params.emplace_back(q.item);
  }
  if (!q.result.empty()) {
    item_filter += " AND vi.result_code = ?";
    params.emplace_back(q.result);
  }
  params.emplace_back(q.limit + 1);  // one more: are there rows after this page?
  params.emplace_back(q.offset);
  const std::string notices = std::string("(SELECT ") + kNoticeColumns + " FROM inspection_result_notices n" +
                              agg_where + NoticeOrder(q) + " LIMIT ?) n";
  const std::string same = "vi.uscc = n.uscc AND vi.task_id = n.task_id AND vi.department = n.department AND "
                           "vi.state = 'published'" + item_filter;
  const bool pg = sql.dialect() == SqlDialect::kPostgresql;
  const std::string from =
      pg ? notices + " CROSS JOIN LATERAL (SELECT " + kItemColumnsNamed + " FROM visit_items vi WHERE " + same +
               " OFFSET 0) vi"  // OFFSET 0: not flattened into a join (a merge over every published item)
         : notices + " CROSS JOIN visit_items vi WHERE " + same;
  std::int64_t rows = 0;
  if (Status st = sql.Query(
          std::string("SELECT ") + kNoticeColumns + ", " + (pg ? kItemColumnsOuter : kItemColumns) + " FROM " + from +
              NoticeOrder(q) + ", vi.item_code LIMIT ? OFFSET ?",
          params, [&](const SqlRow& r) {
            if (rows == q.limit) {
              page.more = true;
              return false;
            }
            ++rows;
            ResultNotice n = NoticeOf(r);
            if (page.notices.empty() || page.notices.back().task != n.task || page.notices.back().uscc != n.uscc ||
                page.notices.back().department != n.department)
              page.notices.push_back(std::move(n));
            page.notices.back().items.push_back(ItemOf(r, 7));
            return true;
          });
      !st.ok())
    return st;
  page.total = rows;
  if (Status st = Decorate(sql, tasks, &page.notices, &page.last_changed_us); !st.ok()) return st;
  return page;
}

const std::vector<opendata::Column>& ResultColumns() {
  static const std::vector<opendata::Column> kColumns = {
      {"task", "抽查任务", "task"},
      {"task_title", "任务名称", "task_title"},
      {"uscc", "统一社会信用代码", "uscc"},
      {"name", "名称", "name"},
      {"department", "检查部门", "department"},
      {"department_name", "部门名称", "department_name"},
      {"item", "抽查事项", "item"},
      {"item_name", "事项名称", "item_name"},
      {"result", "检查结果", "result"},
      {"result_zh", "结果说明", "result_zh"},
      {"result_en", "结果说明（英文）", "result_en"},
      {"problem", "发现问题", "problem"},
      {"method", "检查方式", "method"},
      {"inspected_on", "检查日期", "inspected_on"},
      {"findings", "检查情况", "findings"},
      {"follow_up", "后续处置", "follow_up"},
      {"follow_up_deadline", "整改期限", "follow_up_deadline"},
      {"follow_up_to_department", "移送部门", "follow_up_to_department"},
      {"published_on", "公示日期", "published_on"},
  };
  return kColumns;
}

opendata::Table ResultTable(const std::vector<ResultNotice>& notices) {
  opendata::Table t;
  t.columns = ResultColumns();
  std::size_t rows = 0;
  for (const ResultNotice& n : notices) rows += n.items.size();
  t.rows.reserve(rows);
  for (const ResultNotice& n : notices)
    for (const PublishedItem& it : n.items)
      t.rows.push_back({n.task, n.task_title, n.uscc, n.name, n.department, n.department_name, it.item, it.item_name,
                        it.result, it.result_zh, it.result_en, it.problem ? "true" : "false", it.method,
                        it.inspected_on, it.findings, it.follow_up, it.follow_up_deadline,
                        it.follow_up_to_department, it.published_on});
  return t;
}

}  // namespace xj::inspection
