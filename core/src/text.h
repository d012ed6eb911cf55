// Text utilities for outside input: UTF-8 validation, GB18030 conversion, control
// characters. Pure functions, thread-safe.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "xinjian/status.h"

namespace xj::text {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, max U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of Unicode code points of valid UTF-8 `s`.
std::size_t CodePointCount(std::string_view s);

// True when `s` contains a C0 control character (U+0000..U+001F), DEL (U+007F) or a C1
// control (U+0080..U+009F). Used to reject ids and single-line fields.
bool HasControlChar(std::string_view s);
// Same, but tab, CR and LF are allowed (multi-line free text such as a note or an address).
bool HasControlCharExceptWhitespace(std::string_view s);

// Trims ASCII spaces and tabs at both ends.
std::string_view Trim(std::string_view s);

// Converts GB18030 bytes to UTF-8. Returns kInvalidArgument naming the byte offset of the
// first invalid sequence. Stateless; may be called on a prefix when `allow_truncated_tail`
// is true: then an incomplete multi-byte sequence at the very end is left unconverted and
// its length is stored in *tail_bytes (so a streaming reader can carry it over).
Result<std::string> Gb18030ToUtf8(std::string_view in, bool allow_truncated_tail = false,
                                  std::size_t* tail_bytes = nullptr);
// Converts UTF-8 to GB18030 (for tests and for writing files Excel users open).
Result<std::string> Utf8ToGb18030(std::string_view in);

// Offset of the first byte that makes `s` invalid UTF-8, or std::string_view::npos when it
// is valid. When `truncated` is given it is set to true if the only problem is an incomplete
// (but so far well-formed) sequence at the very end (a buffer cut in the middle of a character).
std::size_t FindInvalidUtf8(std::string_view s, bool* truncated = nullptr);

// Streaming conversion used by CsvReader: appends the UTF-8 form of GB18030 bytes `in` to
// *out. Never fails: every invalid sequence becomes the single byte 0xFF, which is never
// valid UTF-8, so validating a record afterwards finds it. When `final` is false an
// incomplete multi-byte sequence at the end is not converted and its length is returned
// (the caller carries it over to the next chunk); when true it becomes 0xFF and 0 is returned.
std::size_t AppendGb18030AsUtf8(std::string_view in, bool final, std::string* out);

}  // namespace xj::text
