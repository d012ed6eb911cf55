// Entropy sources: where the public value of a 双随机 draw comes from, registered by plugins.
//
// A draw's seed mixes the secret the platform committed to at the announcement with a
// public value that nobody knew at that time (docs/draw-v1.md, sections 2 and 3): a
// lottery draw's numbers, a public randomness beacon round, dice rolled at a public session.
// A task names its entropy source by name in its spec; the name and the source's notice
// sentence are printed in the public announcement and in the proof.
//
// The built-in plugin `entropy` (plugins/entropy/) ships three sources:
//   - "manual": an operator enters the value as published, once it is public
//     (`xinjian task entropy ID VALUE`); the task waits until then. The default. Format
//     "text": full-width forms are read as ASCII, everything else is kept.
//   - "lottery": the same for lottery numbers, in the format "rfc3797" (RFC 3797 section 4:
//     "7.8.11.17.19.25.46./"); full-width digits and separators, '。' and leading zeros are
//     converted, anything else is refused.
//   - "none": no outside public value; the draw runs with an empty entropy as soon as it is
//     due, and the notice says plainly that it depends only on the committed secret.
// A plugin may add others (a beacon that fetches its round itself, say).
//
// Values typed by people go through the source's declared format (Format, Read; host API 4):
// what an input method produces ("７．８．１１" in full-width mode) is either converted, with
// every conversion shown to the operator and recorded, or refused with the reason, before
// anything is stored; the value recorded is shown back with who entered it. Until the draw
// runs, a wrongly entered value can be replaced once, with a reason (audited, and shown on
// the notice beside the replaced value).
//
// Write one like this (see docs/plugins.md and plugins/entropy/):
//
//   class MySource final : public xj::EntropySource {
//     std::string Description() const override { return "我的随机源 / my source"; }
//     bool NeedsValue() const override { return false; }
//     xj::Result<std::string> Value(const xj::EntropyRequest& r, const std::string& supplied) const override;
//     xj::EntropyNotice Notice(const xj::EntropyRequest& r) const override;
//     // Optional (host API 4): the format of typed values and how to read them.
//     xj::EntropyFormat Format() const override;
//     xj::Result<xj::EntropyReading> Read(const xj::EntropyRequest& r, const std::string& typed) const override;
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
#include <vector>

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

// How an operator writes a value of a source (host API 4). The host names it with every
// refusal of a typed value (unless the source's message shows the example already), so that
// whoever types the value knows the form the draw expects; a source's notice sentence may
// describe it too (lottery's does). Plain data.
struct EntropyFormat {
  // Short and stable, e.g. "text" (free text as published) or "rfc3797" (lottery numbers as
  // RFC 3797 section 4 writes them: "7.8.11.17.19.25.46./").
  std::string name;
  // One sentence each: what a value looks like and what the source converts.
  std::string zh, en;
  // A value in this format.
  std::string example;
};

// What an operator typed, read in the source's format (host API 4).
struct EntropyReading {
  // The value in the declared format: what is recorded, shown back and hashed by the seed.
  std::string value;
  // Every conversion the reading applied, one "中文 / English" line each (e.g.
  // "全角字符改为半角：７→7、．→. / full-width characters read as ASCII: ７→7, ．→."). Empty
  // when `value` is exactly what was typed.
  std::vector<std::string> conversions;
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
  // 4096 bytes) and refuses to draw with anything else. `supplied` is a value Read returned
  // (or a value stored before the source declared its format): a source with a format
  // should refuse a value that Read would not return unchanged.
  virtual Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const = 0;

  // The sentence printed in the announcement and the proof. It may quote the description;
  // the host fixes it when the task is announced (a later plugin version does not rewrite
  // published notices).
  virtual EntropyNotice Notice(const EntropyRequest& request) const = 0;

  // Host API 4 (appended: a plugin built against host API 3 has no such entries in its
  // virtual table, and the host never calls them on its sources, using the defaults below).
  //
  // The format of the values an operator supplies. Default: "text", free text taken as typed.
  virtual EntropyFormat Format() const {
    return EntropyFormat{"text", "按公布的原文录入", "the text exactly as published", ""};
  }

  // Reads what an operator typed (`xinjian task entropy ID TYPED`, `task draw --entropy`)
  // into the declared format. Returns the value in that format with every conversion it
  // applied (full-width digits, an input method's punctuation, leading zeros: whatever the
  // format can convert without guessing), or kInvalidArgument saying what is wrong (which
  // character, at which position) and what the format expects; a source that takes no value
  // refuses every input. The host calls it before Value, records the value (and what was
  // typed, when they differ), shows the value and the conversions back, and then asks
  // Value(request, value). Must be a pure function like the others, and stable: reading a
  // value it returned gives that value again with no conversion (Value relies on it to
  // refuse a stored value that is not in the format). Default: the input unchanged.
  virtual Result<EntropyReading> Read(const EntropyRequest& request, const std::string& typed) const {
    (void)request;
    return EntropyReading{typed, {}};
  }
};

}  // namespace xj
