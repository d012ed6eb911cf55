// Test plugin "xj-test-svc-consumer" (host API 6): requires test.counter and registers the
// command `svc next`, which prints the counter's next value. Configuration:
// plugins.xj-test-svc-consumer.version=N asks for version N; .undeclared=1 asks for a
// service its manifest does not list.
#include <xinjian/plugin.h>

#include <cstdlib>
#include <string>

#include "testsvc/counter.h"

namespace {

xj::Status Init(xj::Registrar& r) {
  if (r.Config("undeclared", "") == "1") {
    auto other = r.FindService("test.other", 1);
    if (!other.ok()) return other.status();
  }
  xj::Result<testsvc::Counter*> counter = xj::Status::Error(xj::StatusCode::kInternal, "未查找", "not looked up");
  if (const std::string v = r.Config("version", ""); !v.empty()) {
    auto found = r.FindService(testsvc::Counter::kServiceName, static_cast<std::uint32_t>(std::atoi(v.c_str())));
    if (!found.ok()) return found.status();
    counter = static_cast<testsvc::Counter*>(found.value());
  } else {
    counter = xj::RequireService<testsvc::Counter>(r);
  }
  if (!counter.ok()) return counter.status();
  testsvc::Counter* c = counter.value();
  xj::CommandSpec next;
  next.path = {"svc", "next"};
  next.help = "计数器的下一个值 / the counter's next value";
  next.needs_database = false;
  next.options = {{"--times", "次数 / how many", xj::OptionKind::kInteger, false, "1", {}},
                  {"--echo", "原样输出 / print these too", xj::OptionKind::kTexts, false, "", {}},
                  {"--quiet", "不输出身份 / do not print the caller", xj::OptionKind::kFlag, false, "", {}}};
  return r.AddCommand(next, [c](xj::CommandContext& ctx) -> xj::Status {
    const std::int64_t times = ctx.args().Int("--times");
    if (times < 1 || times > 1000)
      return xj::Status::Error(xj::StatusCode::kInvalidArgument, "--times 须为 1–1000", "--times must be 1-1000");
    std::int64_t last = 0;
    for (std::int64_t i = 0; i < times; ++i) last = c->Next();
    const xj::Principal& p = ctx.principal();
    if (ctx.json()) {
      ctx.out() << "{\"next\": " << last << ", \"actor\": \"" << p.id << "\", \"department\": \"" << p.department
                << "\", \"roles\": " << p.roles.size() << "}\n";
    } else {
      ctx.out() << "next=" << last << "\n";
      if (!ctx.args().Flag("--quiet"))
        ctx.out() << "actor=" << p.id << " department=" << p.department << " role=" << p.roles.front() << "\n";
      for (const std::string& e : ctx.args().Texts("--echo")) ctx.out() << "echo=" << e << "\n";
    }
    return xj::Status::Ok();
  });
}

}  // namespace

XJ_PLUGIN(Init)
