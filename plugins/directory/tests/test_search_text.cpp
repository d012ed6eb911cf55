// The directory search's text rules (src/search_text.h): what a query may be, index keys and
// tokens. The search itself, on both databases and through the web server, is checked by
// tests/e2e/directory_web.sh.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "search_text.h"

using namespace xj::directory;

TEST_CASE("a query is a name substring or a USCC prefix, trimmed, 2 to 50 characters", "[directory]") {
  auto q = ParseQuery("  华为 ");
  REQUIRE(q.ok());
  CHECK(q->kind == QueryKind::kName);
  CHECK(q->text == "华为");
  CHECK(q->chars == 2);
  q = ParseQuery("\xE3\x80\x80格力电器\xE3\x80\x80");  // U+3000 on both sides
  REQUIRE(q.ok());
  CHECK(q->text == "格力电器");
  q = ParseQuery("ABC Trading");
  REQUIRE(q.ok());
  CHECK(q->kind == QueryKind::kName);
  CHECK(q->key == "abc trading");
  q = ParseQuery("91330200");
  REQUIRE(q.ok());
  CHECK(q->kind == QueryKind::kUsccPrefix);
  CHECK(q->key == "91330200");
  q = ParseQuery("9133ab");  // typed in lower case
  REQUIRE(q.ok());
  CHECK(q->kind == QueryKind::kUsccPrefix);
  CHECK(q->key == "9133AB");
  q = ParseQuery("91110000600037341L");
  REQUIRE(q.ok());
  CHECK(q->kind == QueryKind::kUsccPrefix);
  // Letters outside the USCC alphabet, a letter first, or more than 18: a name.
  CHECK(ParseQuery("91SO")->kind == QueryKind::kName);
  CHECK(ParseQuery("A9133")->kind == QueryKind::kName);
  CHECK(ParseQuery("9133020000000000000")->kind == QueryKind::kName);
  CHECK(ParseQuery("3M")->kind == QueryKind::kUsccPrefix);  // documented: a digit first means a code

  for (const std::string& bad : std::vector<std::string>{"", "   ", "华", "a", "\xE3\x80\x80"}) {
    auto r = ParseQuery(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == xj::StatusCode::kInvalidArgument);
    CHECK(r.status().message().find(" / ") != std::string::npos);
  }
  CHECK_FALSE(ParseQuery(std::string(51 * 3 / 3, 'x') + "x").ok());       // 52 characters
  CHECK(ParseQuery(std::string(50, 'x')).ok());                            // 50
  CHECK_FALSE(ParseQuery(std::string(10 * 1024, 'x')).ok());               // 10 KB
  CHECK_FALSE(ParseQuery(std::string("ab\0cd", 5)).ok());                  // NUL
  CHECK_FALSE(ParseQuery("ab\ncd").ok());                                  // a line break
  CHECK_FALSE(ParseQuery("\xFF\xFE").ok());                                // not UTF-8
  CHECK_FALSE(ParseQuery("\xE5\x8D").ok());                                // cut short
}

TEST_CASE("index keys fold ASCII capitals only", "[directory]") {
  CHECK(FoldKey("ABC有限公司Ｘ") == "abc有限公司Ｘ");  // the full-width Ｘ stays
  CHECK(FoldKey("") == "");
}

TEST_CASE("bigram tokens and codes: one per pair of adjacent characters, distinct", "[directory]") {
  CHECK(BigramTokens("华为") == "00534e004e3a");
  CHECK(BigramTokens("华") == "");
  CHECK(BigramTokens("华为华为") == "00534e004e3a 004e3a00534e");  // 华为 为华 (华为 once)
  CHECK(BigramMatch("华为") == "\"00534e004e3a\"");
  auto codes = BigramCodes("华为");
  REQUIRE(codes.size() == 1);
  CHECK(codes[0] == static_cast<std::int32_t>((0x534Eu << 16) | 0x4E3Au));
  CHECK(BigramCodes("aaaa").size() == 1);
  CHECK(IntArrayLiteral({1, -2, 3}) == "{1,-2,3}");
  CHECK(IntArrayLiteral({}) == "{}");
}

TEST_CASE("the trigram MATCH expression covers the key and quotes FTS5 syntax away", "[directory]") {
  CHECK(TrigramMatch("华为技") == "\"华为技\"");
  CHECK(TrigramMatch("华为技术") == "\"华为技\" \"为技术\"");
  CHECK(TrigramMatch("abcdefg") == "\"abc\" \"def\" \"efg\"");
  CHECK(TrigramMatch("a\"b OR c*") == "\"a\"\"b\" \" OR\" \" c*\"");
  CHECK(TrigramMatch("NEAR(a b)") == "\"NEA\" \"R(a\" \" b)\"");
}

TEST_CASE("USCC check: length, alphabet, check character", "[directory]") {
  CHECK(CheckUscc("91110000600037341L").ok());
  CHECK_FALSE(CheckUscc("91110000600037341M").ok());
  CHECK_FALSE(CheckUscc("91110000600037341").ok());
  CHECK_FALSE(CheckUscc("9111000060003734IL").ok());
  CHECK_FALSE(CheckUscc(std::string("91110000600037341\0", 18)).ok());
  CHECK_FALSE(CheckUscc("91110000600037341l").ok());
}

TEST_CASE("query values are percent-encoded for links", "[directory]") {
  CHECK(xj::UrlEncode("华为 a&b") == "%E5%8D%8E%E4%B8%BA%20a%26b");
}
