// HTTP routes for plugins: a plugin registers the pages and JSON API routes of the data it
// owns (Registrar::AddRoute, capability "http"); `xinjian serve --listen ADDR` serves them.
// No web server type crosses this boundary: a handler reads an HttpRequest, decides on the
// caller's Principal and writes an HttpResponse.
//
//   xj::RouteSpec spec{xj::HttpMethod::kGet, "/api/v1/notes/{id}", xj::RouteAccess::kPublic, {},
//                      "便条 / a note"};
//   reg.AddRoute(spec, [](xj::HttpContext& http) -> xj::Status {
//     const std::string& id = http.request().path_params.at("id");
//     auto note = LoadNote(http.platform(), id);           // a Status error becomes the reply
//     if (!note.ok()) return note.status();
//     http.response().body = NoteJson(note.value());       // 200, JSON by default
//     return xj::Status::Ok();
//   });
//
// The host decides before the handler runs: the route's access rule against the caller (a
// route that is not public answers 401 unauthenticated to an anonymous caller and 403
// permission_denied to a caller without one of its roles); the request's size (a body over
// 1 MiB is 413, a path over 2 KiB 414, a malformed percent-encoding 400); unknown paths (404)
// and methods (405, with Allow). After the handler: a handler that returns an error gets the
// JSON reply {"error": {"code": "not_found", "message": "中文 / English"}} with the status of
// its code (kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied 403, kNotFound 404,
// kAlreadyExists and kConflict 409, kFailedPrecondition 409, kUnavailable 503, anything else
// 500 with a generic message: no SQL, paths or stack traces reach a client). Every response
// carries Content-Length and the security headers (a Content-Security-Policy without
// 'unsafe-inline', nosniff, frame-ancestors 'none', no referrer).
//
// A route decides what the caller may see on the principal (principal.h), exactly as a
// command does: a selection before the reveal only for the task's departments, never a risk
// class, never a natural person's data.
//
// Thread safety: handlers run on the server's threads, several at once; the platform is safe
// to use from them (platform.h). An HttpContext belongs to the call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityHttp = "http";

enum class HttpMethod { kGet, kPost, kPut, kPatch, kDelete };

// "GET", "POST", …
inline const char* HttpMethodName(HttpMethod m) {
  switch (m) {
    case HttpMethod::kGet: return "GET";
    case HttpMethod::kPost: return "POST";
    case HttpMethod::kPut: return "PUT";
    case HttpMethod::kPatch: return "PATCH";
    case HttpMethod::kDelete: return "DELETE";
  }
  return "?";
}

// Who may call a route.
enum class RouteAccess {
  kPublic,    // anyone, signed in or not
  kSignedIn,  // a signed-in user (any role); `roles` narrows it to those roles when not empty
};

struct RouteSpec {
  HttpMethod method = HttpMethod::kGet;
  // "/api/v1/tasks/{id}": segments of [A-Za-z0-9._~-] or a parameter {name} ([a-z][a-z0-9_]*)
  // that matches one whole segment. A literal segment wins over a parameter at the same place.
  std::string pattern;
  RouteAccess access = RouteAccess::kPublic;
  std::vector<std::string> roles;  // with kSignedIn: one of these roles (principal.h), or any when empty
  std::string help;                // one line, "中文 / English"
};

struct HttpRequest {
  HttpMethod method = HttpMethod::kGet;
  std::string path;                                // percent-decoded, without the query
  std::map<std::string, std::string> path_params;  // the pattern's {name}s, percent-decoded
  std::multimap<std::string, std::string> query;   // percent-decoded; '+' is a space
  std::map<std::string, std::string> headers;      // names in lower case
  std::string body;
  // The first value of query parameter `name`, or `fallback`.
  std::string Query(const std::string& name, const std::string& fallback = "") const {
    auto it = query.find(name);
    return it == query.end() ? fallback : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;  // added to the host's own
  std::string body;
};

// What a running handler gets from the host. Valid during the call only.
class HttpContext {
 public:
  virtual ~HttpContext() = default;
  virtual const HttpRequest& request() const = 0;
  // The caller: Principal::Anonymous() for the public, else the signed-in user.
  virtual const Principal& principal() const = 0;
  // The platform with the server's database attached.
  virtual Platform& platform() = 0;
  virtual HttpResponse& response() = 0;
  // "plugins.<this plugin>.<key>" from the server's --set, or `fallback`.
  virtual std::string Config(const std::string& key, const std::string& fallback) const = 0;

  // ---- Pages (host API 9). ----
  // The language the caller reads the site in: "zh" (the default) or "en", chosen with the
  // switch in the page header (?lang=en|zh, then remembered in the xj_lang cookie).
  virtual std::string lang() const = 0;
  // The caller's CSRF token: every form that posts carries it as
  // <input type="hidden" name="csrf_token" value="…"> (the host refuses a POST without it).
  virtual std::string csrf_token() const = 0;
  // Makes the response a page of the site: `content_html` (built with html.h: every data text
  // escaped) inside the site's layout (the header with the navigation, the language switch
  // and the sign-in, the footer), its <title> `title` (plain text: the host escapes it);
  // text/html, the status as set (200 by default).
  virtual void Page(const std::string& title, const std::string& content_html) = 0;
  // The sections other plugins contribute to page `page` for `key` (SectionSpec below), in
  // their order, concatenated; a section that fails is left out (and logged).
  virtual std::string Sections(const std::string& page, const std::string& key) = 0;
};

using RouteFn = std::function<Status(HttpContext&)>;

// A link in the site's navigation (Registrar::AddNavLink, host API 9), shown to the callers
// its access rule admits, in `order` (then by path).
struct NavLink {
  std::string path;  // "/tasks"
  std::string label_zh, label_en;
  RouteAccess access = RouteAccess::kPublic;
  std::vector<std::string> roles;  // with kSignedIn: one of these, or any role when empty
  int order = 100;
};

// A part of another plugin's page (Registrar::AddSection, host API 9): the page gathers the
// sections registered for its name. Pages of the built-in plugins that gather sections:
//   "home"     the home page "/" (key ""): the latest notices of every feature;
//   "subject"  a subject's public page (key: the USCC): what every feature publishes about it.
// The function returns an HTML fragment (html.h: escaped), "" for nothing to show. It decides
// on http.principal() like a route: a section of a public page shows only public data.
struct SectionSpec {
  std::string page;
  int order = 100;
};
using SectionFn = std::function<Result<std::string>(HttpContext& http, const std::string& key)>;

// Paging of a listing route: ?limit= (1..max, default `fallback`) and ?offset= (0 or more).
// kInvalidArgument naming the parameter when either is not a whole number in range.
struct Page {
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};
inline Result<Page> ReadPage(const HttpRequest& request, std::int64_t fallback = 50, std::int64_t max = 500) {
  Page p;
  p.limit = fallback;
  auto number = [](const std::string& text, std::int64_t lo, std::int64_t hi, std::int64_t* out) {
    if (text.empty() || text.size() > 12) return false;
    std::int64_t v = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
  };
  const std::string limit = request.Query("limit"), offset = request.Query("offset");
  if (!limit.empty() && !number(limit, 1, max, &p.limit))
    return Status::Error(StatusCode::kInvalidArgument, "参数 limit 须为 1 至 " + std::to_string(max) + " 的整数",
                         "limit must be a whole number from 1 to " + std::to_string(max));
  if (!offset.empty() && !number(offset, 0, 1000000000000LL, &p.offset))
    return Status::Error(StatusCode::kInvalidArgument, "参数 offset 须为非负整数", "offset must be a whole number, 0 or more");
  return p;
}

}  // namespace xj
