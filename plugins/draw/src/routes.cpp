// The draw plugin's JSON API and assets (xinjian/http.h), served by `xinjian serve --listen`:
//
//   GET /api/v1/tasks        the task notices: every task announced (drafts are not public),
//                            newest first; ?state= announced|drawn|revealed|cancelled,
//                            ?department= CODE, ?limit= (1–500, default 50), ?offset=
//   GET /api/v1/tasks/{id}   one task's notice as `task show --json` prints it for the caller:
//                            the selection and teams only once revealed (or for the task's
//                            departments), never before
//   GET /api/v1/tasks/{id}/proof           proof.json of a revealed task, as everyone may have
//                                          it: the public variant when its strata are risk
//                                          classes (proof.h), else the full folder
//   GET /api/v1/tasks/{id}/proof/{file}    one file of that folder (proof.json, *.tsv)
//   GET /api/v1/tasks/{id}/proof-full      signed in: the full variant, for a task with
//   GET /api/v1/tasks/{id}/proof-full/{file}  withheld strata only to its departments and auditors
//   GET /assets/draw/verify-draw.js        the browser verifier (web/verify-draw.js, compiled in)
//
// A draft, and a task that does not exist, are the same 404: a draft's id is not public.
// Before the reveal a proof route answers 404 saying when the proof appears. File names are
// matched against the fixed list of a proof folder's files: nothing is read from disk.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "draw_data.h"
#include "draw_v1.h"
#include "notices.h"
#include "proof.h"
#include "tasks.h"
#include "xinjian/http.h"

namespace xj::draw {
namespace {

using nlohmann::json;

Status NoTask(const std::string& id) {
  return Status::Error(StatusCode::kNotFound, "没有已公告的抽查任务 " + id, "no announced draw task " + id);
}

Status ListRoute(HttpContext& http) {
  const HttpRequest& req = http.request();
  auto page = ReadPage(req);
  if (!page.ok()) return page.status();
  NoticeFilter filter;
  if (Status st = ReadNoticeFilter(req, &filter); !st.ok()) return st;
  filter.limit = page->limit;
  filter.offset = page->offset;
  auto notices = ReadValue<NoticeList>(http.platform(), [&](Sql& sql) { return QueryNotices(sql, filter); });
  if (!notices.ok()) return notices.status();
  json items = json::array();
  for (const NoticeRow& n : notices->rows)
    items.push_back({{"id", n.id},
                     {"title", n.title},
                     {"department", n.department},
                     {"state", n.state},
                     {"announce_date", n.announce_date},
                     {"draw_date", n.draw_date},
                     {"due_date", n.due_date},
                     {"pool_size", n.pool_size},
                     {"items", n.items}});
  json out{{"items", items}, {"total", notices->total}, {"limit", page->limit}, {"offset", page->offset}};
  http.response().body = out.dump(-1, ' ', false, json::error_handler_t::replace);
  return Status::Ok();
}

Status TaskRoute(HttpContext& http) {
  const std::string& id = http.request().path_params.at("id");
  if (!PlausibleId(id)) return NoTask(id.substr(0, 100));
  std::string body;
  Status st = http.platform().Read([&](Sql& sql) -> Status {
    auto t = LoadTask(sql, id);
    if (!t.ok()) return t.status().code() == StatusCode::kNotFound ? NoTask(id) : t.status();
    if (t->announced_at_us == 0) return NoTask(id);
    auto view = TaskViewJson(sql, t.value(), http.principal());
    if (!view.ok()) return view.status();
    body = std::move(view).value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  http.response().body = std::move(body);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Proofs.

// Every file a proof folder may hold (proof.h), in the order they are listed to a caller.
constexpr const char* kProofFileNames[] = {"proof.json",     "pool.tsv",       "selection.tsv",  "pool-public.tsv",
                                           "selection-public.tsv", "assignment.tsv", "groups.tsv", "conflicts.tsv"};

bool KnownProofFile(const std::string& name) {
  return std::any_of(std::begin(kProofFileNames), std::end(kProofFileNames),
                     [&](const char* n) { return name == n; });
}

std::string FileList(const ProofFiles& files) {
  std::string out;
  for (const char* n : kProofFileNames)
    if (FindProofFile(files, n) != nullptr) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// Why a task has no proof yet: 404 saying when it will appear.
Status NoProofYet(const TaskRecord& t) {
  if (t.state == "cancelled")
    return Status::Error(StatusCode::kNotFound, "抽查任务 " + t.id + " 已撤销，不公开抽取证明",
                         "task " + t.id + " was cancelled: no proof is published");
  const std::string due_zh = t.due_date.empty() ? "" : "（检查期限 " + t.due_date + "）";
  const std::string due_en = t.due_date.empty() ? "" : " (the inspections are due " + t.due_date + ")";
  const std::string drawn_zh = t.state == "announced" ? "尚未抽取；" : "";
  const std::string drawn_en = t.state == "announced" ? " is not drawn yet; its proof" : "'s proof";
  return Status::Error(StatusCode::kNotFound,
                       "抽查任务 " + t.id + drawn_zh + "抽取证明在检查结果全部公示、任务揭示后公开" + due_zh,
                       "task " + t.id + drawn_en + " is published after the inspections' results are published and " +
                           "the task is revealed" + due_en);
}

// A strong validator of a body, and the 304 answer when the caller has it already.
bool NotModified(HttpContext& http, const std::string& etag) {
  HttpResponse& res = http.response();
  res.headers.emplace_back("ETag", etag);
  auto it = http.request().headers.find("if-none-match");
  if (it == http.request().headers.end() || it->second.find(etag) == std::string::npos) return false;
  res.status = 304;
  res.body.clear();
  return true;
}

std::string EtagOf(std::string_view body) { return "\"" + ToHex(Sha256(body)).substr(0, 32) + "\""; }

// Serves one file of a revealed task's proof: everyone's files, or with `full` the full
// variant (to the task's departments and auditors when its strata are withheld).
Status ServeProof(HttpContext& http, bool full) {
  const HttpRequest& req = http.request();
  const std::string& id = req.path_params.at("id");
  auto f = req.path_params.find("file");
  const std::string file = f == req.path_params.end() ? "proof.json" : f->second;
  if (!PlausibleId(id)) return NoTask(id.substr(0, 100));
  if (!KnownProofFile(file)) {
    std::string all;
    for (const char* n : kProofFileNames) all += (all.empty() ? "" : ", ") + std::string(n);
    return Status::Error(StatusCode::kNotFound, "证明目录中没有这个文件（可有的文件：" + all + "）",
                         "no such file in a proof folder (its files are " + all + ")");
  }
  ProofFiles files;
  Status st = http.platform().Read([&](Sql& sql) -> Status {
    auto t = LoadTask(sql, id);
    if (!t.ok()) return t.status().code() == StatusCode::kNotFound ? NoTask(id) : t.status();
    if (t->announced_at_us == 0) return NoTask(id);
    if (t->state != "revealed") return NoProofYet(t.value());
    const bool withheld = StrataWithheld(t.value());
    if (full && withheld) {
      const Principal& who = http.principal();
      bool allowed = who.HasRole(kRoleAuditor);
      for (const auto& d : DepartmentsOf(t.value())) allowed = allowed || who.ActsFor(d);
      if (!allowed)
        return Status::Error(StatusCode::kPermissionDenied,
                             "完整证明含各对象的风险分类，只提供给任务所属部门和审计人员",
                             "the full proof shows each subject's risk class: only the task's departments and "
                             "auditors get it");
    }
    auto built = full ? FullProofFiles(sql, id) : PublishedProofFiles(sql, t.value());
    if (!built.ok()) return built.status();
    files = std::move(built).value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  const ProofFile* found = FindProofFile(files, file);
  if (found == nullptr) {
    const std::string list = FileList(files);
    return Status::Error(StatusCode::kNotFound, "该任务的证明中没有 " + file + "（其文件：" + list + "）",
                         "this task's proof has no " + file + " (its files are " + list + ")");
  }
  HttpResponse& res = http.response();
  res.content_type =
      file == "proof.json" ? "application/json; charset=utf-8" : "text/tab-separated-values; charset=utf-8";
  // A revealed proof never changes; the full variant is kept out of shared caches.
  res.headers.emplace_back("Cache-Control", full ? "private, no-store" : "public, max-age=3600");
  if (NotModified(http, EtagOf(found->content))) return Status::Ok();
  res.body = found->content;
  return Status::Ok();
}

Status VerifierScript(HttpContext& http) {
  static const std::string etag = EtagOf(kVerifyDrawJs);
  HttpResponse& res = http.response();
  res.content_type = "application/javascript; charset=utf-8";
  res.headers.emplace_back("Cache-Control", "public, max-age=604800");
  if (NotModified(http, etag)) return Status::Ok();
  res.body = std::string(kVerifyDrawJs);
  return Status::Ok();
}

}  // namespace

Status RegisterRoutes(Registrar& reg) {
  struct R {
    RouteSpec spec;
    RouteFn fn;
  };
  const R routes[] = {
      {{HttpMethod::kGet, "/api/v1/tasks", RouteAccess::kPublic, {}, "抽查任务公告列表 / the task notices"}, ListRoute},
      {{HttpMethod::kGet, "/api/v1/tasks/{id}", RouteAccess::kPublic, {}, "一个抽查任务的公告 / one task's notice"},
       TaskRoute},
      {{HttpMethod::kGet, "/api/v1/tasks/{id}/proof", RouteAccess::kPublic, {},
        "揭示后的抽取证明 proof.json（公开版本）/ a revealed task's proof.json (as everyone may have it)"},
       [](HttpContext& http) { return ServeProof(http, false); }},
      {{HttpMethod::kGet, "/api/v1/tasks/{id}/proof/{file}", RouteAccess::kPublic, {},
        "揭示后的抽取证明文件 / a file of a revealed task's proof (as everyone may have it)"},
       [](HttpContext& http) { return ServeProof(http, false); }},
      {{HttpMethod::kGet, "/api/v1/tasks/{id}/proof-full", RouteAccess::kSignedIn, {},
        "完整证明 proof.json（含分层，限任务所属部门和审计人员）/ the full proof.json (with the strata: the task's "
        "departments and auditors)"},
       [](HttpContext& http) { return ServeProof(http, true); }},
      {{HttpMethod::kGet, "/api/v1/tasks/{id}/proof-full/{file}", RouteAccess::kSignedIn, {},
        "完整证明文件（含分层，限任务所属部门和审计人员）/ a file of the full proof (with the strata: the task's "
        "departments and auditors)"},
       [](HttpContext& http) { return ServeProof(http, true); }},
      {{HttpMethod::kGet, "/assets/draw/verify-draw.js", RouteAccess::kPublic, {},
        "浏览器中的抽取验证程序 / the browser's draw verifier"},
       VerifierScript},
  };
  for (const R& r : routes)
    if (Status st = reg.AddRoute(r.spec, r.fn); !st.ok()) return st;
  return RegisterPages(reg);
}

}  // namespace xj::draw
