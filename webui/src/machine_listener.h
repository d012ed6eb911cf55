// The machine listener of `xinjian serve --api-listen ADDR` (docs/web.md, "The machine
// listener"): an event-driven HTTP/1.1 server on Boost.Asio for the routes plugins registered
// with Registrar::AddMachineRoute (the credit check). Few threads (one per core by default),
// each running many kept-alive connections, instead of CivetWeb's thread per connection: under
// load the answers wait less for the processor.
//
// What it accepts: "GET", "HEAD" and "POST" requests of HTTP/1.1 (or 1.0), a head of at most
// 16 KiB (431 beyond), a body with Content-Length of at most 1 MiB (413 beyond; 411 with
// Transfer-Encoding, which it does not take), a target of at most 2 KiB (414). Anything it
// cannot parse is a 400 and the connection is closed. A connection is closed after the
// request timeout without a complete request (a slow client), after "Connection: close", an
// HTTP/1.0 request without keep-alive, or an error. Pipelined requests are answered in order.
//
// Thread safety: Start and Stop from one thread; the handler is called on the listener's
// threads, several at once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "xinjian/http.h"
#include "xinjian/status.h"

namespace xj::web {

struct MachineListenerOptions {
  std::string listen = "127.0.0.1:0";  // "HOST:PORT", port 0 for a free one
  int threads = 0;                     // 0: one per CPU the process may use (its affinity)
  int request_timeout_ms = 10000;
  int max_connections = 10000;         // beyond: new connections are closed at once
};

// Answers a parsed request (method, decoded path and query, headers in lower case, body).
// `head` is set for a HEAD request (handled as a GET; the listener drops the body).
using MachineHandler = std::function<HttpResponse(HttpRequest& request)>;

// The bytes of a response: status line, Content-Type and Content-Length (none for a 304), the
// security headers, the handler's headers (those with CR, LF or ':' in the name dropped),
// Cache-Control: no-store unless given, then the body unless `head_only`. Shared with the
// site's server so that both answer alike.
std::string ResponseText(const HttpResponse& response, bool head_only, bool close);

class MachineListener {
 public:
  MachineListener(MachineListenerOptions options, MachineHandler handler);
  ~MachineListener();
  MachineListener(const MachineListener&) = delete;
  MachineListener& operator=(const MachineListener&) = delete;
  // Binds and starts the threads. kUnavailable naming the address when it cannot listen.
  Status Start();
  // Stops accepting, closes every connection, joins the threads. Idempotent.
  void Stop();
  int port() const;
  // The threads it runs on (after Start: --api-threads, or one per CPU the process may use).
  int threads() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xj::web
