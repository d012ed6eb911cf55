// A test plugin with the capabilities of host API 3: an entropy source "xj-test.fixed" and a
// job handler "xj-test.echo". Its init also checks, from the plugin's side, that the
// Registrar refuses a taken name, a bad name and a null object with the documented codes
// (and fails the plugin if not). With the manifest "undeclared-job" (entropy_source only)
// the job handler is undeclared and the host must fail the plugin.
// The source declares a format (host API 4: Format and Read). Built with XJ_TEST_HOST_API=3,
// the plugin says it was built against host API 3: the host must then never call Format or
// Read on its source (an older plugin's virtual table has no such entries) and answer with the
// SDK's defaults instead.
#include <xinjian/plugin.h>

#include <memory>
#include <string>

namespace {

// Needs no value; its value is "fixed:<task id>"; refuses a supplied value.
class FixedSource final : public xj::EntropySource {
 public:
  std::string Description() const override { return "测试用固定随机源 / a fixed test source"; }
  bool NeedsValue() const override { return false; }
  xj::Result<std::string> Value(const xj::EntropyRequest& r, const std::string& supplied) const override {
    if (!supplied.empty()) return xj::Status::Error(xj::StatusCode::kInvalidArgument, "不接受值", "takes no value");
    return "fixed:" + r.task_id;
  }
  xj::EntropyNotice Notice(const xj::EntropyRequest& r) const override {
    return {"固定值 " + r.task_id, "a fixed value for " + r.task_id};
  }
  xj::EntropyFormat Format() const override { return {"xj-test.format", "测试格式", "a test format", "x"}; }
  xj::Result<xj::EntropyReading> Read(const xj::EntropyRequest&, const std::string& typed) const override {
    return xj::EntropyReading{"read:" + typed, {"测试转换 / a test conversion"}};
  }
};

// Publishes one event "xj-test.echo" keyed by the job, with the payload, the run key and the
// configured greeting; fails when cancelled.
class EchoJob final : public xj::JobHandler {
 public:
  std::string Description() const override { return "测试用回声任务 / a test echo job"; }
  xj::Status Run(const xj::JobInvocation& run, xj::JobServices& services) override {
    if (services.Cancelled()) return xj::Status::Error(xj::StatusCode::kUnavailable, "已取消", "cancelled");
    const std::string payload = "{\"payload\": " + run.payload_json +
                                ", \"scheduled_us\": " + std::to_string(run.scheduled_us) +
                                ", \"attempt\": " + std::to_string(run.attempt) + ", \"greeting\": \"" +
                                services.Config("greeting", "hi") + "\"}";
    return services.PublishEvent("xj-test.echo", run.job, payload);
  }
};

xj::Status Expect(const xj::Status& got, xj::StatusCode want, const std::string& what) {
  if (got.code() == want) return xj::Status::Ok();
  return xj::Status::Error(xj::StatusCode::kInternal, "注册器未按约定拒绝：" + what,
                           "the registrar did not refuse as documented: " + what + " (" + got.message() + ")");
}

xj::Status Init(xj::Registrar& r) {
  if (auto st = r.AddEntropySource("xj-test.fixed", std::make_unique<FixedSource>()); !st.ok()) return st;
  if (auto st = Expect(r.AddEntropySource("xj-test.fixed", std::make_unique<FixedSource>()),
                       xj::StatusCode::kAlreadyExists, "a taken entropy source name");
      !st.ok())
    return st;
  if (auto st = Expect(r.AddEntropySource("Bad Name", std::make_unique<FixedSource>()),
                       xj::StatusCode::kInvalidArgument, "a bad entropy source name");
      !st.ok())
    return st;
  if (auto st = r.AddJobHandler("xj-test.echo", std::make_unique<EchoJob>()); !st.ok()) return st;
  if (auto st = Expect(r.AddJobHandler("xj-test.echo", std::make_unique<EchoJob>()), xj::StatusCode::kAlreadyExists,
                       "a taken job handler name");
      !st.ok())
    return st;
  return Expect(r.AddJobHandler("xj-test.null", nullptr), xj::StatusCode::kInvalidArgument, "a null job handler");
}

}  // namespace

#ifdef XJ_TEST_HOST_API
XJ_PLUGIN_EXPORT xj::PluginAbi xj_plugin_abi() {
  xj::PluginAbi abi = xj::CurrentPluginAbi();
  abi.host_api = XJ_TEST_HOST_API;
  return abi;
}
XJ_PLUGIN_EXPORT xj::Status xj_plugin_init(xj::Registrar& registrar) { return Init(registrar); }
#else
XJ_PLUGIN(Init)
#endif
