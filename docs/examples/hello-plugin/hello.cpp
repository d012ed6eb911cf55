// hello: the smallest useful XinJian plugin. It registers one event subscriber, "hello",
// that counts the events it receives and, if plugins.hello.every is set to N > 0, prints a
// line to stderr every N events; and one job handler, "hello.greet", that a scheduled job
// can run (`xinjian jobs add --handler hello.greet …`): it publishes one event per run.
//
// Only the SDK headers (<xinjian/...>) may be included. The library is built with hidden
// visibility; the XJ_PLUGIN macro exports the two symbols the host looks for.
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include <xinjian/plugin.h>

namespace {

class HelloCounter final : public xj::EventSubscriber {
 public:
  explicit HelloCounter(std::int64_t every) : every_(every) {}

  // "" receives every topic; "directory." would receive only the directory events.
  std::string TopicPrefix() const override { return ""; }

  // Called from one dispatcher thread at a time. Delivery is at least once: after a crash
  // an event may come again. Counting is not idempotent, so the counter remembers the
  // highest id seen and ignores repeats (event ids are unique and increasing).
  xj::Status OnEvent(const xj::Event& event) override {
    if (event.id <= last_id_) return xj::Status::Ok();
    last_id_ = event.id;
    ++count_;
    if (every_ > 0 && count_ % every_ == 0) {
      std::cerr << "hello: " << count_ << " events, last topic " << event.topic << '\n';
    }
    return xj::Status::Ok();
  }

 private:
  std::int64_t every_;
  std::int64_t last_id_ = 0;
  std::int64_t count_ = 0;
};

// A job handler. Each run publishes the event "hello.greeted" keyed by the job's name, in the
// run's own transaction: it is committed only if the run succeeds. A run can execute twice for
// the same scheduled time (a retry, a recovery after its node died); both events then carry
// the same scheduled_us, which a subscriber can de-duplicate on.
class HelloGreet final : public xj::JobHandler {
 public:
  std::string Description() const override { return "问候一次 / greets once per run"; }

  xj::Status Run(const xj::JobInvocation& run, xj::JobServices& services) override {
    if (services.Cancelled()) {
      return xj::Status::Error(xj::StatusCode::kUnavailable, "运行已取消", "the run was cancelled");
    }
    // Use the run's key, never the clock: a late or repeated run says the same.
    const std::string greeting = services.Config("greeting", "你好 / hello");
    std::string payload = "{\"greeting\": \"";
    for (char c : greeting) {  // a JSON string: escape what must be escaped
      if (c == '"' || c == '\\') payload += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) payload += c;
    }
    payload += "\", \"scheduled_us\": " + std::to_string(run.scheduled_us) + "}";
    return services.PublishEvent("hello.greeted", run.job, payload);
  }
};

xj::Status Init(xj::Registrar& registrar) {
  std::int64_t every = 0;
  try {
    every = std::stoll(registrar.Config("every", "0"));
  } catch (const std::exception&) {
    return xj::Status::Error(xj::StatusCode::kInvalidArgument, "plugins.hello.every 须为整数",
                             "plugins.hello.every must be an integer");
  }
  if (auto st = registrar.AddSubscriber("hello", std::make_unique<HelloCounter>(every)); !st.ok()) return st;
  return registrar.AddJobHandler("hello.greet", std::make_unique<HelloGreet>());
}

}  // namespace

XJ_PLUGIN(Init)
