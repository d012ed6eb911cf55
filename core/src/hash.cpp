#include "hash.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but EVP costs a
// provider dispatch and context set-up per digest that, for the short inputs hashed per row
// (80-200 bytes), adds about 30 % to the time (measured on the 2-core CI VM).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace xj {

Digest Sha256(std::string_view data) {
  Digest d{};
  SHA256_CTX c;
  if (SHA256_Init(&c) != 1 || SHA256_Update(&c, data.data(), data.size()) != 1 || SHA256_Final(d.data(), &c) != 1)
    throw std::runtime_error("SHA-256 failed");
  return d;
}

std::string ToHex(const std::uint8_t* data, std::size_t n) {
  static const char* kHex = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    s[2 * i] = kHex[data[i] >> 4];
    s[2 * i + 1] = kHex[data[i] & 15];
  }
  return s;
}

std::string Sha256Hex(std::string_view data) { return ToHex(Sha256(data)); }

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("EVP_DigestInit_ex failed");
}
Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }
void Sha256Stream::Update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
}
Digest Sha256Stream::Final() {
  Digest d{};
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), d.data(), &n);
  return d;
}

}  // namespace xj
