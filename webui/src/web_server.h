// The web server of `xinjian serve --listen ADDR`: CivetWeb underneath, the routes plugins
// registered (xinjian/http.h) on top, and the host's own GET /healthz. It knows no feature:
// every page and API route but /healthz is a plugin's.
//
// Per request: the URL is checked and percent-decoded (400 when malformed, 414 over 2 KiB),
// the body read up to 1 MiB (413 beyond), the route matched (404 / 405 with Allow), its access
// rule checked against the caller (401 / 403), then the plugin's handler runs with the
// platform and the caller's principal. Errors are {"error": {"code", "message"}} with the
// status of the code (http.h). Every response has Content-Length and the security headers.
//
// The caller (accounts.h): the user of the session named by the xj_session cookie, else
// Principal::Anonymous(). The host's own route /api/v1/session signs in (POST {"login",
// "password"}, JSON or a form), tells who is signed in with the CSRF token to send back (GET),
// and signs out (DELETE). Every POST, PUT, PATCH and DELETE must come from this site (an Origin
// header, when sent, names the Host) and carry the caller's CSRF token in X-CSRF-Token or the
// form field csrf_token: the session's when signed in, else the xj_csrf cookie's (a
// double-submit token that GET /api/v1/session sets); else 403. Too many failed sign-ins: 429
// with Retry-After. Configuration: web.session_idle_minutes, web.session_hours,
// web.cookie_secure (auto: Secure unless the site listens on a loopback address).
//
// Thread safety: Start and Stop from one thread; requests are served on CivetWeb's threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plugin_host.h"
#include "xinjian/http.h"
#include "xinjian/platform.h"
#include "xinjian/status.h"

namespace xj::web {

struct ServerOptions {
  // "127.0.0.1:8080"; port 0 picks a free one (port() says which).
  std::string listen = "127.0.0.1:8080";
  int threads = 8;
  // The machine listener (machine_listener.h): "" for none, else "HOST:PORT" (port 0 for a
  // free one: api_port() says which), serving /healthz and the routes of AddMachineRoute on
  // `api_threads` event-driven threads (0: one per CPU the process may use).
  std::string api_listen;
  int api_threads = 0;
  // "plugins.<name>.<key>" => value, what HttpContext::Config reads.
  std::map<std::string, std::string> config;
};

// The parts of a request the router needs, decoded: the path without its query, and the
// query's parameters. kInvalidArgument for a malformed percent-encoding or a path that is not
// absolute, contains a NUL, "." or ".." segments, or is longer than 2048 bytes.
struct ParsedTarget {
  std::string path;
  std::multimap<std::string, std::string> query;
};
Result<ParsedTarget> ParseTarget(const std::string& raw_path, const std::string& raw_query);
// "a=1&b=%E4%B8%AD" (a query or an application/x-www-form-urlencoded body) decoded; the same
// errors as ParseTarget's query.
Result<std::multimap<std::string, std::string>> ParseQuery(const std::string& raw_query);
// A Cookie header's name=value pairs (the first of a repeated name).
std::map<std::string, std::string> ParseCookies(const std::string& header);

// The route of `routes` that `path` names for `method`, with its parameters; nullptr when
// none matches the path (404), and `*allowed` then lists nothing. When the path matches only
// under other methods, nullptr and `*allowed` lists them (405). Literal segments win over
// parameters at the same place.
const RegisteredRoute* MatchRoute(const std::vector<RegisteredRoute>& routes, HttpMethod method,
                                  const std::string& path, std::map<std::string, std::string>* params,
                                  std::vector<std::string>* allowed);

// The HTTP status of a Status code (http.h).
int HttpStatusOf(StatusCode code);
// {"error": {"code": ..., "message": ...}} for `st`; for a code that maps to 500 the message
// is generic (the details go to the server's log, never to the client).
std::string ErrorJson(const Status& st);

class WebServer {
 public:
  // `host` and `platform` (its database attached) outlive the server.
  WebServer(const PluginHost& host, Platform& platform, ServerOptions options);
  ~WebServer();  // stops
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds and starts serving. kUnavailable naming the address when it cannot bind;
  // kInvalidArgument for a malformed address.
  Status Start();
  // Stops accepting, waits for the requests being served.
  void Stop();
  // The port listened on (after Start).
  int port() const;
  // The machine listener's port (0 without one).
  int api_port() const;
  int api_threads() const;  // the machine listener's threads (0 without it)

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace xj::web
