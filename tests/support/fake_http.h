// An HttpContext of the tests' own (xinjian/http.h): a route handler called directly, without
// a server, with the caller's principal and the world's platform. Pages are kept as their
// content (no layout), sections are empty, the language is Chinese, the configuration is the
// fallback. Used by the plugins' route tests (draw proof routes, inspection results API).
#pragma once

#include <map>
#include <string>
#include <utility>

#include "xinjian/http.h"

namespace xj::test {

class FakeHttp final : public HttpContext {
 public:
  FakeHttp(Platform& platform, Principal who, HttpRequest request)
      : platform_(platform), who_(std::move(who)), request_(std::move(request)) {}
  // A request with only path parameters ({id}, {file}, …).
  FakeHttp(Platform& platform, Principal who, std::map<std::string, std::string> path_params)
      : platform_(platform), who_(std::move(who)) {
    request_.path_params = std::move(path_params);
  }
  const HttpRequest& request() const override { return request_; }
  HttpRequest& mutable_request() { return request_; }
  const Principal& principal() const override { return who_; }
  Platform& platform() override { return platform_; }
  HttpResponse& response() override { return response_; }
  std::string Config(const std::string&, const std::string& fallback) const override { return fallback; }
  std::string lang() const override { return "zh"; }
  std::string csrf_token() const override { return ""; }
  void Page(const std::string&, const std::string& content_html) override {
    response_.content_type = "text/html; charset=utf-8";
    response_.body = content_html;
  }
  std::string Sections(const std::string&, const std::string&) override { return ""; }

 private:
  Platform& platform_;
  Principal who_;
  HttpRequest request_;
  HttpResponse response_;
};

}  // namespace xj::test
