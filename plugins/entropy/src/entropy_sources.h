// The built-in entropy sources (core/include/xinjian/entropy.h): "manual" and "none".
//
// manual (the default of every task spec):
//   - NeedsValue() is true: the operator supplies the public value once it is published
//     (`xinjian task entropy ID VALUE`);
//   - Value(request, "") is kFailedPrecondition (not supplied yet: the task waits);
//   - Value(request, v) returns v unchanged, byte for byte (docs/draw-v1.md section 3: the value
//     exactly as published, nothing trimmed), after refusing with kInvalidArgument what
//     cannot be a faithfully published value: more than kMaxValueBytes bytes, invalid UTF-8,
//     control characters (C0, DEL, C1, the line and paragraph separators), invisible
//     formatting characters (zero-width spaces and joiners, the word joiner and invisible
//     operators, bidirectional overrides and isolates, the byte order mark, the soft hyphen;
//     they make the shown text differ from the hashed bytes),
//     and a space at either end (ASCII, no-break or ideographic: a copy-and-paste slip);
//   - the notice quotes the task's description of the source.
//
// none:
//   - NeedsValue() is false and Value(request, "") is "": the task draws as soon as it is
//     due; any supplied value is refused with kInvalidArgument;
//   - the notice says plainly that no outside public value is used and that the draw
//     depends only on the committed secret revealed after the results.
//
// Both are pure and thread-safe; their names never change meaning.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "xinjian/entropy.h"
#include "xinjian/status.h"

namespace xj::entropy {

inline constexpr const char* kManual = "manual";
inline constexpr const char* kNone = "none";
inline constexpr std::size_t kMaxValueBytes = 4096;

// OK, or kInvalidArgument saying why `value` cannot be a published entropy value (the rules
// of "manual" above; an empty value is not checked here).
Status CheckPublishedValue(std::string_view value);

class ManualSource final : public EntropySource {
 public:
  std::string Description() const override;
  bool NeedsValue() const override { return true; }
  Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const override;
  EntropyNotice Notice(const EntropyRequest& request) const override;
};

class NoneSource final : public EntropySource {
 public:
  std::string Description() const override;
  bool NeedsValue() const override { return false; }
  Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const override;
  EntropyNotice Notice(const EntropyRequest& request) const override;
};

}  // namespace xj::entropy
