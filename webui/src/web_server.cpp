#include "web_server.h"

#include "machine_listener.h"

#include <civetweb.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <functional>
#include <optional>

#include "accounts.h"
#include "embedded_assets.h"
#include "xinjian/digest.h"
#include "xinjian/html.h"
#include "xinjian/text.h"

namespace xj::web {
namespace {

constexpr std::size_t kMaxPath = 2048;
constexpr const char* kSessionCookie = "xj_session";
constexpr const char* kCsrfCookie = "xj_csrf";
constexpr const char* kSessionPath = "/api/v1/session";
constexpr const char* kLangCookie = "xj_lang";
constexpr long long kMaxBody = 1024 * 1024;

// The site's icon (the layout links it, so that browsers do not ask for a /favicon.ico that
// is not there): a seal-red square with a white check mark.
constexpr std::string_view kFavicon =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><rect width=\"16\" height=\"16\" rx=\"3\" "
    "fill=\"#b22222\"/><path d=\"M4 8.5l2.5 2.5L12 5\" fill=\"none\" stroke=\"#fff\" stroke-width=\"2\"/></svg>\n";

// Content-Security-Policy without 'unsafe-inline': scripts and styles from the site only.
constexpr const char* kSecurityHeaders =
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `s` ('+' as a space when `plus`); nullopt for a malformed escape.
std::optional<std::string> Decode(std::string_view s, bool plus) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;  // "%" or "%X" at the end
      const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

Status BadRequest(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

// Text the server accepts in a path or a query value: well-formed UTF-8 without control
// characters.
// Paths whose answers are read by programs (the API, feeds, assets): an error there stays the
// JSON error, and a route that needs a sign-in answers 401 rather than sending to /login.
bool ForMachines(const std::string& path) {
  return path.rfind("/api/", 0) == 0 || path.rfind("/feeds/", 0) == 0 || path.rfind("/assets/", 0) == 0;
}

bool CleanText(const std::string& s) { return utf8::IsValid(s) && !utf8::HasControlChar(s); }

std::optional<HttpMethod> MethodOf(const char* m) {
  if (m == nullptr) return std::nullopt;
  const std::string s = m;
  if (s == "GET" || s == "HEAD") return HttpMethod::kGet;
  if (s == "POST") return HttpMethod::kPost;
  if (s == "PUT") return HttpMethod::kPut;
  if (s == "PATCH") return HttpMethod::kPatch;
  if (s == "DELETE") return HttpMethod::kDelete;
  return std::nullopt;
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  if (path == "/") return out;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// What a page needs from the server besides the request: the layout and the other plugins'
// sections (WebServer::Impl provides them).
class PageHost {
 public:
  virtual ~PageHost() = default;
  virtual std::string Layout(HttpContext& http, const std::string& title, const std::string& content_html) = 0;
  virtual std::string SectionsOf(HttpContext& http, const std::string& page, const std::string& key) = 0;
};

// Per request: the caller's language and CSRF token (an anonymous caller without the xj_csrf
// cookie gets one, set on the reply).
struct Caller {
  std::string lang = "zh";
  std::optional<Session> session;
  std::string csrf;  // the session's, or the cookie's; "" until needed
  std::vector<std::pair<std::string, std::string>>* extra = nullptr;
  std::function<std::string()> new_csrf;  // makes one and sets its cookie
};

class Context final : public HttpContext {
 public:
  Context(const HttpRequest& request, const Principal& principal, Platform& platform,
          const std::map<std::string, std::string>& config, const std::string& plugin, Caller& caller,
          PageHost& pages)
      : request_(request),
        principal_(principal),
        platform_(platform),
        config_(config),
        plugin_(plugin),
        caller_(caller),
        pages_(pages) {}
  const HttpRequest& request() const override { return request_; }
  const Principal& principal() const override { return principal_; }
  Platform& platform() override { return platform_; }
  HttpResponse& response() override { return response_; }
  std::string Config(const std::string& key, const std::string& fallback) const override {
    auto it = config_.find("plugins." + plugin_ + "." + key);
    return it == config_.end() ? fallback : it->second;
  }
  std::string lang() const override { return caller_.lang; }
  std::string csrf_token() const override {
    if (caller_.csrf.empty()) caller_.csrf = caller_.new_csrf();
    return caller_.csrf;
  }
  void Page(const std::string& title, const std::string& content_html) override {
    response_.content_type = "text/html; charset=utf-8";
    response_.body = pages_.Layout(*this, title, content_html);
  }
  std::string Sections(const std::string& page, const std::string& key) override {
    return pages_.SectionsOf(*this, page, key);
  }
  const Caller& caller() const { return caller_; }

 private:
  const HttpRequest& request_;
  const Principal& principal_;
  Platform& platform_;
  const std::map<std::string, std::string>& config_;
  const std::string& plugin_;
  Caller& caller_;
  PageHost& pages_;
  HttpResponse response_;
};

}  // namespace

Result<std::multimap<std::string, std::string>> ParseQuery(const std::string& raw_query) {
  std::multimap<std::string, std::string> out;
  std::size_t start = 0;
  while (start < raw_query.size()) {
    std::size_t end = raw_query.find('&', start);
    if (end == std::string::npos) end = raw_query.size();
    const std::string_view pair(raw_query.data() + start, end - start);
    start = end + 1;
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = Decode(pair.substr(0, eq), true);
    auto value = Decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) return BadRequest("查询参数的百分号编码无效", "a query parameter has a malformed %-escape");
    if (!CleanText(*name) || !CleanText(*value))
      return BadRequest("查询参数含有控制字符或无效的 UTF-8", "a query parameter contains a control character or invalid UTF-8");
    out.emplace(std::move(*name), std::move(*value));
  }
  return out;
}

std::map<std::string, std::string> ParseCookies(const std::string& header) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(start, end - start);
    start = end + 1;
    const auto b = pair.find_first_not_of(' '), eq = pair.find('=');
    if (b == std::string::npos || eq == std::string::npos || eq < b) continue;
    std::string name = pair.substr(b, eq - b), value = pair.substr(eq + 1);
    while (!value.empty() && value.back() == ' ') value.pop_back();
    out.emplace(std::move(name), std::move(value));  // the first of a repeated name counts
  }
  return out;
}

Result<ParsedTarget> ParseTarget(const std::string& raw_path, const std::string& raw_query) {
  ParsedTarget t;
  if (raw_path.size() + raw_query.size() > kMaxPath)
    return Status::Error(StatusCode::kInvalidArgument, "请求地址过长（至多 2048 字节）",
                         "the request target is too long (at most 2048 bytes)");
  if (raw_path.empty() || raw_path[0] != '/') return BadRequest("路径须以 / 开头", "the path must start with /");
  // The path as the client sent it (CivetWeb's decode_url is off: a decoded %00 would cut its
  // C string short, and a malformed escape would pass as it is), decoded here.
  auto path = Decode(raw_path, false);
  if (!path) return BadRequest("路径中的百分号编码有误", "the path has a malformed percent-encoding");
  if (path->find('\0') != std::string::npos || !CleanText(*path))
    return BadRequest("路径含有控制字符或无效的 UTF-8", "the path contains a control character or invalid UTF-8");
  if (path->find('\\') != std::string::npos) return BadRequest("路径不能含有反斜杠", "the path may not contain a backslash");
  for (const std::string& seg : Segments(*path))
    if (seg == "." || seg == "..") return BadRequest("路径不能含有 . 或 .. 段", "the path may not contain . or .. segments");
  t.path = std::move(*path);
  auto query = ParseQuery(raw_query);
  if (!query.ok()) return query.status();
  t.query = std::move(query).value();
  return t;
}

const RegisteredRoute* MatchRoute(const std::vector<RegisteredRoute>& routes, HttpMethod method,
                                  const std::string& path, std::map<std::string, std::string>* params,
                                  std::vector<std::string>* allowed) {
  const std::vector<std::string> segs = Segments(path);
  const RegisteredRoute* best = nullptr;
  int best_literals = -1;
  std::vector<std::string> methods;
  for (const RegisteredRoute& r : routes) {
    if (r.segments.size() != segs.size()) continue;
    int literals = 0;
    bool match = true;
    for (std::size_t i = 0; i < segs.size() && match; ++i) {
      if (r.segments[i] == "{}") {
        match = !segs[i].empty();
      } else {
        match = r.segments[i] == segs[i];
        ++literals;
      }
    }
    if (!match) continue;
    if (r.spec.method != method) {
      methods.push_back(HttpMethodName(r.spec.method));
      continue;
    }
    if (literals > best_literals) {
      best = &r;
      best_literals = literals;
    }
  }
  if (best != nullptr) {
    params->clear();
    std::size_t k = 0;
    for (std::size_t i = 0; i < segs.size(); ++i)
      if (best->segments[i] == "{}") (*params)[best->params[k++]] = segs[i];
    return best;
  }
  std::sort(methods.begin(), methods.end());
  methods.erase(std::unique(methods.begin(), methods.end()), methods.end());
  *allowed = methods;
  return nullptr;
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kConflict:
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string ResponseText(const HttpResponse& res, bool head_only, bool close) {
  // A 304 has no body and describes none: no Content-Type, no Content-Length (RFC 9110
  // 15.4.5: a length there would claim the representation is empty).
  const bool not_modified = res.status == 304;
  std::string text = "HTTP/1.1 " + std::to_string(res.status) + " " + mg_get_response_code_text(nullptr, res.status) +
                     "\r\n" +
                     (not_modified ? std::string()
                                   : "Content-Type: " + res.content_type + "\r\nContent-Length: " +
                                         std::to_string(res.body.size()) + "\r\n") +
                     kSecurityHeaders;
  bool cache_set = false;
  for (const auto& [name, value] : res.headers) {
    // A handler's header may not break the response: no CR or LF.
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) continue;
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    cache_set = cache_set || lower == "cache-control";
    text += name + ": " + value + "\r\n";
  }
  if (!cache_set) text += "Cache-Control: no-store\r\n";
  if (close) text += "Connection: close\r\n";
  text += "\r\n";
  if (!head_only && !not_modified) text += res.body;
  return text;
}

std::string ErrorJson(const Status& st) {
  const int status = HttpStatusOf(st.code());
  std::string message = st.message();
  if (status == 500) message = "服务器内部错误 / internal server error";
  if (status == 503) message = "服务暂不可用 / service unavailable";
  nlohmann::json j{{"error", {{"code", StatusCodeName(st.code())}, {"message", message}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class WebServer::Impl final : public PageHost {
 public:
  Impl(const PluginHost& host, Platform& platform, ServerOptions options)
      : host_(host), platform_(platform), options_(std::move(options)) {}

  static int Handle(mg_connection* conn, void* self) { return static_cast<Impl*>(self)->Serve(conn); }

  // CivetWeb's callback before it answers an error itself: the site's answer instead (0:
  // handled). `errmsg` may quote the request: it is not sent.
  static int CivetError(mg_connection* conn, int status, const char*) {
    StatusCode code = StatusCode::kInvalidArgument;
    std::string message = "无法处理的请求 / the request cannot be handled";
    switch (status) {
      case 400: message = "无法解析的请求 / the request could not be parsed"; break;
      case 404: code = StatusCode::kNotFound; message = "没有这个地址 / no such address"; break;
      case 408: message = "请求超时 / the request timed out"; break;
      case 411: message = "请求须带有效的 Content-Length / the request needs a valid Content-Length"; break;
      case 413:
      case 431: message = "请求头过大 / the request head is too large"; break;
      case 414: message = "请求地址过长 / the request target is too long"; break;
      case 505:  // the client's fault: a clear 4xx
        status = 400;
        message = "不支持的 HTTP 版本 / unsupported HTTP version";
        break;
      default:
        if (status >= 500) code = StatusCode::kInternal;
        break;
    }
    if (status < 400 || status > 599) status = 400;
    const std::string body = ErrorJson(Status(code, message));
    const std::string head = "HTTP/1.1 " + std::to_string(status) + " " + mg_get_response_code_text(nullptr, status) +
                             "\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n" + kSecurityHeaders +
                             "Cache-Control: no-store\r\nConnection: close\r\n\r\n";
    mg_write(conn, head.data(), head.size());
    mg_write(conn, body.data(), body.size());
    return 0;
  }

  int Serve(mg_connection* conn) {
    HttpResponse res;
    try {
      res = Respond(conn);
    } catch (const std::exception& e) {
      std::cerr << "web: handler threw: " << e.what() << "\n";
      res = Error(Status::Error(StatusCode::kInternal, e.what(), e.what()));
    }
    const mg_request_info* ri = mg_get_request_info(conn);
    const bool head = ri != nullptr && ri->request_method != nullptr && std::strcmp(ri->request_method, "HEAD") == 0;
    // One write for the head and the body (a second small write would wait on the first's ACK).
    const std::string text = ResponseText(res, head, false);
    mg_write(conn, text.data(), text.size());
    return res.status;
  }

  // 405 naming the methods the path takes (a GET route takes HEAD too).
  HttpResponse MethodNotAllowed(const std::vector<std::string>& allowed) {
    std::string allow;
    for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m + (m == "GET" ? ", HEAD" : "");
    HttpResponse r = Error(Status::Error(StatusCode::kInvalidArgument, "该地址不支持此请求方法",
                                         "this address does not take that method"),
                           {{"Allow", allow}});
    r.status = 405;
    return r;
  }

  HttpResponse Error(const Status& st, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpResponse r;
    r.status = HttpStatusOf(st.code());
    r.body = ErrorJson(st);
    r.headers = std::move(headers);
    if (r.status == 500) std::cerr << "web: " << st.message() << "\n";
    return r;
  }

  // The reply, with `extra` headers (cookies) added to it whatever it is.
  HttpResponse Respond(mg_connection* conn) {
    std::vector<std::pair<std::string, std::string>> extra;
    HttpResponse r = Route(conn, &extra);
    r.headers.insert(r.headers.end(), extra.begin(), extra.end());
    return r;
  }

  HttpResponse Route(mg_connection* conn, std::vector<std::pair<std::string, std::string>>* extra) {
    const mg_request_info* ri = mg_get_request_info(conn);
    if (ri == nullptr || ri->local_uri == nullptr)
      return Error(BadRequest("无法解析请求", "the request could not be parsed"));
    auto method = MethodOf(ri->request_method);
    // local_uri_raw: the path as sent (not decoded: decode_url is off; not cleaned of dot
    // segments, which ParseTarget refuses).
    const std::string raw_path = ri->local_uri_raw != nullptr ? ri->local_uri_raw : ri->local_uri,
                      raw_query = ri->query_string ? ri->query_string : "";
    if (raw_path.size() + raw_query.size() > kMaxPath) {
      HttpResponse r = Error(BadRequest("请求地址过长（至多 2048 字节）", "the request target is too long (at most 2048 bytes)"));
      r.status = 414;
      return r;
    }
    auto target = ParseTarget(raw_path, raw_query);
    if (!target.ok()) return Error(target.status());
    if (!method) {
      HttpResponse r = Error(Status::Error(StatusCode::kInvalidArgument, "不支持的请求方法", "unsupported method"),
                             {{"Allow", "GET, HEAD, POST, PUT, PATCH, DELETE"}});
      r.status = 405;
      return r;
    }
    HttpRequest req;
    req.method = *method;
    req.path = target->path;
    req.query = std::move(target->query);
    for (int i = 0; i < ri->num_headers; ++i) {
      std::string name = ri->http_headers[i].name ? ri->http_headers[i].name : "";
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      req.headers[name] = ri->http_headers[i].value ? ri->http_headers[i].value : "";
    }
    // The body, bounded.
    if (ri->content_length > kMaxBody) {
      HttpResponse r = Error(BadRequest("请求体过大（至多 1 MiB）", "the request body is too large (at most 1 MiB)"));
      r.status = 413;
      return r;
    }
    char buf[8192];
    while (true) {
      const int n = mg_read(conn, buf, sizeof buf);
      if (n <= 0) break;
      req.body.append(buf, static_cast<std::size_t>(n));
      if (static_cast<long long>(req.body.size()) > kMaxBody) {
        HttpResponse r = Error(BadRequest("请求体过大（至多 1 MiB）", "the request body is too large (at most 1 MiB)"));
        r.status = 413;
        return r;
      }
    }
    if (req.path == "/healthz") return Health(req);
    // The caller: the session of the cookie, or the public.
    const auto cookie_header = req.headers.find("cookie");
    const auto cookies = ParseCookies(cookie_header == req.headers.end() ? "" : cookie_header->second);
    std::optional<Session> session;
    if (auto it = cookies.find(kSessionCookie); it != cookies.end()) {
      auto s = Resume(platform_, policy_, it->second);
      if (!s.ok()) return Error(s.status());
      session = std::move(s).value();
      if (!session) extra->emplace_back("Set-Cookie", ClearCookie(kSessionCookie));  // ended: forget it
    }
    Caller caller;
    caller.session = session;
    caller.extra = extra;
    if (session) {
      caller.csrf = session->csrf_token;
    } else if (auto c = cookies.find(kCsrfCookie); c != cookies.end() && c->second.size() == 43) {
      caller.csrf = c->second;
    }
    caller.new_csrf = [this, extra]() {
      std::string token = RandomToken();
      extra->emplace_back("Set-Cookie", Cookie(kCsrfCookie, token, 7 * 86400));
      return token;
    };
    // The language: ?lang= (remembered in a cookie), else the cookie, else Chinese.
    const std::string asked = req.Query("lang");
    if (asked == "en" || asked == "zh") {
      caller.lang = asked;
      extra->emplace_back("Set-Cookie", Cookie(kLangCookie, asked, 365LL * 86400));
    } else if (auto c = cookies.find(kLangCookie); c != cookies.end() && (c->second == "en" || c->second == "zh")) {
      caller.lang = c->second;
    }
    HttpResponse r = Dispatch(req, ri, cookies, caller, extra);
    // An error on a page (not the API, not an asset, not a feed) is a page too.
    if (r.status >= 400 && !ForMachines(req.path) &&
        r.content_type.rfind("application/json", 0) == 0 && req.method == HttpMethod::kGet) {
      auto j = nlohmann::json::parse(r.body, nullptr, false);
      std::string message = j.is_object() && j.contains("error") ? j["error"].value("message", "") : "";
      const Principal who = session ? PrincipalOf(session->user) : Principal::Anonymous();
      Context ctx(req, who, platform_, options_.config, std::string(), caller, *this);
      const std::string title = std::to_string(r.status) + " " + mg_get_response_code_text(nullptr, r.status);
      ctx.Page(title, "<h1>" + html::Escape(title) + "</h1><p class=\"error\">" + html::Escape(Localized(message, caller.lang)) +
                          "</p><p><a href=\"/\">" + (caller.lang == "en" ? "Home" : "返回首页") + "</a></p>");
      r.content_type = ctx.response().content_type;
      r.body = ctx.response().body;
    }
    return r;
  }

  // "中文 / English" → the part of `lang`; a text without " / " as it is.
  static std::string Localized(const std::string& message, const std::string& lang) {
    const auto at = message.find(" / ");
    if (at == std::string::npos) return message;
    return lang == "en" ? message.substr(at + 3) : message.substr(0, at);
  }

  HttpResponse Dispatch(HttpRequest& req, const mg_request_info* ri, const std::map<std::string, std::string>& cookies,
                        Caller& caller, std::vector<std::pair<std::string, std::string>>* extra) {
    const std::optional<Session>& session = caller.session;
    // Every state-changing request: from this site, with the caller's CSRF token.
    const auto csrf = [&]() { return req.method == HttpMethod::kGet ? Status::Ok() : CheckCsrf(req, cookies, session); };
    if (req.path == kSessionPath) {
      if (Status st = csrf(); !st.ok() && req.method != HttpMethod::kPut && req.method != HttpMethod::kPatch) return Error(st);
      return SessionRoute(req, ri, cookies, session, extra);
    }
    const Principal who = session ? PrincipalOf(session->user) : Principal::Anonymous();
    // The host's own pages.
    if (req.path == "/" || req.path == "/login" || req.path == "/logout" || req.path == "/assets/site.css" ||
        req.path == "/assets/favicon.svg") {
      const bool post_ok = req.path == "/login" || req.path == "/logout";
      if (req.method != HttpMethod::kGet && !(post_ok && req.method == HttpMethod::kPost)) {
        HttpResponse e = Error(Status::Error(StatusCode::kInvalidArgument, "该地址不支持此请求方法",
                                             "this address does not take that method"),
                               {{"Allow", post_ok ? "GET, HEAD, POST" : "GET, HEAD"}});
        e.status = 405;
        return e;
      }
      if (req.path == "/logout" && req.method == HttpMethod::kGet) return Redirect("/");
      if (Status st = csrf(); !st.ok()) return Error(st);
      Context ctx(req, who, platform_, options_.config, std::string(), caller, *this);
      if (req.path == "/assets/site.css") return Asset(req, embedded::k_site_css, "text/css; charset=utf-8");
      if (req.path == "/assets/favicon.svg") return Asset(req, kFavicon, "image/svg+xml");
      if (req.path == "/") return HomePage(ctx);
      if (req.path == "/logout") {
        if (session) {
          if (Status st = SignOut(platform_, cookies.at(kSessionCookie)); !st.ok()) return Error(st);
        }
        extra->emplace_back("Set-Cookie", ClearCookie(kSessionCookie));
        return Redirect("/");
      }
      return LoginPage(ctx, ri, cookies, extra);
    }
    std::vector<std::string> allowed;
    const RegisteredRoute* route = MatchRoute(host_.routes(), req.method, req.path, &req.path_params, &allowed);
    if (route == nullptr) {
      if (!allowed.empty()) {
        return MethodNotAllowed(allowed);
      }
      return Error(Status::Error(StatusCode::kNotFound, "没有这个地址：" + req.path, "no such address: " + req.path));
    }
    if (Status st = csrf(); !st.ok()) return Error(st);
    if (route->spec.access != RouteAccess::kPublic) {
      if (!who.authenticated) {
        // A page sends the visitor to sign in and back; the API answers 401.
        if (req.method == HttpMethod::kGet && !ForMachines(req.path))
          return Redirect("/login?next=" + PercentEncode(req.path));
        return Error(Status::Error(StatusCode::kUnauthenticated, "请先登录", "sign in first"));
      }
      bool has_role = route->spec.roles.empty();
      for (const auto& role : route->spec.roles) has_role = has_role || who.HasRole(role);
      if (!has_role) return Error(Status::Error(StatusCode::kPermissionDenied, "无权访问", "permission denied"));
    }
    Context ctx(req, who, platform_, options_.config, route->plugin, caller, *this);
    Status st = route->fn(ctx);
    if (!st.ok()) return Error(st);
    return ctx.response();
  }

  static std::string PercentEncode(const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }

  static HttpResponse Redirect(const std::string& location) {
    HttpResponse r;
    r.status = 303;
    r.content_type = "text/plain; charset=utf-8";
    r.headers.emplace_back("Location", location);
    return r;
  }

  // A path of this site to go back to after signing in: "/…" but not "//…" (another host).
  static std::string SafeNext(const std::string& next) {
    if (next.empty() || next[0] != '/' || next.rfind("//", 0) == 0 || next.find('\\') != std::string::npos ||
        next.size() > 512 || !CleanText(next))
      return "/";
    return next;
  }

  HttpResponse Asset(const HttpRequest& req, std::string_view bytes, const std::string& type) {
    HttpResponse r;
    const std::string etag = "\"" + digest::Sha256Hex(bytes).substr(0, 32) + "\"";
    r.headers = {{"ETag", etag}, {"Cache-Control", "public, max-age=3600"}};
    if (auto h = req.headers.find("if-none-match"); h != req.headers.end() && h->second == etag) {
      r.status = 304;
      r.content_type = type;
      return r;
    }
    r.content_type = type;
    r.body = std::string(bytes);
    return r;
  }

  HttpResponse HomePage(Context& ctx) {
    html::Data d;
    d.set("en", ctx.lang() == "en");
    const std::string sections = SectionsOf(ctx, "home", "");
    d.set("sections", sections);
    d.set("has_sections", !sections.empty());
    auto body = html::Render(std::string(embedded::k_home), d);
    if (!body.ok()) return Error(body.status());
    ctx.Page(ctx.lang() == "en" ? "Home" : "首页", body.value());
    return ctx.response();
  }

  HttpResponse LoginPage(Context& ctx, const mg_request_info* ri, const std::map<std::string, std::string>& cookies,
                         std::vector<std::pair<std::string, std::string>>* extra) {
    const HttpRequest& req = ctx.request();
    std::string login, password, next = req.Query("next"), error;
    int status = 200;
    std::int64_t retry = 0;
    if (req.method == HttpMethod::kPost) {
      auto form = ParseQuery(req.body);
      if (!form.ok()) return Error(form.status());
      if (auto f = form->find("login"); f != form->end()) login = f->second;
      if (auto f = form->find("password"); f != form->end()) password = f->second;
      if (auto f = form->find("next"); f != form->end()) next = f->second;
      auto s = SignIn(platform_, policy_, login, password, ri != nullptr ? ri->remote_addr : "", &retry);
      if (s.ok()) {
        if (ctx.caller().session) {
          if (Status st = SignOut(platform_, cookies.at(kSessionCookie)); !st.ok()) return Error(st);
        }
        extra->emplace_back("Set-Cookie", Cookie(kSessionCookie, s->token, policy_.absolute_us / 1'000'000));
        return Redirect(SafeNext(next));
      }
      if (s.status().code() == StatusCode::kInternal || s.status().code() == StatusCode::kUnavailable)
        return Error(s.status());
      status = HttpStatusOf(s.status().code());
      error = Localized(s.status().message(), ctx.lang());
      std::cerr << "web: sign-in refused for " << (CheckLogin(login).ok() ? login : "(malformed)") << " from "
                << (ri != nullptr ? ri->remote_addr : "") << ": " << StatusCodeName(s.status().code()) << "\n";
    } else if (ctx.caller().session) {
      return Redirect(SafeNext(next));
    }
    html::Data d;
    d.set("en", ctx.lang() == "en");
    d.set("csrf", ctx.csrf_token());
    d.set("next", SafeNext(next));
    d.set("login", CheckLogin(login).ok() ? login : "");
    if (!error.empty()) d.set("error", error);
    auto body = html::Render(std::string(embedded::k_login), d);
    if (!body.ok()) return Error(body.status());
    ctx.Page(ctx.lang() == "en" ? "Sign in" : "登录", body.value());
    HttpResponse r = ctx.response();
    r.status = status;
    if (retry > 0) r.headers.emplace_back("Retry-After", std::to_string(retry));
    return r;
  }

  // PageHost.
  std::string Layout(HttpContext& http, const std::string& title, const std::string& content_html) override {
    const auto& ctx = static_cast<Context&>(http);
    const bool en = http.lang() == "en";
    html::Data d;
    d.set("en", en);
    d.set("html_lang", en ? "en" : "zh-CN");
    d.set("title", title);
    d.set("csrf", http.csrf_token());
    d.set("content", content_html);
    d.set("other_lang", en ? "zh" : "en");
    // The switch keeps the page and its query, with the other language.
    std::string query;
    for (const auto& [k, v] : http.request().query)
      if (k != "lang") query += PercentEncode(k) + "=" + PercentEncode(v) + "&";
    // The path percent-encoded and with runs of '/' made one: "//evil.example" (a path the
    // server may be asked for) must not become a link to another host.
    std::string self;
    for (char c : http.request().path)
      if (c != '/' || self.empty() || self.back() != '/') self.push_back(c);
    d.set("lang_switch", PercentEncode(self) + "?" + query + "lang=" + (en ? "zh" : "en"));
    const Principal& who = http.principal();
    if (ctx.caller().session) {
      html::Data user;
      user.set("name", ctx.caller().session->user.display_name);
      user.set("login", ctx.caller().session->user.login);
      d.set("user", user);
    }
    html::Data nav{html::Data::type::list};
    for (const RegisteredNavLink& l : host_.nav_links()) {
      if (l.link.access != RouteAccess::kPublic) {
        if (!who.authenticated) continue;
        bool ok = l.link.roles.empty();
        for (const auto& role : l.link.roles) ok = ok || who.HasRole(role);
        if (!ok) continue;
      }
      html::Data item;
      item.set("path", l.link.path);
      item.set("label", en ? l.link.label_en : l.link.label_zh);
      nav.push_back(item);
    }
    d.set("nav", nav);
    auto page = html::Render(std::string(embedded::k_layout), d);
    if (!page.ok()) {
      std::cerr << "web: " << page.status().message() << "\n";
      return "<!doctype html><title>500</title><p>服务器内部错误 / internal server error</p>";
    }
    return page.value();
  }

  std::string SectionsOf(HttpContext& http, const std::string& page, const std::string& key) override {
    std::string out;
    for (const RegisteredSection* s : host_.sections(page)) {
      Result<std::string> part = std::string();
      try {
        part = s->fn(http, key);
      } catch (const std::exception& e) {
        part = Status::Error(StatusCode::kInternal, e.what(), e.what());
      }
      if (!part.ok()) {
        std::cerr << "web: section of " << s->plugin << " on page " << page << ": " << part.status().message() << "\n";
        continue;
      }
      out += part.value();
    }
    return out;
  }

  std::string Cookie(const std::string& name, const std::string& value, std::int64_t max_age_s) const {
    return name + "=" + value + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_s) +
           (secure_cookies_ ? "; Secure" : "");
  }
  std::string ClearCookie(const std::string& name) const { return Cookie(name, "", 0); }

  // A state-changing request (other than a cookie-less one with its own Bearer credential) must
  // come from this site (an Origin header, when sent, names the Host) and carry the caller's CSRF token in X-CSRF-Token or, for a form, the field
  // csrf_token: the session's when signed in, else the one of the xj_csrf cookie (double submit).
  Status CheckCsrf(const HttpRequest& req, const std::map<std::string, std::string>& cookies,
                   const std::optional<Session>& session) const {
    const auto denied = [](const std::string& zh, const std::string& en) {
      return Status::Error(StatusCode::kPermissionDenied, zh, en);
    };
    // Another system calling with its own credential (Authorization: Bearer, the credit check's
    // API keys) and no cookies at all: nothing ambient for a forged request to ride on (a
    // browser sends no Authorization header across sites without a CORS preflight, which this
    // server never grants), so there is no CSRF token to ask for. The route checks the key.
    if (cookies.empty() && !session)
      if (auto a = req.headers.find("authorization");
          a != req.headers.end() && a->second.size() > 7 && (a->second.compare(0, 7, "Bearer ") == 0 ||
                                                              a->second.compare(0, 7, "bearer ") == 0) &&
          req.headers.find("cookie") == req.headers.end())
        return Status::Ok();
    if (auto o = req.headers.find("origin"); o != req.headers.end()) {
      std::string origin = o->second;
      for (const char* scheme : {"http://", "https://"})
        if (origin.rfind(scheme, 0) == 0) origin = origin.substr(std::strlen(scheme));
      auto h = req.headers.find("host");
      if (h == req.headers.end() || origin != h->second)
        return denied("跨站请求被拒绝（Origin 与本站不符）", "cross-site request refused (the Origin is not this site)");
    }
    std::string expected;
    if (session) {
      expected = session->csrf_token;
    } else if (auto c = cookies.find(kCsrfCookie); c != cookies.end()) {
      expected = c->second;
    }
    std::string given;
    if (auto h = req.headers.find("x-csrf-token"); h != req.headers.end()) {
      given = h->second;
    } else if (IsForm(req)) {
      auto form = ParseQuery(req.body);
      if (form.ok())
        if (auto f = form->find("csrf_token"); f != form->end()) given = f->second;
    }
    if (expected.size() != 43 || !SameToken(expected, given))
      return denied("缺少或错误的 CSRF 令牌（先 GET /api/v1/session 取得）",
                    "missing or wrong CSRF token (GET /api/v1/session gives one)");
    return Status::Ok();
  }

  static bool IsForm(const HttpRequest& req) {
    auto ct = req.headers.find("content-type");
    return ct != req.headers.end() && ct->second.rfind("application/x-www-form-urlencoded", 0) == 0;
  }

  static std::string UtcText(std::int64_t us) {
    const std::time_t t = static_cast<std::time_t>(us / 1'000'000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }

  // GET: who is signed in (and the CSRF token to send back); POST: sign in with {"login",
  // "password"} (JSON or a form); DELETE: sign out.
  HttpResponse SessionRoute(const HttpRequest& req, const mg_request_info* ri,
                            const std::map<std::string, std::string>& cookies, const std::optional<Session>& session,
                            std::vector<std::pair<std::string, std::string>>* extra) {
    const auto describe = [](const Session& s) {
      return nlohmann::json{{"signed_in", true},
                            {"login", s.user.login},
                            {"name", s.user.display_name},
                            {"department", s.user.department},
                            {"roles", s.user.roles},
                            {"csrf_token", s.csrf_token},
                            {"expires_at", UtcText(s.expires_at_us)}};
    };
    const auto anonymous = [&]() {
      std::string token;
      if (auto c = cookies.find(kCsrfCookie); c != cookies.end() && c->second.size() == 43) token = c->second;
      if (token.empty()) {
        token = RandomToken();
        extra->emplace_back("Set-Cookie", Cookie(kCsrfCookie, token, 7 * 86400));
      }
      return nlohmann::json{{"signed_in", false}, {"csrf_token", token}};
    };
    HttpResponse r;
    if (req.method == HttpMethod::kGet) {
      r.body = (session ? describe(*session) : anonymous()).dump();
      return r;
    }
    if (req.method == HttpMethod::kDelete) {
      if (session) {
        auto c = cookies.find(kSessionCookie);
        if (Status st = SignOut(platform_, c->second); !st.ok()) return Error(st);
      }
      extra->emplace_back("Set-Cookie", ClearCookie(kSessionCookie));
      r.body = R"({"signed_in":false})";
      return r;
    }
    if (req.method != HttpMethod::kPost) {
      HttpResponse e = Error(Status::Error(StatusCode::kInvalidArgument, "该地址不支持此请求方法",
                                           "this address does not take that method"),
                             {{"Allow", "GET, HEAD, POST, DELETE"}});
      e.status = 405;
      return e;
    }
    std::string login, password;
    if (IsForm(req)) {
      auto form = ParseQuery(req.body);
      if (!form.ok()) return Error(form.status());
      if (auto f = form->find("login"); f != form->end()) login = f->second;
      if (auto f = form->find("password"); f != form->end()) password = f->second;
    } else {
      auto j = nlohmann::json::parse(req.body, nullptr, false);
      if (j.is_discarded() || !j.is_object() || !j.contains("login") || !j["login"].is_string() ||
          !j.contains("password") || !j["password"].is_string())
        return Error(BadRequest("请求体须为 {\"login\": \"…\", \"password\": \"…\"}",
                                "the body must be {\"login\": \"…\", \"password\": \"…\"}"));
      login = j["login"].get<std::string>();
      password = j["password"].get<std::string>();
    }
    const std::string address = ri != nullptr ? ri->remote_addr : "";
    std::int64_t retry = 0;
    auto s = SignIn(platform_, policy_, login, password, address, &retry);
    if (!s.ok()) {
      if (s.status().code() == StatusCode::kUnauthenticated || s.status().code() == StatusCode::kResourceExhausted)
        std::cerr << "web: sign-in refused for " << (CheckLogin(login).ok() ? login : "(malformed)") << " from "
                  << address << ": " << StatusCodeName(s.status().code()) << "\n";
      std::vector<std::pair<std::string, std::string>> headers;
      if (retry > 0) headers.emplace_back("Retry-After", std::to_string(retry));
      return Error(s.status(), headers);
    }
    if (session) {  // a new sign-in replaces the session it came with
      auto c = cookies.find(kSessionCookie);
      if (Status st = SignOut(platform_, c->second); !st.ok()) return Error(st);
    }
    extra->emplace_back("Set-Cookie", Cookie(kSessionCookie, s->token, policy_.absolute_us / 1'000'000));
    r.body = describe(s.value()).dump();
    return r;
  }

  // A request on the machine listener: /healthz, or a route registered with AddMachineRoute,
  // run for an anonymous caller (no cookies, sessions or CSRF there: the route authenticates
  // its callers itself).
  HttpResponse MachineServe(HttpRequest& req) {
    if (req.path == "/healthz") return Health(req);
    std::vector<std::string> allowed;
    const RegisteredRoute* route = MatchRoute(host_.routes(), req.method, req.path, &req.path_params, &allowed);
    if (route == nullptr || !route->machine) {
      if (route == nullptr && !allowed.empty()) {
        return MethodNotAllowed(allowed);
      }
      return Error(Status::Error(StatusCode::kNotFound,
                                 "机器接口没有这个地址（网站的其他地址在 --listen 上）：" + req.path,
                                 "no such address on the machine listener (the site's other addresses are on --listen): " +
                                     req.path));
    }
    std::vector<std::pair<std::string, std::string>> extra;
    Caller caller;
    caller.extra = &extra;
    caller.new_csrf = [] { return std::string(); };
    const Principal who = Principal::Anonymous();
    Context ctx(req, who, platform_, options_.config, route->plugin, caller, *this);
    Status st = route->fn(ctx);
    if (!st.ok()) return Error(st);
    return ctx.response();
  }

  HttpResponse Health(const HttpRequest& req) {
    if (req.method != HttpMethod::kGet) {
      HttpResponse r = Error(Status::Error(StatusCode::kInvalidArgument, "该地址不支持此请求方法",
                                           "this address does not take that method"),
                             {{"Allow", "GET, HEAD"}});
      r.status = 405;
      return r;
    }
    Status st = platform_.Read([](Sql& sql) { return sql.QueryInt("SELECT 1").status(); });
    HttpResponse r;
    r.status = st.ok() ? 200 : 503;
    r.body = st.ok() ? R"({"status":"ok","database":"ok"})" : R"({"status":"unavailable","database":"unavailable"})";
    if (!st.ok()) std::cerr << "web: /healthz: " << st.message() << "\n";
    return r;
  }

  Status Start() {
    auto policy = PolicyFromConfig(options_.config);
    if (!policy.ok()) return policy.status();
    policy_ = policy.value();
    {
      // Cookies are Secure unless the site is on a loopback address (plain http in development
      // and tests); web.cookie_secure = true | false decides otherwise.
      auto it = options_.config.find("web.cookie_secure");
      const std::string v = it == options_.config.end() ? "auto" : it->second;
      if (v != "auto" && v != "true" && v != "false")
        return BadRequest("web.cookie_secure 须为 auto、true 或 false", "web.cookie_secure must be auto, true or false");
      const std::string host = options_.listen.substr(0, options_.listen.rfind(':'));
      const bool loopback = host.rfind("127.", 0) == 0 || host == "localhost" || host == "[::1]";
      secure_cookies_ = v == "true" || (v == "auto" && !loopback);
    }
    // How long a client may take to send its request (and to take the reply): a slow client
    // (slowloris: headers one byte a second) is cut off after it. web.request_timeout_ms,
    // 100 to 600000, default 10000.
    std::string timeout_ms = "10000";
    if (auto it = options_.config.find("web.request_timeout_ms"); it != options_.config.end()) {
      const std::string& v = it->second;
      long long n = -1;
      if (!v.empty() && v.size() <= 6 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
        n = std::stoll(v);
      if (n < 100 || n > 600000)
        return BadRequest("web.request_timeout_ms 须为 100 至 600000 的整数（毫秒）",
                          "web.request_timeout_ms must be a whole number from 100 to 600000 (milliseconds)");
      timeout_ms = std::to_string(n);
    }
    static std::once_flag once;
    std::call_once(once, [] { mg_init_library(0); });
    const std::string threads = std::to_string(std::max(1, options_.threads));
    const char* opts[] = {"listening_ports", options_.listen.c_str(),
                          "num_threads", threads.c_str(),
                          "request_timeout_ms", timeout_ms.c_str(),
                          "enable_keep_alive", "yes",
                          // No Nagle: an answer is one write, and a kept-alive connection's next
                          // request must not wait for the client's delayed ACK (40 ms a request).
                          "tcp_nodelay", "1",
                          "decode_url", "no",
                          // CivetWeb answers a CORS preflight itself by default, granting every
                          // origin ("*") POST and the headers asked for: no site but this one
                          // may call it (the OPTIONS goes to the router: 405).
                          "access_control_allow_origin", "",
                          "access_control_allow_methods", "",
                          "access_control_allow_headers", "",
                          "max_request_size", "16384",
                          nullptr};
    mg_callbacks callbacks{};
    callbacks.log_message = [](const mg_connection*, const char* message) {
      std::cerr << "web: " << message << "\n";
      return 1;
    };
    // The errors CivetWeb answers itself (a malformed request line or header, a head over
    // max_request_size, a bad Content-Length, an unsupported HTTP version) get the site's JSON
    // error and security headers too, and never echo the request.
    callbacks.http_error = &Impl::CivetError;
    ctx_ = mg_start(&callbacks, this, opts);
    if (ctx_ == nullptr)
      return Status::Error(StatusCode::kUnavailable, "无法在 " + options_.listen + " 上监听（地址无效或已被占用）",
                           "cannot listen on " + options_.listen + " (a bad address, or in use)");
    mg_set_request_handler(ctx_, "/", &Impl::Handle, this);
    mg_server_port ports[4]{};
    const int n = mg_get_server_ports(ctx_, 4, ports);
    port_ = n > 0 ? ports[0].port : 0;
    if (!options_.api_listen.empty()) {
      MachineListenerOptions mo;
      mo.listen = options_.api_listen;
      mo.threads = options_.api_threads;
      mo.request_timeout_ms = std::stoi(timeout_ms);
      machine_ = std::make_unique<MachineListener>(mo, [this](HttpRequest& req) { return MachineServe(req); });
      if (Status st = machine_->Start(); !st.ok()) {
        machine_.reset();
        Stop();
        return st;
      }
    }
    return Status::Ok();
  }

  void Stop() {
    if (machine_) machine_->Stop();
    machine_.reset();
    if (ctx_ != nullptr) mg_stop(ctx_);
    ctx_ = nullptr;
  }

  int port() const { return port_; }
  int api_port() const { return machine_ ? machine_->port() : 0; }
  int api_threads() const { return machine_ ? machine_->threads() : 0; }

 private:
  const PluginHost& host_;
  Platform& platform_;
  ServerOptions options_;
  AccountPolicy policy_;
  bool secure_cookies_ = false;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  std::unique_ptr<MachineListener> machine_;
};

WebServer::WebServer(const PluginHost& host, Platform& platform, ServerOptions options)
    : impl_(std::make_unique<Impl>(host, platform, std::move(options))) {}
WebServer::~WebServer() { impl_->Stop(); }
Status WebServer::Start() { return impl_->Start(); }
void WebServer::Stop() { impl_->Stop(); }
int WebServer::port() const { return impl_->port(); }
int WebServer::api_port() const { return impl_->api_port(); }
int WebServer::api_threads() const { return impl_->api_threads(); }

}  // namespace xj::web
