// The service the test plugins xj-test-svc-provider and xj-test-svc-consumer share
// (xinjian/service.h): an interface only, no code of the provider.
#pragma once

#include <cstdint>

#include <xinjian/service.h>

namespace testsvc {

class Counter : public xj::Service {
 public:
  static constexpr const char* kServiceName = "test.counter";
  static constexpr std::uint32_t kServiceVersion = 1;
  // 1, 2, 3… across every caller in the process.
  virtual std::int64_t Next() = 0;
};

}  // namespace testsvc
