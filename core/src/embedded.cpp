#include "embedded.h"

namespace xj {
const EmbeddedFile* FindSchemaFile(std::string_view path) {
  for (std::size_t i = 0; i < kSchemaFiles_count; ++i) {
    if (path == kSchemaFiles[i].path) return &kSchemaFiles[i];
  }
  return nullptr;
}
}  // namespace xj
