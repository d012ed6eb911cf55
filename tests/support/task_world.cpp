#include "task_world.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <functional>

#include "test_support.h"

namespace xj::test {

const PluginHost& DrawHost() {
  const PluginHost& host = Plugins();
  REQUIRE(host.FindSampler("xj-draw-v1") != nullptr);
  REQUIRE(host.FindEntropySource("manual") != nullptr);
  REQUIRE(host.FindEntropySource("none") != nullptr);
  REQUIRE(host.FindEntropySource("lottery") != nullptr);
  return host;
}

const Platform* DrawPlugins() {
  static PlatformImpl* platform = [] {
    auto* p = new PlatformImpl();  // never destroyed, like the host
    p->SetPlugins(&DrawHost());
    return p;
  }();
  return platform;
}

const draw::TaskService& TaskServiceOf(const PluginHost& host) {
  auto [service, provider] = host.FindService(draw::TaskService::kServiceName);
  INFO("the service draw.tasks");
  REQUIRE(service != nullptr);
  CHECK(provider == "draw");
  return *static_cast<const draw::TaskService*>(service);
}

void OpenTaskWorld(TaskWorld& w, const WorldOptions& options) {
  OpenWorld(w, options);
  w.platform.SetPlugins(&DrawHost());
  w.platform.SetNow(w.clock.now_us);
  w.platform.Attach(w.db.get());
}

std::unique_ptr<TaskWorld> MakeTaskWorld(const WorldOptions& options) {
  auto w = std::make_unique<TaskWorld>();
  OpenTaskWorld(*w, options);
  return w;
}

Principal Public() { return Principal::Anonymous(); }

Principal ViewerOf(const std::string& department) {
  Principal p;
  p.id = department.empty() ? "viewer" : "viewer-" + department;
  p.department = department;
  p.roles = {kRoleSupervisor};
  return p;
}

// ---------------------------------------------------------------------------------------------

namespace {

// A draw command that must succeed; the task afterwards in state `state`.
draw::TaskInfo Transition(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                          const std::string& id, const std::string& state) {
  CommandRun r = RunPluginCommandOnly(w, path, std::move(args));
  INFO(path << " " << id << ": " << r.status.message() << "\n" << r.err);
  REQUIRE(r.status.ok());
  REQUIRE(r.exit_code == 0);
  draw::TaskInfo t = Load(w, id);
  CHECK(t.state == state);
  return t;
}

std::string SpecFile(const nlohmann::json& spec) {
  static int n = 0;
  const std::string path = TempDir() + "/spec-" + std::to_string(++n) + ".json";
  std::ofstream(path) << spec.dump(2);
  return path;
}

}  // namespace

Status TryCreate(TaskWorld& w, const nlohmann::json& spec) {
  CommandRun r = RunPluginCommandOnly(w, "task create", {{"--spec", {SpecFile(spec)}}});
  if (!r.status.ok()) return r.status;
  if (r.exit_code != 0) return Status::Error(StatusCode::kInternal, r.err, r.err);
  return Status::Ok();
}

draw::TaskInfo Create(TaskWorld& w, const nlohmann::json& spec) {
  return Transition(w, "task create", {{"--spec", {SpecFile(spec)}}}, spec.at("id").get<std::string>(), "draft");
}

draw::TaskInfo Announce(TaskWorld& w, const std::string& id) {
  return Transition(w, "task announce", {{"id", {id}}}, id, "announced");
}

draw::TaskInfo CreateAndAnnounce(TaskWorld& w, const nlohmann::json& spec) { return Announce(w, Create(w, spec).id); }

draw::TaskInfo Draw(TaskWorld& w, const std::string& id, const std::string& entropy) {
  return Transition(w, "task draw", {{"id", {id}}, {"--entropy", {entropy}}}, id, "drawn");
}

draw::TaskInfo Cancel(TaskWorld& w, const std::string& id, const std::string& reason) {
  return Transition(w, "task cancel", {{"id", {id}}, {"--reason", {reason}}}, id, "cancelled");
}

draw::TaskInfo Drawn(TaskWorld& w, const nlohmann::json& spec) {
  const draw::TaskInfo a = CreateAndAnnounce(w, spec);
  const draw::TaskInfo t = Draw(w, a.id);
  DeliverEvents(w);  // the inspection plugin creates the visits
  return t;
}

namespace {

// What `ask` answers of the draw's service in one read of the world's platform (must succeed).
template <typename T>
T AskService(TaskWorld& w, const std::string& id,
             const std::function<Result<T>(const draw::TaskService&, Sql&)>& ask) {
  Result<T> r = ReadValue<T>(w.platform, [&](Sql& sql) { return ask(TaskServiceOf(DrawHost()), sql); });
  INFO(id << ": " << r.status().message());
  REQUIRE(r.ok());
  return std::move(r).value();
}

}  // namespace

draw::TaskInfo Load(TaskWorld& w, const std::string& id) {
  return AskService<draw::TaskInfo>(w, id, [&](const draw::TaskService& s, Sql& sql) { return s.Find(sql, id); });
}

std::vector<draw::SelectionEntry> Selection(TaskWorld& w, const std::string& id) {
  return AskService<std::vector<draw::SelectionEntry>>(
      w, id, [&](const draw::TaskService& s, Sql& sql) { return s.Selection(sql, id); });
}

std::set<std::string> SelectedUsccs(TaskWorld& w, const std::string& id) {
  std::set<std::string> out;
  for (const auto& s : Selection(w, id)) out.insert(s.uscc);
  return out;
}

void ExpectProofVerifies(TaskWorld& w, const std::string& task) {
  const std::string dir = TempDir() + "/proof-" + task;
  CommandRun proof = RunPluginCommandOnly(w, "task proof", {{"id", {task}}, {"--out", {dir}}}, "", false);
  INFO("task proof " << task << ": " << proof.status.message() << "\n" << proof.err);
  REQUIRE(proof.status.ok());
  REQUIRE(proof.exit_code == 0);
  CommandRun verify = RunPluginCommandOnly(w, "verify", {{"dir", {dir}}}, "", false);
  INFO("verify: " << verify.status.message() << "\n" << verify.out << verify.err);
  CHECK(verify.status.ok());
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out, Catch::Contains("verified"));
}

// ---------------------------------------------------------------------------------------------

void DeliverEvents(TaskWorld& w) {
  std::map<std::string, WritingSubscriber*> writers;
  for (const auto& [name, sub] : DrawHost().writing_subscribers()) writers[name] = sub.get();
  auto rep = DispatchWritingEvents(w.platform, writers);
  INFO(rep.status().message());
  REQUIRE(rep.ok());
  std::string failures;
  for (const std::string& f : rep->failures) failures += f + "\n";
  INFO(failures);
  CHECK(rep->failures.empty());
}

CommandRun RunPluginCommandOnly(TaskWorld& w, const std::string& path,
                                std::map<std::string, std::vector<std::string>> args, const std::string& department,
                                bool json) {
  const auto& commands = DrawHost().commands();
  auto it = commands.find(path);
  INFO("plugin command " << path);
  REQUIRE(it != commands.end());
  Principal who = ViewerOf(department == "*" ? "" : department);
  who.id = "tester";
  if (department == "*") who.roles = {kRoleAdmin};
  return RunPluginCommandOnlyAs(w, who, path, std::move(args), json);
}

CommandRun RunPluginCommandOnlyAs(TaskWorld& w, const Principal& who, const std::string& path,
                                  std::map<std::string, std::vector<std::string>> args, bool json) {
  const auto& commands = DrawHost().commands();
  auto it = commands.find(path);
  INFO("plugin command " << path);
  REQUIRE(it != commands.end());
  CommandInvocation inv;
  inv.args = std::move(args);
  inv.json = json;
  inv.principal = who;
  return RunCommandInProcess(it->second, w.platform, inv);
}

CommandRun RunPluginCommandAs(TaskWorld& w, const Principal& who, const std::string& path,
                              std::map<std::string, std::vector<std::string>> args, bool json) {
  CommandRun r = RunPluginCommandOnlyAs(w, who, path, std::move(args), json);
  DeliverEvents(w);
  return r;
}

CommandRun RunPluginCommand(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                            const std::string& department, bool json) {
  CommandRun r = RunPluginCommandOnly(w, path, std::move(args), department, json);
  DeliverEvents(w);
  return r;
}

nlohmann::json PluginJson(TaskWorld& w, const std::string& path, std::map<std::string, std::vector<std::string>> args,
                          const std::string& department) {
  CommandRun r = RunPluginCommand(w, path, std::move(args), department, true);
  INFO(path << ": " << r.status.message() << "\n" << r.err);
  REQUIRE(r.status.ok());
  REQUIRE(r.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  INFO(r.out.substr(0, 2000));
  REQUIRE(!j.is_discarded());
  return j;
}

nlohmann::json TaskNoticeJson(TaskWorld& w, const std::string& id) {
  return PluginJson(w, "notices task", {{"task", {id}}});
}

std::string VisitId(const std::string& task, int rank) { return task + "-" + std::to_string(rank); }

bool IsOf(const std::string& officer, const std::string& department) { return officer.rfind(department + "-", 0) == 0; }

void PublishAllResults(TaskWorld& w, const std::string& task, const std::string& on) {
  for (const auto& s : Selection(w, task)) {
    const std::string id = VisitId(task, static_cast<int>(s.rank));
    nlohmann::json v = PluginJson(w, "visit show", {{"id", {id}}}, "*");
    const std::vector<std::string> team = v["team"].get<std::vector<std::string>>();
    REQUIRE_FALSE(team.empty());
    if (v["state"] == "assigned") PluginJson(w, "visit start", {{"id", {id}}, {"--by", {team.front()}}}, "*");
    std::set<std::string> departments;
    for (const auto& it : v["items"]) {
      const std::string dept = it["department"].get<std::string>();
      departments.insert(dept);
      if (it["state"] != "pending" && it["state"] != "returned") continue;
      std::string officer;
      for (const auto& o : team)
        if (officer.empty() && IsOf(o, dept)) officer = o;
      INFO("visit " << id << " has no officer of " << dept);
      REQUIRE_FALSE(officer.empty());
      PluginJson(w, "visit result",
                 {{"id", {id}},
                  {"--item", {it["item"].get<std::string>()}},
                  {"--code", {"no_problem"}},
                  {"--date", {on}},
                  {"--method", {"on_site"}},
                  {"--by", {officer}}},
                 dept);
    }
    for (const auto& d : departments) {
      bool entered = false;
      const nlohmann::json shown = PluginJson(w, "visit show", {{"id", {id}}}, d);
      for (const auto& it : shown["items"]) entered = entered || (it["department"] == d && it["state"] == "entered");
      if (entered) PluginJson(w, "visit review", {{"id", {id}}, {"--approve", {}}}, d);
      PluginJson(w, "visit publish", {{"id", {id}}}, d);
    }
  }
}

Status TestJobServices::PublishEvent(const std::string& topic, const std::string& key, const std::string& payload) {
  return RunInTransaction([&](UnitOfWork& uow) { return uow.Publish(topic, key, payload); });
}
Status TestJobServices::RunInTransaction(const UnitOfWorkFn& fn) {
  return w_.platform.RunInTransaction(Principal::System("job:test"), fn);
}
Platform& TestJobServices::platform() { return w_.platform; }

Status RunJob(TaskWorld& w, const std::string& handler, const std::string& local_time) {
  JobHandler* h = DrawHost().FindJobHandler(handler);
  REQUIRE(h != nullptr);
  JobInvocation inv;
  inv.job = "test-" + handler;
  inv.handler = handler;
  inv.time_zone = "Asia/Shanghai";
  inv.scheduled_us = ClockAt(local_time).now_us;
  TestJobServices services(w);
  return h->Run(inv, services);
}

}  // namespace xj::test
