// Test plugin "xj-test-jobs" (host API 6): job handlers that write through
// JobServices::RunInTransaction, into the plugin's own table (tests/plugins/jobs/migrations).
//
// "xj-test.unit-write" marks the run: one unit inserts the row (job, scheduled_us = the unit's
// now_us) with an audit record "xj-test-jobs.mark.add" and an event "xj-test-jobs.marked";
// with payload {"units": N} N-1 more units each add 1 to the row's `units` (each must see
// the row the previous ones wrote); with {"notes": "TEXT"} the first unit also publishes
// "notes.add" {"text": TEXT} (for xj-test-notes' writing subscriber, whose tiny reader wants
// exactly `"text": "`; TEXT must need no escaping); {"wait_for_file":
// PATH} makes it wait for PATH to exist before it writes anything; then, after writing,
// it fails when the payload says {"fail": true} or {"fail_attempts": N} and this is attempt
// N or earlier, and throws with {"throw": true}. "xj-test.unit-write-fail" always writes and
// then fails. The handlers check the contract from the plugin's side and fail the run naming
// what broke: the unit's now_us is the scheduled time and its principal "job:<job>", a unit
// inside a unit and a write through platform() are refused with kFailedPrecondition, reads
// through platform() work before and inside the run's transaction and see its writes.
#include <xinjian/plugin.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

xj::Status Broken(const std::string& what) {
  return xj::Status::Error(xj::StatusCode::kInternal, "约定未满足：" + what, "contract broken: " + what);
}

xj::Result<std::int64_t> CountMarks(xj::Platform& platform, const std::string& job) {
  std::int64_t n = -1;
  xj::Status st = platform.Read([&](xj::Sql& sql) -> xj::Status {
    auto c = sql.QueryInt("SELECT COUNT(*) FROM xj_test_job_marks WHERE job = ?", {job});
    if (!c.ok()) return c.status();
    n = c.value();
    return xj::Status::Ok();
  });
  if (!st.ok()) return st;
  return n;
}

class UnitWrite final : public xj::JobHandler {
 public:
  explicit UnitWrite(bool always_fail) : always_fail_(always_fail) {}
  std::string Description() const override {
    return always_fail_ ? "测试用：写入后失败 / test: writes, then fails"
                        : "测试用：在运行的事务中写入 / test: writes in the run's transaction";
  }

  xj::Status Run(const xj::JobInvocation& run, xj::JobServices& services) override {
    const nlohmann::json p = nlohmann::json::parse(run.payload_json, nullptr, false);
    auto opt = [&](const char* key, auto fallback) { return p.is_object() ? p.value(key, fallback) : fallback; };
    const std::int64_t units = opt("units", std::int64_t{1});
    const std::string notes = opt("notes", std::string());
    const std::string key = run.job + "@" + std::to_string(run.scheduled_us);

    // {"wait_for_file": PATH}: waits (at most two minutes) until the test creates PATH, before
    // any unit: meanwhile the run holds no lock, and the test writes to show it.
    if (const std::string path = opt("wait_for_file", std::string()); !path.empty()) {
      const auto until = std::chrono::steady_clock::now() + std::chrono::minutes(2);
      while (!std::filesystem::exists(path)) {
        if (services.Cancelled() || std::chrono::steady_clock::now() > until)
          return xj::Status::Error(xj::StatusCode::kUnavailable, "等待文件超时或已取消", "gave up waiting for " + path);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }

    // Before the run's transaction: a read works, a write through the platform is refused.
    auto before = CountMarks(services.platform(), run.job);
    if (!before.ok()) return Broken("platform().Read before the first unit: " + before.status().message());
    const xj::Status direct = services.platform().RunInTransaction(xj::Principal::System("job:" + run.job),
                                                                   [](xj::UnitOfWork&) { return xj::Status::Ok(); });
    if (direct.code() != xj::StatusCode::kFailedPrecondition)
      return Broken("platform().RunInTransaction in a job gave " + std::string(xj::StatusCodeName(direct.code())));

    for (std::int64_t i = 0; i < units; ++i) {
      xj::Status st = services.RunInTransaction([&](xj::UnitOfWork& uow) -> xj::Status {
        if (uow.now_us() != run.scheduled_us)
          return Broken("now_us " + std::to_string(uow.now_us()) + " is not the scheduled time");
        if (uow.principal().id != "job:" + run.job) return Broken("the principal is " + uow.principal().id);
        const xj::Status nested = services.RunInTransaction([](xj::UnitOfWork&) { return xj::Status::Ok(); });
        if (nested.code() != xj::StatusCode::kFailedPrecondition)
          return Broken("a unit inside a unit gave " + std::string(xj::StatusCodeName(nested.code())));
        if (i > 0) {
          auto n = uow.sql().Exec("UPDATE xj_test_job_marks SET units = units + 1 WHERE job = ? AND scheduled_us = ?",
                                  {run.job, uow.now_us()});
          if (!n.ok()) return n.status();
          if (n.value() != 1) return Broken("unit " + std::to_string(i + 1) + " does not see the row of the first");
          return xj::Status::Ok();
        }
        // Keyed by the run: a retry or a recovery of the same run writes the same key.
        auto n = uow.sql().Exec(
            "INSERT INTO xj_test_job_marks(job, scheduled_us, attempt, units, note) VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT DO NOTHING",
            {run.job, uow.now_us(), static_cast<std::int64_t>(run.attempt), std::string(always_fail_ ? "fail" : "ok")});
        if (!n.ok()) return n.status();
        if (auto st2 = uow.Audit({"xj-test-jobs.mark.add", "xj_test_job_mark", key, "", std::string(64, 'b')});
            !st2.ok())
          return st2;
        const nlohmann::json e{{"job", run.job},
                               {"scheduled_us", run.scheduled_us},
                               {"attempt", run.attempt},
                               {"now_us", uow.now_us()},
                               {"by", uow.principal().id}};
        if (auto st2 = uow.Publish("xj-test-jobs.marked", key, e.dump()); !st2.ok()) return st2;
        if (!notes.empty())
          if (auto st2 = uow.Publish("notes.add", key, "{\"text\": \"" + notes + "\"}"); !st2.ok()) return st2;
        return xj::Status::Ok();
      });
      if (!st.ok()) return st;
    }

    // Inside the run's transaction a read sees the run's own writes.
    auto after = CountMarks(services.platform(), run.job);
    if (!after.ok()) return Broken("platform().Read after the units: " + after.status().message());
    if (after.value() != before.value() + 1 && after.value() != before.value())
      return Broken("a read in the run's transaction sees " + std::to_string(after.value()) + " marks, before " +
                    std::to_string(before.value()));
    if (after.value() == 0) return Broken("a read in the run's transaction does not see its own mark");

    if (always_fail_ || opt("fail", false) || run.attempt <= opt("fail_attempts", std::int64_t{0}))
      return xj::Status::Error(xj::StatusCode::kInternal, "写入后按要求失败", "failing after writing, as asked");
    if (opt("throw", false)) throw std::runtime_error("throwing after writing, as asked");
    return xj::Status::Ok();
  }

 private:
  bool always_fail_;
};

xj::Status Init(xj::Registrar& r) {
  if (auto st = r.AddJobHandler("xj-test.unit-write", std::make_unique<UnitWrite>(false)); !st.ok()) return st;
  return r.AddJobHandler("xj-test.unit-write-fail", std::make_unique<UnitWrite>(true));
}

}  // namespace

XJ_PLUGIN(Init)
