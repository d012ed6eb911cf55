// Test plugin "xj-test-notes" (host API 5): its own table by migration (tests/plugins/notes/
// migrations) and a writing subscriber. On each event "notes.add" it inserts a note with the
// event's "text", records an audit entry and publishes "notes.added", all in the unit of
// work that delivers the event; a payload with "fail": true makes it write first and then
// fail, so the test can see that the write is rolled back with the position.
#include <xinjian/plugin.h>

#include <string>

namespace {

class Notes final : public xj::WritingSubscriber {
 public:
  std::string TopicPrefix() const override { return "notes.add"; }
  xj::Status OnEvent(const xj::Event& e, xj::UnitOfWork& uow) override {
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

xj::Status Init(xj::Registrar& r) { return r.AddWritingSubscriber("notes", std::make_unique<Notes>()); }

}  // namespace

XJ_PLUGIN(Init)
