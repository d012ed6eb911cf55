// See machine_listener.h.
#include "machine_listener.h"

#include <boost/asio.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "web_server.h"
#include "xinjian/thread.h"

namespace xj::web {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr std::size_t kMaxHead = 16 * 1024;
constexpr std::size_t kMaxTarget = 2048;
constexpr std::size_t kMaxBody = 1024 * 1024;

HttpResponse ErrorResponse(int status, StatusCode code, const std::string& zh, const std::string& en) {
  HttpResponse r;
  r.status = status;
  r.body = ErrorJson(Status::Error(code, zh, en));
  return r;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A parsed request head, or the error to answer (and close) with.
struct Head {
  HttpRequest request;
  bool head_only = false;
  bool keep_alive = true;
  std::size_t content_length = 0;
  std::optional<HttpResponse> error;
};

Head ParseHead(std::string_view text) {
  Head h;
  auto fail = [&](int status, const std::string& zh, const std::string& en) {
    h.error = ErrorResponse(status, StatusCode::kInvalidArgument, zh, en);
    h.keep_alive = false;
    return h;
  };
  const std::size_t line_end = text.find("\r\n");
  const std::string_view line = text.substr(0, line_end);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return fail(400, "无法解析的请求 / the request could not be parsed", "the request could not be parsed");
  const std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                         version = line.substr(sp2 + 1);
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return fail(400, "不支持的 HTTP 版本 / unsupported HTTP version", "unsupported HTTP version");
  const bool http10 = version == "HTTP/1.0";
  h.keep_alive = !http10;
  if (method == "GET") {
    h.request.method = HttpMethod::kGet;
  } else if (method == "HEAD") {
    h.request.method = HttpMethod::kGet;
    h.head_only = true;
  } else if (method == "POST") {
    h.request.method = HttpMethod::kPost;
  } else {
    Head e = fail(405, "不支持的请求方法 / unsupported method", "unsupported method");
    e.error->headers.emplace_back("Allow", "GET, HEAD, POST");
    return e;
  }
  if (target.size() > kMaxTarget) {
    return fail(414, "请求地址过长（至多 2048 字节） / the request target is too long (at most 2048 bytes)",
                "the request target is too long (at most 2048 bytes)");
  }
  const std::size_t q = target.find('?');
  auto parsed = ParseTarget(std::string(target.substr(0, q)), q == std::string_view::npos ? "" : std::string(target.substr(q + 1)));
  if (!parsed.ok()) {
    h.error = HttpResponse{};
    h.error->status = 400;
    h.error->body = ErrorJson(parsed.status());
    h.keep_alive = false;
    return h;
  }
  h.request.path = std::move(parsed.value().path);
  h.request.query = std::move(parsed.value().query);
  // The headers: "Name: value" lines; a line without a colon, or a name with a space, is malformed.
  std::size_t at = line_end + 2;
  bool has_length = false;
  while (at < text.size()) {
    const std::size_t end = text.find("\r\n", at);
    const std::string_view l = text.substr(at, end - at);
    at = end == std::string_view::npos ? text.size() : end + 2;
    if (l.empty()) break;
    const std::size_t colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0 || l.substr(0, colon).find_first_of(" \t") != std::string_view::npos)
      return fail(400, "无法解析的请求头 / a malformed header", "a malformed header");
    std::string name(l.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string_view value = l.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (name == "content-length") {
      std::size_t n = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || r.ec != std::errc() || r.ptr != value.data() + value.size() || (has_length && n != h.content_length))
        return fail(400, "请求须带有效的 Content-Length / the request needs a valid Content-Length",
                    "the request needs a valid Content-Length");
      has_length = true;
      h.content_length = n;
    } else if (name == "transfer-encoding") {
      return fail(411, "请求须带有效的 Content-Length / the request needs a valid Content-Length",
                  "the request needs a valid Content-Length");
    } else if (name == "connection") {
      if (EqualsNoCase(value, "close")) h.keep_alive = false;
      if (http10 && EqualsNoCase(value, "keep-alive")) h.keep_alive = true;
    }
    h.request.headers[name] = std::string(value);
  }
  if (h.content_length > kMaxBody)
    return fail(413, "请求体过大（至多 1 MiB） / the request body is too large (at most 1 MiB)",
                "the request body is too large (at most 1 MiB)");
  return h;
}

}  // namespace

class MachineListener::Impl {
 public:
  Impl(MachineListenerOptions options, MachineHandler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        thread_count_(options_.threads > 0 ? options_.threads : static_cast<int>(UsableCpus().size())),
        io_(thread_count_) {}

  Status Start() {
    const std::size_t colon = options_.listen.rfind(':');
    if (colon == std::string::npos)
      return Status::Error(StatusCode::kInvalidArgument, "监听地址须为 主机:端口：" + options_.listen,
                           "the address to listen on is HOST:PORT: " + options_.listen);
    std::string host = options_.listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const std::string port_text = options_.listen.substr(colon + 1);
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (port_text.empty() || r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port > 65535 || ec)
      return Status::Error(StatusCode::kInvalidArgument, "监听地址无效：" + options_.listen,
                           "a bad address to listen on: " + options_.listen);
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Status::Error(StatusCode::kUnavailable, "无法在 " + options_.listen + " 上监听：" + ec.message(),
                           "cannot listen on " + options_.listen + ": " + ec.message());
    port_ = acceptor_.local_endpoint().port();
    const int n = thread_count_;
    // One thread runs every handler in turn: a connection needs no strand of its own (a strand
    // costs a hop through the queue per completion; about 8 % more checks a second without),
    // and the io_context knows it (its concurrency hint) and takes fewer locks.
    single_thread_ = n == 1;
    Accept();
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { io_.run(); });
    return Status::Ok();
  }

  void Stop() {
    if (threads_.empty()) return;
    asio::post(io_, [this] {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
    });
    io_.stop();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  int port() const { return port_; }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  // One connection: read a head, then its body, answer, and go on with what is left (pipelined
  // requests) while kept alive. Its handlers run one at a time (a strand, or the one thread).
  class Connection : public std::enable_shared_from_this<Connection> {
   public:
    Connection(Impl& owner, tcp::socket socket)
        : owner_(owner), socket_(std::move(socket)), timer_(socket_.get_executor()) {}
    ~Connection() { --owner_.connections_; }

    void Begin() {
      boost::system::error_code ignored;
      socket_.set_option(tcp::no_delay(true), ignored);
      Next();
    }

   private:
    // The request timeout: a deadline moved forward at each read and write; one timer per
    // connection, re-armed only when it fires early (no timer operation per request).
    void Arm() {
      deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(owner_.options_.request_timeout_ms);
      if (armed_) return;
      armed_ = true;
      timer_.expires_at(deadline_);
      timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->OnTimer(ec); });
    }

    void OnTimer(const boost::system::error_code& ec) {
      armed_ = false;
      if (ec || closed_) return;  // cancelled: the connection ended
      if (std::chrono::steady_clock::now() < deadline_) {
        armed_ = true;
        timer_.expires_at(deadline_);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) { self->OnTimer(e); });
        return;
      }
      Close();  // a slow client (or an idle kept-alive connection): cut off
    }

    void Close() {
      if (closed_) return;
      closed_ = true;
      boost::system::error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_both, ignored);
      socket_.close(ignored);
      timer_.cancel();
    }

    // Serves what the buffer holds, else reads more.
    void Next() {
      const std::size_t end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (buffer_.size() > kMaxHead) {
          return Answer(ErrorResponse(431, StatusCode::kInvalidArgument, "请求头过大 / the request head is too large",
                                      "the request head is too large"),
                        false, false);
        }
        return Read();
      }
      if (end + 4 > kMaxHead + 4) {
        return Answer(ErrorResponse(431, StatusCode::kInvalidArgument, "请求头过大 / the request head is too large",
                                    "the request head is too large"),
                      false, false);
      }
      Head head = ParseHead(std::string_view(buffer_).substr(0, end + 2));
      if (head.error) return Answer(*head.error, false, false);
      if (buffer_.size() < end + 4 + head.content_length) return Read();
      head.request.body = buffer_.substr(end + 4, head.content_length);
      buffer_.erase(0, end + 4 + head.content_length);
      HttpResponse response;
      try {
        response = owner_.handler_(head.request);
      } catch (const std::exception& e) {
        std::cerr << "web: machine handler threw: " << e.what() << "\n";
        response = ErrorResponse(500, StatusCode::kInternal, "内部错误 / internal error", "internal error");
      }
      Answer(response, head.head_only, head.keep_alive);
    }

    void Read() {
      Arm();
      auto self = shared_from_this();
      socket_.async_read_some(asio::buffer(chunk_), [self](const boost::system::error_code& ec, std::size_t n) {
        if (ec) return self->Close();  // closed, reset or timed out
        self->buffer_.append(self->chunk_.data(), n);
        self->Next();
      });
    }

    void Answer(const HttpResponse& response, bool head_only, bool keep_alive) {
      out_ = ResponseText(response, head_only, !keep_alive);
      Arm();
      auto self = shared_from_this();
      asio::async_write(socket_, asio::buffer(out_), [self, keep_alive](const boost::system::error_code& ec, std::size_t) {
        if (ec || !keep_alive) return self->Close();
        self->Next();
      });
    }

    Impl& owner_;
    tcp::socket socket_;
    asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_;
    bool armed_ = false, closed_ = false;
    std::array<char, 16 * 1024> chunk_{};
    std::string buffer_, out_;
  };

  void Accept() {
    const auto accepted = [this](const boost::system::error_code& ec, tcp::socket socket) {
      if (!acceptor_.is_open()) return;
      if (!ec) {
        if (connections_.fetch_add(1) >= options_.max_connections) {
          --connections_;
          boost::system::error_code ignored;
          socket.close(ignored);
        } else {
          std::make_shared<Connection>(*this, std::move(socket))->Begin();
        }
      }
      Accept();
    };
    // A connection's handlers run one at a time: on its strand, or on the one thread.
    if (single_thread_)
      acceptor_.async_accept(io_, accepted);
    else
      acceptor_.async_accept(asio::make_strand(io_), accepted);
  }

  MachineListenerOptions options_;
  MachineHandler handler_;
  std::atomic<int> connections_{0};  // before io_: its connections go with it
  int thread_count_;                 // before io_: its concurrency hint
  asio::io_context io_;
  tcp::acceptor acceptor_{io_};
  std::vector<std::thread> threads_;
  bool single_thread_ = false;
  int port_ = 0;
};

MachineListener::MachineListener(MachineListenerOptions options, MachineHandler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}
MachineListener::~MachineListener() { impl_->Stop(); }
Status MachineListener::Start() { return impl_->Start(); }
void MachineListener::Stop() { impl_->Stop(); }
int MachineListener::port() const { return impl_->port(); }
int MachineListener::threads() const { return impl_->threads(); }

}  // namespace xj::web
