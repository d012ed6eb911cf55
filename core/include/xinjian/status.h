// Status and Result: how XinJian reports expected failures (bad input, not found,
// conflicts) as values. Exceptions are kept for broken invariants and start-up failures.
//
// Every message a user may see is bilingual, Chinese first: "中文说明 / English text".
// Thread safety: plain values, safe to copy between threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace xj {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the input is malformed; the message says where and why
  kNotFound,
  kAlreadyExists,
  kConflict,         // the operation contradicts the current state
  kFailedPrecondition,
  kUnavailable,      // a resource (database, file) cannot be reached
  kInternal,
  // Appended (values are stable): the caller is known but may not do this (principal.h),
  // and the caller is not known at all (no or a bad login).
  kPermissionDenied,
  kUnauthenticated,
  // Appended: the caller asked too often (failed sign-ins); try again later (HTTP 429).
  kResourceExhausted,
};

// The code's name as a stable lower-case identifier ("invalid_argument", "permission_denied"),
// for JSON output and logs.
inline const char* StatusCodeName(StatusCode c) {
  switch (c) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid_argument";
    case StatusCode::kNotFound: return "not_found";
    case StatusCode::kAlreadyExists: return "already_exists";
    case StatusCode::kConflict: return "conflict";
    case StatusCode::kFailedPrecondition: return "failed_precondition";
    case StatusCode::kUnavailable: return "unavailable";
    case StatusCode::kInternal: return "internal";
    case StatusCode::kPermissionDenied: return "permission_denied";
    case StatusCode::kUnauthenticated: return "unauthenticated";
    case StatusCode::kResourceExhausted: return "resource_exhausted";
  }
  return "internal";
}

// [[nodiscard]]: a Status or Result that is dropped is almost always a lost error; write
// `(void)call();` only where ignoring it is the point, with a comment saying why.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  // zh and en are joined as "zh / en".
  static Status Error(StatusCode code, const std::string& zh, const std::string& en) {
    return Status(code, zh + " / " + en);
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a value or a non-OK Status.
// A Result is never built from an OK Status: that would be a result with neither a value nor
// an error. Debug builds stop there (assert); release builds turn it into kInternal.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {          // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
    if (std::get<Status>(v_).ok())
      v_ = Status(StatusCode::kInternal, "内部错误：结果既无值也无错误 / internal error: a result with neither value nor error");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  // Returns OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace xj
