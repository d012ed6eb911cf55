// xinjian/digest.h: the SDK's header-only SHA-256 against FIPS 180-4's examples and OpenSSL.
#include <catch2/catch.hpp>

#include <string>

#include <xinjian/digest.h>

#include "hash.h"

TEST_CASE("Sha256Hex gives the FIPS 180-4 digests", "[sdk][digest]") {
  CHECK(xj::digest::Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(xj::digest::Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(xj::digest::Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(xj::digest::Sha256Hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Sha256Hex agrees with the core's OpenSSL digest at every length around the block size", "[sdk][digest]") {
  std::string s;
  for (int n = 0; n < 300; ++n) {
    INFO(n);
    CHECK(xj::digest::Sha256Hex(s) == xj::ToHex(xj::Sha256(s)));
    s += static_cast<char>('0' + n % 75);
  }
  // Fed in pieces of every size, the same digest.
  const std::string text = "信监 XinJian 双随机、一公开 " + std::string(200, 'x');
  for (std::size_t piece = 1; piece < 70; ++piece) {
    xj::digest::Sha256 h;
    for (std::size_t i = 0; i < text.size(); i += piece) h.Update(std::string_view(text).substr(i, piece));
    const auto d = h.Final();
    CHECK(xj::ToHex(d.data(), d.size()) == xj::digest::Sha256Hex(text));
  }
}
