// The directory plugin's registrations (plugin.cpp calls them) and the helpers they share.
#pragma once

#include <string>
#include <vector>

#include "xinjian/plugin.h"
#include "xinjian/status.h"

namespace xj::directory {

// The API routes, pages, navigation links and the home page's search box (routes.cpp).
Status RegisterRoutes(Registrar& reg);
// `directory index` and `directory search` (commands.cpp).
Status RegisterCommands(Registrar& reg);
// The writing subscriber that keeps the search index current with directory imports
// (commands.cpp).
Status RegisterSubscriber(Registrar& reg);
// `bench web` and its helper commands (bench.cpp).
Status RegisterBench(Registrar& reg);

// 404: the directory has no subject `uscc`.
Status NoSubject(const std::string& uscc);
// The part of a "中文 / English" message in `lang` ("zh" or "en").
std::string LocalMessage(const std::string& message, const std::string& lang);

// One option or argument of a command (command.h: CommandOption).
inline CommandOption Opt(std::string name, std::string help, OptionKind kind = OptionKind::kText, bool required = false,
                         std::string fallback = "", std::vector<std::string> choices = {}) {
  CommandOption o;
  o.choices = std::move(choices);
  o.name = std::move(name);
  o.help = std::move(help);
  o.kind = kind;
  o.required = required;
  o.fallback = std::move(fallback);
  return o;
}

}  // namespace xj::directory
