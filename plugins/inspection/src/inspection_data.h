// The inspection plugin's data files, compiled in (plugins/inspection/data/, cmake/Embed.cmake
// xj_embed_string).
#pragma once

#include <string_view>

namespace xj::inspection {

// data/result-codes.json: the result codes, inspection methods and follow-ups (docs/visits.md).
extern const std::string_view kResultCodesJson;

}  // namespace xj::inspection
