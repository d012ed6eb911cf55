// Files compiled into the binary from schemas/ (see cmake/Embed.cmake).
#pragma once
#include <cstddef>
#include <string_view>

namespace xj {
struct EmbeddedFile {
  const char* path;  // relative to schemas/, e.g. "sqlite/001_foundation.sql"
  const char* data;
  std::size_t size;
  std::string_view view() const { return {data, size}; }
};
extern const EmbeddedFile kSchemaFiles[];
extern const std::size_t kSchemaFiles_count;
// Returns the embedded file at `path` or nullptr.
const EmbeddedFile* FindSchemaFile(std::string_view path);
}  // namespace xj
