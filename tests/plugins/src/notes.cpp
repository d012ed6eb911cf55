// Test plugin "xj-test-notes" (host API 5): its own table by migration (tests/plugins/notes/
// migrations) and a writing subscriber. On each event "notes.add" it inserts a note with the
// event's "text", records an audit entry and publishes "notes.added", all in the unit of
// work that delivers the event; a payload with "fail": true makes it write first and then
// fail, so the test can see that the write is rolled back with the position.
#include <xinjian/plugin.h>

#include <cstdint>
#include <string>
#include <utility>

namespace {

class Notes final : public xj::WritingSubscriber {
 public:
  std::string TopicPrefix() const override { return "notes.add"; }
  xj::Status OnEvent(const xj::Event& e, xj::UnitOfWork& uow) override {
    // The prefix also matches the "notes.added" this subscriber publishes: reacting to those
    // would make a note of every note, for ever (`xinjian serve` delivers continuously).
    if (e.topic != "notes.add") return xj::Status::Ok();
    // The payload is {"text": "...", "fail": bool}; a tiny reader keeps the plugin free of a
    // JSON library.
    const std::string& p = e.payload_json;
    std::string text;
    const std::string key = "\"text\": \"";
    if (auto at = p.find(key); at != std::string::npos) text = p.substr(at + key.size(), p.find('"', at + key.size()) - at - key.size());
    auto ins = uow.sql().Exec("INSERT INTO xj_test_notes(event_id, text) VALUES (?, ?)", {e.id, text});
    if (!ins.ok()) return ins.status();
    if (p.find("\"fail\": true") != std::string::npos)
      return xj::Status::Error(xj::StatusCode::kInvalidArgument, "按要求失败", "failing as asked");
    if (auto st = uow.Audit({"notes.add", "xj_test_note", std::to_string(e.id), "", std::string(64, 'a')}); !st.ok()) return st;
    return uow.Publish("notes.added", std::to_string(e.id), "{\"by\": \"" + uow.principal().id + "\"}");
  }
};

// AddCommand's refusals, checked from inside (the registrar is only reachable here): each
// bad spec must be refused with the expected code, or init fails naming the case.
xj::Status ExpectRefused(xj::Registrar& r, const char* what, xj::CommandSpec spec, xj::StatusCode code) {
  xj::Status st = r.AddCommand(spec, [](xj::CommandContext&) { return xj::Status::Ok(); });
  if (st.code() == code) return xj::Status::Ok();
  return xj::Status::Error(xj::StatusCode::kInternal, std::string("命令检查失败：") + what,
                           std::string("command check failed: ") + what + " gave '" + st.message() + "'");
}

xj::Status Init(xj::Registrar& r) {
  if (auto st = r.AddWritingSubscriber("notes", std::make_unique<Notes>()); !st.ok()) return st;
  xj::Platform& platform = r.platform();
  // notes add TEXT [--tag T]: writes a note through a unit of work as the caller.
  xj::CommandSpec add;
  add.path = {"notes", "add"};
  add.help = "写一条便条 / write a note";
  add.options = {{"text", "内容 / the text", xj::OptionKind::kText, true, "", {}},
                 {"--tag", "标签 / a tag", xj::OptionKind::kText, false, "plain", {"plain", "urgent"}},
                 {"--repeat", "次数 / how many times", xj::OptionKind::kInteger, false, "1", {}}};
  auto st = r.AddCommand(add, [&platform](xj::CommandContext& ctx) -> xj::Status {
    const std::string text = ctx.args().Text("text");
    const std::int64_t repeat = ctx.args().Int("--repeat");
    if (repeat < 1 || repeat > 100)
      return xj::Status::Error(xj::StatusCode::kInvalidArgument, "--repeat 须为 1–100", "--repeat must be 1-100");
    xj::Status s = ctx.platform().RunInTransaction(ctx.principal(), [&](xj::UnitOfWork& uow) -> xj::Status {
      for (std::int64_t i = 0; i < repeat; ++i) {
        auto n = uow.sql().Exec("INSERT INTO xj_test_notes(event_id, text) VALUES (?, ?)",
                                {-(uow.now_us() * 1000 + i), text + "#" + ctx.args().Text("--tag")});
        if (!n.ok()) return n.status();
      }
      return uow.Audit({"notes.add", "xj_test_note", text, "", std::string(64, 'c')});
    });
    if (!s.ok()) return s;
    (void)platform;
    ctx.out() << (ctx.json() ? "{\"added\": " + std::to_string(repeat) + "}" : "已记录 / noted") << "\n";
    return xj::Status::Ok();
  });
  if (!st.ok()) return st;
  // notes check: exits 3 (a verification that found a mismatch), without a database.
  xj::CommandSpec check;
  check.path = {"notes", "check"};
  check.help = "示例校验 / example check";
  check.needs_database = false;
  if (auto s2 = r.AddCommand(check, [](xj::CommandContext& ctx) {
        ctx.SetExitCode(3);
        return xj::Status::Ok();
      });
      !s2.ok())
    return s2;

  using K = xj::OptionKind;
  using C = xj::StatusCode;
  const std::pair<const char*, xj::CommandSpec> bad[] = {
      {"empty path", {{}, "x / x", {}, true, true}},
      {"upper-case word", {{"Notes"}, "x / x", {}, true, true}},
      {"word with a space", {{"no tes"}, "x / x", {}, true, true}},
      {"no help", {{"notes2"}, "", {}, true, true}},
      {"reserved --json", {{"notes2"}, "x / x", {{"--json", "x / x", K::kFlag, false, "", {}}}, true, true}},
      {"duplicate option", {{"notes2"}, "x / x", {{"--a", "x / x", K::kText, false, "", {}}, {"--a", "x / x", K::kText, false, "", {}}}, true, true}},
      {"positional flag", {{"notes2"}, "x / x", {{"p", "x / x", K::kFlag, false, "", {}}}, true, true}},
      {"required after optional", {{"notes2"}, "x / x", {{"p", "x / x", K::kText, false, "", {}}, {"q", "x / x", K::kText, true, "", {}}}, true, true}},
      {"many not last", {{"notes2"}, "x / x", {{"p", "x / x", K::kTexts, true, "", {}}, {"q", "x / x", K::kText, true, "", {}}}, true, true}},
      {"fallback outside choices", {{"notes2"}, "x / x", {{"--c", "x / x", K::kText, false, "z", {"a", "b"}}}, true, true}},
      {"excludes an undeclared option",
       {{"notes2"}, "x / x", {{"--a", "x / x", K::kFlag, false, "", {}}}, true, true, {{"--a", "--b"}}}},
      {"excludes itself", {{"notes2"}, "x / x", {{"--a", "x / x", K::kFlag, false, "", {}}}, true, true, {{"--a", "--a"}}}},
      {"excludes a positional",
       {{"notes2"}, "x / x", {{"--a", "x / x", K::kFlag, false, "", {}}, {"p", "x / x", K::kText, false, "", {}}}, true, true,
        {{"--a", "p"}}}},
  };
  for (const auto& [what, spec] : bad)
    if (auto s3 = ExpectRefused(r, what, spec, C::kInvalidArgument); !s3.ok()) return s3;
  xj::CommandSpec same = add;
  if (auto s3 = ExpectRefused(r, "same path", same, C::kAlreadyExists); !s3.ok()) return s3;
  xj::CommandSpec group = add;
  group.path = {"notes"};
  if (auto s3 = ExpectRefused(r, "path that is a group", group, C::kAlreadyExists); !s3.ok()) return s3;
  xj::CommandSpec below = add;
  below.path = {"notes", "add", "more"};
  if (auto s3 = ExpectRefused(r, "path below a command", below, C::kAlreadyExists); !s3.ok()) return s3;
  return xj::Status::Ok();
}

}  // namespace

XJ_PLUGIN(Init)
