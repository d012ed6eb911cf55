// A well-formed test plugin: registers one subscriber "<plugin name>-sub" whose topic
// prefix comes from the configuration key "prefix" and which counts the events it sees.
// OnEvent returns an error for the topic "test.fail" so that tests can see a Status travel
// back from plugin code.
#include <memory>
#include <string>

#include <xinjian/plugin.h>

namespace {

class CountingSubscriber final : public xj::EventSubscriber {
 public:
  explicit CountingSubscriber(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string TopicPrefix() const override { return prefix_; }
  xj::Status OnEvent(const xj::Event& event) override {
    if (event.topic == "test.fail") {
      return xj::Status::Error(xj::StatusCode::kUnavailable, "测试失败 " + std::to_string(count_),
                               "test failure after " + std::to_string(count_) + " events");
    }
    ++count_;
    return xj::Status::Ok();
  }

 private:
  std::string prefix_;
  long count_ = 0;
};

xj::Status Init(xj::Registrar& r) {
  return r.AddSubscriber(r.PluginName() + "-sub", std::make_unique<CountingSubscriber>(r.Config("prefix", "")));
}

}  // namespace

XJ_PLUGIN(Init)
