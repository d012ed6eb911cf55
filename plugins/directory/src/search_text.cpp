// See search_text.h.
#include "search_text.h"

#include "xinjian/uscc.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "xinjian/text.h"

namespace xj::directory {
namespace {

Status Bad(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInvalidArgument, zh, en); }

constexpr std::string_view kUsccAlphabet = uscc::kAlphabet;

}  // namespace

std::string FoldKey(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

void DecodeUtf8(std::string_view s, std::vector<std::uint32_t>* code_points, std::vector<std::size_t>* offsets) {
  code_points->clear();
  if (offsets) offsets->clear();
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    if (i + n > s.size()) n = s.size() - i;
    std::uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    code_points->push_back(cp);
    if (offsets) offsets->push_back(i);
    i += n;
  }
  if (offsets) offsets->push_back(s.size());
}

std::string BigramToken(std::uint32_t a, std::uint32_t b) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%06x%06x", a, b);
  return buf;
}

std::string BigramTokens(std::string_view key) {
  std::vector<std::uint32_t> cps;
  DecodeUtf8(key, &cps, nullptr);
  std::set<std::string> seen;
  std::string out;
  for (std::size_t i = 0; i + 1 < cps.size(); ++i) {
    std::string t = BigramToken(cps[i], cps[i + 1]);
    if (!seen.insert(t).second) continue;
    if (!out.empty()) out += ' ';
    out += t;
  }
  return out;
}

std::vector<std::int32_t> BigramCodes(std::string_view key) {
  std::vector<std::uint32_t> cps;
  DecodeUtf8(key, &cps, nullptr);
  std::vector<std::int32_t> out;
  for (std::size_t i = 0; i + 1 < cps.size(); ++i)
    out.push_back(static_cast<std::int32_t>(((cps[i] & 0xFFFFu) << 16) | (cps[i + 1] & 0xFFFFu)));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string IntArrayLiteral(const std::vector<std::int32_t>& codes) {
  std::string out = "{";
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(codes[i]);
  }
  return out + "}";
}

bool IsUsccChar(char c) { return c != '\0' && kUsccAlphabet.find(c) != std::string_view::npos; }

Status CheckUscc(std::string_view uscc) { return uscc::Check(uscc); }

Result<SearchQuery> ParseQuery(std::string_view q) {
  if (q.size() > kMaxQueryBytes)
    return Bad("查询内容过长（至多 " + std::to_string(kMaxQueryChars) + " 个字）",
               "the query is too long (at most " + std::to_string(kMaxQueryChars) + " characters)");
  if (!utf8::IsValid(q)) return Bad("查询内容不是有效的 UTF-8", "the query is not valid UTF-8");
  if (utf8::HasControlChar(q, /*allow_whitespace=*/false))
    return Bad("查询内容含有控制字符", "the query contains a control character");
  // Trim ASCII spaces and U+3000 (E3 80 80) at both ends.
  static constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  while (true) {
    if (!q.empty() && q.front() == ' ') {
      q.remove_prefix(1);
    } else if (q.substr(0, 3) == kIdeographicSpace) {
      q.remove_prefix(3);
    } else {
      break;
    }
  }
  while (true) {
    if (!q.empty() && q.back() == ' ') {
      q.remove_suffix(1);
    } else if (q.size() >= 3 && q.substr(q.size() - 3) == kIdeographicSpace) {
      q.remove_suffix(3);
    } else {
      break;
    }
  }
  if (q.empty()) return Bad("请输入名称或统一社会信用代码", "type a name or a unified social credit code");
  const std::size_t chars = utf8::CodePointCount(q);
  if (chars < kMinQueryChars)
    return Bad("查询内容至少 2 个字", "a query has at least 2 characters");
  if (chars > kMaxQueryChars)
    return Bad("查询内容过长（至多 " + std::to_string(kMaxQueryChars) + " 个字）",
               "the query is too long (at most " + std::to_string(kMaxQueryChars) + " characters)");
  SearchQuery out;
  out.chars = chars;
  // A USCC prefix?
  if (q.size() <= 18 && q[0] >= '0' && q[0] <= '9') {
    std::string upper(q);
    bool prefix = true;
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (!IsUsccChar(c)) {
        prefix = false;
        break;
      }
    }
    if (prefix) {
      out.kind = QueryKind::kUsccPrefix;
      out.text = upper;
      out.key = upper;
      return out;
    }
  }
  out.kind = QueryKind::kName;
  out.text = std::string(q);
  out.key = FoldKey(q);
  return out;
}

namespace {
std::string Quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
}  // namespace

std::string TrigramMatch(std::string_view key) {
  std::vector<std::uint32_t> cps;
  std::vector<std::size_t> at;
  DecodeUtf8(key, &cps, &at);
  const std::size_t n = cps.size();
  if (n < 3) return Quoted(key);
  std::vector<std::size_t> starts;
  for (std::size_t p = 0; p + 3 <= n; p += 3) starts.push_back(p);
  if (starts.back() != n - 3) starts.push_back(n - 3);
  std::string out;
  for (std::size_t p : starts) {
    if (!out.empty()) out += ' ';
    out += Quoted(key.substr(at[p], at[p + 3] - at[p]));
  }
  return out;
}

std::string BigramMatch(std::string_view key) {
  std::vector<std::uint32_t> cps;
  DecodeUtf8(key, &cps, nullptr);
  if (cps.size() != 2) return "\"\"";
  return "\"" + BigramToken(cps[0], cps[1]) + "\"";
}


}  // namespace xj::directory
