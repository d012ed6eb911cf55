// `xinjian plugins list [--json]`: loads every plugin the host finds and shows what
// happened to each one and what each loaded one registered (subscribers, samplers, entropy
// sources, job handlers, by name).
//
// Search folders: --plugin-dir (repeatable, before or after `plugins list`) when given,
// otherwise DefaultPluginDirs() ($XINJIAN_PLUGIN_PATH, or the build/installed layouts next
// to the executable). Plugin configuration comes from --set plugins.<name>.<key>=VALUE.
// Exit status: 0 even when some plugins failed (the listing reports them), kExitFailure when
// a plugin named with --require-plugin failed or was not found (the reason goes to stderr,
// the listing is still printed).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli.h"
#include "plugin_host.h"

namespace xj::cli {
namespace {

// Terminal columns `s` occupies: East Asian wide and fullwidth characters take two.
// Invalid UTF-8 bytes count as one column each.
std::size_t DisplayWidth(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0 && i + 3 < s.size()) {
      len = 4;
      cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
           ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
    } else if (c >= 0xE0 && i + 2 < s.size()) {
      len = 3;
      cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
           (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    } else if (c >= 0xC0 && i + 1 < s.size()) {
      len = 2;
      cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    }
    const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                      (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                      (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                      (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
                      (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

// What a loaded plugin registered, e.g. "sampler:xj-draw-v1 entropy_source:manual,none".
std::string Registered(const PluginRecord& r) {
  std::string out;
  for (const auto& [kind, names] : r.registered) {
    if (!out.empty()) out += ' ';
    out += kind + ":" + Join(names, ",");
  }
  // The services of its manifest (also shown for a failed plugin: they explain failures).
  if (!r.manifest.provides.empty()) out += std::string(out.empty() ? "" : " ") + "provides:" + Join(r.manifest.provides, ",");
  if (!r.manifest.requires_.empty()) out += std::string(out.empty() ? "" : " ") + "requires:" + Join(r.manifest.requires_, ",");
  return out;
}

// Name shown for a plugin whose manifest could not be read far enough to have one.
std::string ShownName(const PluginRecord& r) { return r.manifest.name.empty() ? "?" : r.manifest.name; }

void PrintTable(std::ostream& out, const std::vector<PluginRecord>& records) {
  const std::vector<std::string> headers{"名称/name",     "版本/version", "ABI",           "能力/capabilities",
                                         "成熟度/status", "状态/state",   "注册/registered", "错误/error"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : records) {
    const std::string registered = Registered(r);
    rows.push_back({ShownName(r), r.manifest.version.empty() ? "-" : r.manifest.version,
                    r.manifest.abi == 0 ? "-" : std::to_string(r.manifest.abi),
                    r.manifest.capabilities.empty() ? "-" : Join(r.manifest.capabilities, ","),
                    r.manifest.status.empty() ? "-" : r.manifest.status, r.state,
                    registered.empty() ? "-" : registered, r.error.empty() ? "-" : r.error});
  }
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) {
    widths[c] = DisplayWidth(headers[c]);
    for (const auto& row : rows) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      line += cells[c];
      // The last column (the error) is not padded: it is long and ends the line.
      if (c + 1 < cells.size()) line += std::string(widths[c] - DisplayWidth(cells[c]) + 2, ' ');
    }
    out << line << '\n';
  };
  print_row(headers);
  if (records.empty()) {
    out << "（未找到插件） / (no plugins found)\n";
    return;
  }
  for (const auto& row : rows) print_row(row);
}

nlohmann::ordered_json ToJson(const std::vector<PluginRecord>& records) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  for (const auto& r : records) {
    arr.push_back(nlohmann::ordered_json{{"name", r.manifest.name},
                   {"version", r.manifest.version},
                   {"abi", r.manifest.abi},
                   {"capabilities", r.manifest.capabilities},
                   {"status", r.manifest.status},
                   {"state", r.state},
                   {"registered", r.registered},
                   {"provides", r.manifest.provides},
                   {"requires", r.manifest.requires_},
                   {"error", r.error},
                   {"dir", r.dir}});
  }
  return arr;
}

int ListPlugins(const Globals& g) {
  HostOptions options;
  options.search_dirs = g.plugin_dirs.empty() ? DefaultPluginDirs() : g.plugin_dirs;
  options.required = g.require_plugins;
  options.config = g.config;
  PluginHost host(options);
  const Status st = host.LoadAll();
  if (g.json) {
    std::cout << ToJson(host.records()).dump(2, ' ', /*ensure_ascii=*/false,
                                             nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  } else {
    PrintTable(std::cout, host.records());
  }
  NoteListed(host.records().size(), host.records().size(), !g.json, /*empty=*/"");  // PrintTable said so
  if (!st.ok()) {
    PrintError(st.message());
    return kExitFailure;
  }
  return kExitOk;
}

// `plugins routes`: every HTTP route the loaded plugins registered, sorted by pattern and
// method (the OpenAPI test compares them with schemas/openapi.json).
int ListRoutes(const Globals& g) {
  HostOptions options;
  options.search_dirs = g.plugin_dirs.empty() ? DefaultPluginDirs() : g.plugin_dirs;
  options.required = g.require_plugins;
  options.config = g.config;
  PluginHost host(options);
  const Status st = host.LoadAll();
  std::vector<const RegisteredRoute*> routes;
  for (const RegisteredRoute& r : host.routes()) routes.push_back(&r);
  std::sort(routes.begin(), routes.end(), [](const RegisteredRoute* a, const RegisteredRoute* b) {
    return std::make_pair(a->spec.pattern, static_cast<int>(a->spec.method)) <
           std::make_pair(b->spec.pattern, static_cast<int>(b->spec.method));
  });
  if (g.json) {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const RegisteredRoute* r : routes)
      arr.push_back({{"method", HttpMethodName(r->spec.method)},
                     {"pattern", r->spec.pattern},
                     {"access", r->spec.access == RouteAccess::kPublic ? "public" : "signed_in"},
                     {"roles", r->spec.roles},
                     {"plugin", r->plugin},
                     {"help", r->spec.help}});
    std::cout << arr.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
  } else {
    PrintHeader({"方法 / method", "路径 / path", "访问 / access", "插件 / plugin", "说明 / help"});
    for (const RegisteredRoute* r : routes) {
      std::string access = r->spec.access == RouteAccess::kPublic ? "public" : "signed_in";
      if (!r->spec.roles.empty()) access += ":" + Join(r->spec.roles, ",");
      std::cout << HttpMethodName(r->spec.method) << '\t' << r->spec.pattern << '\t' << access << '\t' << r->plugin
                << '\t' << r->spec.help << '\n';
    }
    NoteListed(routes.size(), routes.size(), true, "没有插件注册路由 / no plugin registered a route");
  }
  if (!st.ok()) {
    PrintError(st.message());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

extern int g_exit_code;  // defined in main.cpp: the process exit status

void RegisterPluginsCommands(CLI::App& app, Globals& g) {
  CLI::App* plugins = app.add_subcommand("plugins", "插件 / Plugins");
  plugins->require_subcommand(1);
  CLI::App* list = plugins->add_subcommand(
      "list", "列出找到的插件及其加载结果 / List the plugins found and whether each one loaded");
  list->add_flag("--json", g.json, "以 JSON 数组输出 / Print a JSON array");
  // --require-plugin and --plugin-dir are the global options (accepted after `plugins list`
  // too: every subcommand falls through to the global ones).
  list->callback([&g]() {
    const int code = ListPlugins(g);
    if (code != kExitOk) g_exit_code = code;
  });
  CLI::App* routes = plugins->add_subcommand(
      "routes", "列出插件注册的网页和 API 路由 / List the pages and API routes the plugins registered");
  routes->add_flag("--json", g.json, "以 JSON 数组输出 / Print a JSON array");
  routes->callback([&g]() {
    const int code = ListRoutes(g);
    if (code != kExitOk) g_exit_code = code;
  });
}

}  // namespace xj::cli
