// Test plugin "xj-test-svc-provider" (host API 6): provides the service test.counter.
// Configuration: plugins.xj-test-svc-provider.fail=1 makes init fail; .skip=1 makes it
// return OK without providing what its manifest declares.
#include <xinjian/plugin.h>

#include <atomic>
#include <memory>

#include "testsvc/counter.h"

namespace {

class CounterImpl final : public testsvc::Counter {
 public:
  std::int64_t Next() override { return ++n_; }

 private:
  std::atomic<std::int64_t> n_{0};
};

xj::Status Init(xj::Registrar& r) {
  if (r.Config("fail", "") == "1")
    return xj::Status::Error(xj::StatusCode::kUnavailable, "计数器不可用", "the counter is unavailable");
  if (r.Config("skip", "") == "1") return xj::Status::Ok();
  // Undeclared names are refused: the manifest is the truth.
  if (r.ProvideService("test.undeclared", 1, std::make_unique<CounterImpl>()).code() != xj::StatusCode::kFailedPrecondition)
    return xj::Status::Error(xj::StatusCode::kInternal, "未声明的服务竟被接受", "an undeclared service was accepted");
  if (r.ProvideService("test.counter", 0, std::make_unique<CounterImpl>()).code() != xj::StatusCode::kInvalidArgument)
    return xj::Status::Error(xj::StatusCode::kInternal, "版本 0 竟被接受", "version 0 was accepted");
  if (auto st = xj::ProvideService<testsvc::Counter>(r, std::make_unique<CounterImpl>()); !st.ok()) return st;
  if (r.ProvideService("test.counter", 1, std::make_unique<CounterImpl>()).code() != xj::StatusCode::kAlreadyExists)
    return xj::Status::Error(xj::StatusCode::kInternal, "重复提供竟被接受", "a second provision was accepted");
  return xj::Status::Ok();
}

}  // namespace

XJ_PLUGIN(Init)
