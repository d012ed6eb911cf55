// The built-in entropy sources (core/include/xinjian/entropy.h): "manual", "lottery" and "none".
//
// manual (the default of every task spec), format "text":
//   - NeedsValue() is true: the operator supplies the public value once it is published
//     (`xinjian task entropy ID VALUE`);
//   - Read(request, typed) reads what was typed as free text: full-width forms (what a Chinese
//     input method types in full-width mode, U+FF01–U+FF5E, and the ideographic space U+3000
//     between words) become their ASCII forms, each listed as a conversion; everything else is
//     kept byte for byte. Refused with kInvalidArgument (CheckPublishedValue): more than
//     kMaxValueBytes bytes, invalid UTF-8, control characters (C0, DEL, C1, the line and
//     paragraph separators), invisible formatting characters (zero-width spaces and joiners,
//     the word joiner and invisible operators, bidirectional overrides and isolates, the byte
//     order mark, the soft hyphen; they make the shown text differ from the hashed bytes), and
//     a space at either end (ASCII, no-break or ideographic: a copy-and-paste slip);
//   - Value(request, "") is kFailedPrecondition (not supplied yet: the task waits);
//     Value(request, v) returns v unchanged when Read would keep it as it is, and refuses it
//     otherwise (a value stored before the format existed, e.g. with full-width digits, must
//     be entered again: `task entropy ID VALUE --replace --reason …`);
//   - the notice quotes the task's description of the source.
//
// lottery, format "rfc3797": like manual, for lottery numbers written as RFC 3797 section 4
// writes its key: every number in decimal without leading zeros followed by '.', the numbers
// of each source (each draw) followed by '/', e.g. "7.8.11.17.19.25.46./" or
// "9319./2.5.8.10.12./". Read accepts only ASCII digits, '.' and '/'; it converts full-width
// digits, '．' and '／', the ideographic full stop '。' (what a Chinese input method types for
// '.') and leading zeros ("07" → "7"), listing each conversion; it refuses anything else (a
// space, a comma, a letter) naming the character and its position, and a value whose shape is
// not the RFC's (a number without its '.', no final '/'), suggesting the RFC form when the
// digits and separators allow one. The numbers are kept in the order typed (RFC 3797 sorts the
// numbers of a draw whose order does not matter: type them sorted when the notice says so).
//
// none, format "none":
//   - NeedsValue() is false and Value(request, "") is "": the task draws as soon as it is
//     due; any supplied value is refused with kInvalidArgument (by Read and by Value);
//   - the notice says plainly that no outside public value is used and that the draw
//     depends only on the committed secret revealed after the results.
//
// All are pure and thread-safe; their names never change meaning (manual and lottery read
// typed values into the same bytes every time; a stored value is never rewritten).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "xinjian/entropy.h"
#include "xinjian/status.h"

namespace xj::entropy {

inline constexpr const char* kManual = "manual";
inline constexpr const char* kLottery = "lottery";
inline constexpr const char* kNone = "none";
inline constexpr std::size_t kMaxValueBytes = 4096;

// OK, or kInvalidArgument saying why `value` cannot be a published entropy value (the rules
// of "manual" above; an empty value is not checked here).
Status CheckPublishedValue(std::string_view value);

// The readings of the two formats (see above); kInvalidArgument with the reason, or the value
// and the conversions applied. An empty input is refused.
Result<EntropyReading> ReadText(std::string_view typed);
Result<EntropyReading> ReadRfc3797(std::string_view typed);

EntropyFormat TextFormat();
EntropyFormat Rfc3797Format();

class ManualSource final : public EntropySource {
 public:
  std::string Description() const override;
  bool NeedsValue() const override { return true; }
  Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const override;
  EntropyNotice Notice(const EntropyRequest& request) const override;
  EntropyFormat Format() const override { return TextFormat(); }
  Result<EntropyReading> Read(const EntropyRequest& request, const std::string& typed) const override;
};

class LotterySource final : public EntropySource {
 public:
  std::string Description() const override;
  bool NeedsValue() const override { return true; }
  Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const override;
  EntropyNotice Notice(const EntropyRequest& request) const override;
  EntropyFormat Format() const override { return Rfc3797Format(); }
  Result<EntropyReading> Read(const EntropyRequest& request, const std::string& typed) const override;
};

class NoneSource final : public EntropySource {
 public:
  std::string Description() const override;
  bool NeedsValue() const override { return false; }
  Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const override;
  EntropyNotice Notice(const EntropyRequest& request) const override;
  EntropyFormat Format() const override;
  Result<EntropyReading> Read(const EntropyRequest& request, const std::string& typed) const override;
};

}  // namespace xj::entropy
