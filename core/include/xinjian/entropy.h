// Entropy sources: where the public value of a 双随机 draw comes from, registered by plugins.
//
// A draw's seed mixes the secret the platform committed to at the announcement with a
// public value that nobody knew at that time (docs/draw-v1.md, sections 2 and 3): a
// lottery draw's numbers, a public randomness beacon round, dice rolled at a public session.
// A task names its entropy source by name in its spec; the name and the source's notice
// sentence are printed in the public announcement and in the proof.
//
// The built-in plugin `entropy` (plugins/entropy/) ships two sources:
//   - "manual": an operator enters the value, exactly as published, once it is public
//     (`xinjian task entropy ID VALUE`); the task waits until then. The default.
//   - "none": no outside public value; the draw runs with an empty entropy as soon as it is
//     due, and the notice says plainly that it depends only on the committed secret.
// A plugin may add others (a beacon that fetches its round itself, say).
//
// Write one like this (see docs/plugins.md and plugins/entropy/):
//
//   class MySource final : public xj::EntropySource {
//     std::string Description() const override { return "我的随机源 / my source"; }
//     bool NeedsValue() const override { return false; }
//     xj::Result<std::string> Value(const xj::EntropyRequest& r, const std::string& supplied) const override;
//     xj::EntropyNotice Notice(const xj::EntropyRequest& r) const override;
//   };
//   static xj::Status Init(xj::Registrar& reg) {
//     return reg.AddEntropySource("my-source", std::make_unique<MySource>());
//   }
//   XJ_PLUGIN(Init)
//
// and declare "entropy_source" in the manifest's capabilities. The name is stored with every
// task that uses the source and printed in its proof: never change what an existing name
// accepts or returns; new behaviour gets a new name.
#pragma once

#include <cstdint>
#include <string>

#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityEntropySource = "entropy_source";

// What the host tells a source about the task it serves. Plain data, owned by the caller.
struct EntropyRequest {
  std::string task_id;
  // The task's declared description of the public source ("中国福利彩票 3D 第 2026321 期开奖
  // 号码"), as written in its spec and in the notice; may be empty (e.g. for "none").
  std::string description;
  // The commitment published at the announcement (lowercase hex), and when the announcement
  // happened (UTC epoch microseconds). Both are empty / 0 when the task is not announced yet
  // (the host asks for the notice sentence when the task is created). A source whose value
  // must postdate the announcement (a beacon round) uses announced_at_us to choose it.
  std::string commitment;
  std::int64_t announced_at_us = 0;
  // The host's clock when it asks (UTC epoch microseconds): a source that waits for a
  // public event compares with this, not with its own clock, so that tests can set it.
  std::int64_t now_us = 0;
};

// One sentence for the public announcement, in Chinese and in English (the host joins them
// as "zh / en"). It says where the draw's public value comes from and what that means for
// anyone checking the draw.
struct EntropyNotice {
  std::string zh;
  std::string en;
};

// Implemented by plugins. Every function must be a pure function of its arguments (the same
// arguments give the same answer on every machine and at every later date: the host may
// ask again, e.g. a scheduler job every minute, and a verifier years later), may be called
// from any thread at the same time, keeps no state, and never throws across the plugin
// boundary (catch and return kInternal). Messages are bilingual "中文 / English".
class EntropySource {
 public:
  virtual ~EntropySource() = default;

  // One line, "中文 / English", shown by `xinjian plugins list`.
  virtual std::string Description() const = 0;

  // True when an operator supplies the value (`xinjian task entropy ID VALUE`, recorded
  // with an audit entry before the draw); false when the source produces it itself (or
  // there is none). The host refuses a supplied value for a source that needs none.
  virtual bool NeedsValue() const = 0;

  // The entropy to draw with. `supplied` is the value an operator supplied for the task, or
  // "" when none was. Returns:
  //   - the value, exactly the bytes the seed will hash (a source may normalise a supplied
  //     value, e.g. sort lottery numbers into the RFC 3797 form, but must return the same
  //     bytes for the same input every time; "" is a valid value only for a source that
  //     draws without outside entropy);
  //   - kFailedPrecondition when the value is not available yet (not supplied yet, the
  //     beacon round not published yet): the task keeps waiting, nothing is an error;
  //   - kInvalidArgument when `supplied` is not acceptable (malformed, too long, or given to
  //     a source that takes none), with a message saying why.
  // The host checks what it gets back as well (valid UTF-8, no control characters, at most
  // 4096 bytes) and refuses to draw with anything else.
  virtual Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const = 0;

  // The sentence printed in the announcement and the proof. It may quote the description;
  // the host fixes it when the task is announced (a later plugin version does not rewrite
  // published notices).
  virtual EntropyNotice Notice(const EntropyRequest& request) const = 0;
};

}  // namespace xj
