// The text side of the directory search: what a query may be, how names become index keys and
// tokens. Pure functions on the SDK alone, no database: the unit tests (tests/) check them
// directly, the index (search_index.cpp) and the routes use them.
//
// Matching rule (docs/web.md, "The public directory"): a name query matches the subjects whose
// name contains it as a substring, ASCII letters compared without case (A = a), every other
// character as it is (no full-width/half-width folding, no traditional/simplified mapping).
// So the index keeps, per subject, its key: the name with ASCII capitals folded to lower case.
//
// Thread safety: plain functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "xinjian/status.h"
#include "xinjian/url.h"  // UrlEncode, for the links of search pages

namespace xj::directory {

// Bounds of a search query, after trimming: 2 to 50 characters (code points); the raw value
// at most 512 bytes.
inline constexpr std::size_t kMinQueryChars = 2;
inline constexpr std::size_t kMaxQueryChars = 50;
inline constexpr std::size_t kMaxQueryBytes = 512;

// The index key of a name: ASCII 'A'-'Z' folded to 'a'-'z', nothing else changed.
std::string FoldKey(std::string_view name);

// The code points of well-formed UTF-8 `s` (the caller checked it) with the byte offset of
// each; offsets has one more entry, s.size().
void DecodeUtf8(std::string_view s, std::vector<std::uint32_t>* code_points, std::vector<std::size_t>* offsets);

// The SQLite bigram tokens of a key: each pair of adjacent code points as 12 lower-case hex
// digits (6 per code point), distinct, space-separated ("" for a key of 0 or 1 character).
std::string BigramTokens(std::string_view key);
// The token of one pair (what BigramTokens writes for it).
std::string BigramToken(std::uint32_t a, std::uint32_t b);

// The PostgreSQL bigram codes of a key: per pair of adjacent code points, (a & 0xFFFF) << 16 |
// (b & 0xFFFF) as a signed 32-bit integer (exact for the Basic Multilingual Plane, where every
// Chinese name character of GB 18030's common set lies; a pair outside it may share a code
// with another pair, which the substring check after the index removes), distinct, sorted.
std::vector<std::int32_t> BigramCodes(std::string_view key);
// `codes` as a PostgreSQL array literal: "{1,2,3}".
std::string IntArrayLiteral(const std::vector<std::int32_t>& codes);

// What a search query asks for.
enum class QueryKind {
  kUsccPrefix,  // 2 to 18 characters of the USCC alphabet (GB 32100), the first a digit
  kName,        // a substring of the name
};

struct SearchQuery {
  QueryKind kind = QueryKind::kName;
  std::string text;   // as typed, trimmed (USCC prefix: upper case)
  std::string key;    // FoldKey(text) for a name; the prefix for a USCC prefix
  std::size_t chars = 0;  // code points of `key`
};

// Reads the q of a search. Leading and trailing spaces (ASCII and U+3000) are dropped. A value
// of 2 to 18 ASCII letters and digits starting with a digit, whose letters (in upper case) all
// belong to the USCC alphabet, is a USCC prefix; anything else is a name substring.
// kInvalidArgument ("中文 / English") for: nothing to search, a control character, ill-formed
// UTF-8, 1 character, more than kMaxQueryChars characters or kMaxQueryBytes bytes.
Result<SearchQuery> ParseQuery(std::string_view q);

// True for a character of the USCC alphabet 0-9 A-H J-N P-R T U W-Y.
bool IsUsccChar(char c);
// OK for a well-formed USCC (18 characters of the alphabet, the check character right);
// kInvalidArgument saying what is wrong otherwise.
Status CheckUscc(std::string_view uscc);

// The FTS5 MATCH expression of a key of 3 or more code points for the trigram table: the
// trigrams at positions 0, 3, 6, … and the last one (together they cover the key), each a
// quoted string ("" inside doubled), joined by spaces (FTS5's implicit AND). A candidate
// still needs the substring check: the trigrams may occur apart.
std::string TrigramMatch(std::string_view key);
// The FTS5 MATCH expression of a 2-code-point key for the bigram table: its token, quoted.
std::string BigramMatch(std::string_view key);

}  // namespace xj::directory
