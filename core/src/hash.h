// SHA-256 helpers (OpenSSL). Thread-safe.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace xj {
using Digest = std::array<std::uint8_t, 32>;
Digest Sha256(std::string_view data);
std::string Sha256Hex(std::string_view data);
std::string ToHex(const std::uint8_t* data, std::size_t n);
inline std::string ToHex(const Digest& d) { return ToHex(d.data(), d.size()); }

// Incremental hashing.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  Digest Final();

 private:
  void* ctx_;
};
}  // namespace xj
