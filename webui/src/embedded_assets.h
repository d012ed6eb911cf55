// The site's own templates and style sheet, compiled in (webui/CMakeLists.txt, xj_embed_string).
#pragma once
#include <string_view>

namespace xj::web::embedded {
extern const std::string_view k_layout;    // templates/layout.mustache
extern const std::string_view k_login;     // templates/login.mustache
extern const std::string_view k_home;      // templates/home.mustache
extern const std::string_view k_site_css;  // assets/site.css
}  // namespace xj::web::embedded
