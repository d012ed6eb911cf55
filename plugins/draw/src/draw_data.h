// The draw's data files, compiled in from plugins/draw/data/ (plugins/draw/CMakeLists.txt:
// xj_embed_string, cmake/Embed.cmake).
#pragma once
#include <string_view>

namespace xj::draw {

// data/ratio-presets.json: the named ratio presets (task_spec.h, BuiltinRatioPresets).
extern const std::string_view kRatioPresetsJson;

// web/verify-draw.js: the browser verifier, served at /assets/draw/verify-draw.js (routes.cpp;
// compiled into the plugin only, not into the task library).
extern const std::string_view kVerifyDrawJs;

}  // namespace xj::draw
