// The commands plugins register (xinjian/command.h), run by the command line without it
// knowing any feature: each CommandSpec becomes a CLI11 subcommand in the group of its
// plugin, its options are parsed and checked here, and its function runs with a
// CommandContext carrying the caller's Principal and the platform on the database of --db.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.h"
#include "database.h"
#include "platform_impl.h"
#include "plugin_host.h"

namespace xj::cli {
extern int g_exit_code;

namespace {

// The heading under which `xinjian --help` lists a plugin's commands.
std::string PluginGroup(const std::string& plugin) {
  return "插件 " + plugin + " 的命令 / commands of plugin " + plugin;
}

// The parsed values of one command, kept for the life of the process (CLI11 binds to them).
struct CommandState {
  const RegisteredCommand* command = nullptr;
  std::map<std::string, std::string> text;               // kText, kInteger
  std::map<std::string, std::vector<std::string>> many;  // kTexts
  std::map<std::string, bool> flag;                      // kFlag
  std::map<std::string, CLI::Option*> options;           // by declared name
  bool json = false;
  std::string department;
  std::vector<std::string> roles;
};

std::deque<CommandState>& States() {
  static std::deque<CommandState> states;  // stable addresses
  return states;
}

class Args final : public CommandArgs {
 public:
  explicit Args(const CommandState& s) : s_(s) {}
  bool Has(const std::string& name) const override { return Opt(name).count() > 0; }
  std::string Text(const std::string& name) const override {
    const CommandOption& decl = Decl(name);
    if (Opt(name).count() == 0) return decl.fallback;
    if (auto it = s_.text.find(name); it != s_.text.end()) return it->second;
    if (auto it = s_.many.find(name); it != s_.many.end())
      return it->second.empty() ? decl.fallback : it->second.front();
    throw std::out_of_range("option " + name + " is a flag");
  }
  std::int64_t Int(const std::string& name) const override {
    const std::string v = Text(name);
    if (v.empty()) return 0;
    return std::stoll(v);  // checked by the parser (IntegerValidator)
  }
  bool Flag(const std::string& name) const override {
    auto it = s_.flag.find(name);
    if (it == s_.flag.end()) {
      Decl(name);
      throw std::out_of_range("option " + name + " is not a flag");
    }
    return it->second;
  }
  std::vector<std::string> Texts(const std::string& name) const override {
    const CommandOption& decl = Decl(name);
    if (auto it = s_.many.find(name); it != s_.many.end() && !it->second.empty()) return it->second;
    if (auto it = s_.text.find(name); it != s_.text.end() && Opt(name).count() > 0) return {it->second};
    if (!decl.fallback.empty()) return {decl.fallback};
    return {};
  }

 private:
  const CommandOption& Decl(const std::string& name) const {
    for (const CommandOption& o : s_.command->spec.options)
      if (o.name == name) return o;
    throw std::out_of_range("the command '" + s_.command->spec.path.back() + "' declares no option " + name);
  }
  const CLI::Option& Opt(const std::string& name) const {
    Decl(name);
    return *s_.options.at(name);
  }
  const CommandState& s_;
};

class Context final : public CommandContext {
 public:
  Context(const CommandState& s, const Globals& g, Principal principal, Platform& platform)
      : args_(s),
        g_(g),
        principal_(std::move(principal)),
        platform_(platform),
        json_(s.json),
        plugin_(s.command->plugin) {}
  const CommandArgs& args() const override { return args_; }
  const Principal& principal() const override { return principal_; }
  Platform& platform() override { return platform_; }
  bool json() const override { return json_; }
  std::ostream& out() override { return std::cout; }
  std::ostream& err() override { return std::cerr; }
  std::string Config(const std::string& key, const std::string& fallback) const override {
    auto it = g_.config.find("plugins." + plugin_ + "." + key);
    return it == g_.config.end() ? fallback : it->second;
  }
  void SetExitCode(int code) override { exit_code_ = code; }
  int exit_code() const { return exit_code_; }

 private:
  Args args_;
  const Globals& g_;
  Principal principal_;
  Platform& platform_;
  bool json_;
  std::string plugin_;
  int exit_code_ = kExitOk;
};

// A 64-bit integer, nothing else ("12", "-3"; not "1e3", "0x10", "12abc", 30 digits).
CLI::Validator IntegerValidator() {
  return CLI::Validator(
      [](std::string& v) -> std::string {
        errno = 0;
        char* end = nullptr;
        (void)std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || errno == ERANGE || v.find_first_of(" \t+") != std::string::npos)
          return "须为整数 / must be an integer: " + Printable(v, 40);
        return std::string();
      },
      "INTEGER");
}

CLI::App* FindChild(CLI::App* parent, const std::string& word) {
  for (CLI::App* s : parent->get_subcommands([](CLI::App*) { return true; }))
    if (s->get_name() == word) return s;
  return nullptr;
}

void Run(CommandState& s, const Globals& g, PluginHost& host) {
  const CommandSpec& spec = s.command->spec;
  if (Status loaded = host.LoadAll(); !loaded.ok()) {  // a required plugin failed
    PrintError(loaded.message());
    g_exit_code = kExitFailure;
    return;
  }
  Principal principal;
  principal.kind = Principal::Kind::kUser;
  principal.id = g.actor;
  principal.department = s.department;
  principal.roles = s.roles.empty() ? std::vector<std::string>{kRoleSupervisor} : s.roles;
  std::unique_ptr<Database> db;
  PlatformImpl& platform = host.platform();
  if (spec.needs_database) {
    db = OpenDatabase(g);
    if (!db) {
      g_exit_code = kExitFailure;
      return;
    }
    // Only init, demo and serve apply plugins' migrations (cli.h); a command refuses while
    // some are pending.
    if (Status st = RequirePluginMigrations(*db, host); !st.ok()) {
      PrintError(st.message());
      g_exit_code = kExitFailure;
      return;
    }
    platform.Attach(db.get());
  }
  Context ctx(s, g, principal, platform);
  Status st;
  try {
    st = s.command->fn(ctx);
  } catch (const std::exception& e) {
    st = Status::Error(StatusCode::kInternal, "插件 " + s.command->plugin + " 的命令出错：" + std::string(e.what()),
                       "the command of plugin " + s.command->plugin + " threw: " + std::string(e.what()));
  } catch (...) {
    st = Status::Error(StatusCode::kInternal, "插件 " + s.command->plugin + " 的命令出错",
                       "the command of plugin " + s.command->plugin + " threw");
  }
  std::cout.flush();
  if (db) {
    // What the command published reaches the subscribers now (serve does it continuously).
    DispatchPending(*db, host);
    platform.Attach(nullptr);
  }
  if (!st.ok()) {
    PrintError(st.message());
    g_exit_code = ctx.exit_code() != kExitOk ? ctx.exit_code() : kExitFailure;
    return;
  }
  g_exit_code = ctx.exit_code();
}

}  // namespace

void PrescanPluginOptions(int argc, char** argv, Globals& g) {
  for (int i = 1; i < argc; ++i) {
    const std::string tok = argv[i];
    if (tok == "--") break;
    for (const char* name : {"--plugin-dir", "--require-plugin", "--set"}) {
      const std::string n = name;
      std::string value;
      if (tok == n && i + 1 < argc) {
        value = argv[++i];
      } else if (tok.rfind(n + "=", 0) == 0) {
        value = tok.substr(n.size() + 1);
      } else {
        continue;
      }
      if (n == "--plugin-dir") g.plugin_dirs.push_back(value);
      if (n == "--require-plugin") g.require_plugins.push_back(value);
      if (n == "--set")
        if (auto eq = value.find('='); eq != std::string::npos && eq > 0)
          g.config[value.substr(0, eq)] = value.substr(eq + 1);
      break;
    }
  }
}

void RegisterPluginCommands(CLI::App& app, Globals& g, PluginHost& host) {
  std::vector<CLI::App*> created_groups;
  // In registration order: a plugin lists its commands in the order it chose.
  std::vector<const std::pair<const std::string, RegisteredCommand>*> ordered;
  for (const auto& entry : host.commands()) ordered.push_back(&entry);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto* a, const auto* b) { return a->second.order < b->second.order; });
  for (const auto* entry : ordered) {
    const std::string& key = entry->first;
    const RegisteredCommand& cmd = entry->second;
    const CommandSpec& spec = cmd.spec;
    // The groups on the way ("task" of "task draw"): an existing one is shared, a new one
    // is listed under this plugin.
    CLI::App* parent = &app;
    bool clash = false;
    for (std::size_t i = 0; i + 1 < spec.path.size(); ++i) {
      CLI::App* next = FindChild(parent, spec.path[i]);
      if (next == nullptr) {
        next = parent->add_subcommand(spec.path[i], "");
        next->require_subcommand(1);
        created_groups.push_back(next);
        if (parent == &app) next->group(PluginGroup(cmd.plugin));
      } else if (next->get_subcommands([](CLI::App*) { return true; }).empty()) {
        clash = true;  // a built-in command, not a group
        break;
      }
      parent = next;
    }
    if (clash || FindChild(parent, spec.path.back()) != nullptr) {
      std::cerr << "警告 / warning: 插件 " << cmd.plugin << " 的命令 “" << key << "” 与内置命令冲突，未采用 / plugin "
                << cmd.plugin << "'s command '" << key << "' clashes with a built-in command; not used\n";
      continue;
    }
    CLI::App* sub = parent->add_subcommand(spec.path.back(), spec.help);
    if (parent == &app) sub->group(PluginGroup(cmd.plugin));
    States().emplace_back();
    CommandState& s = States().back();
    s.command = &cmd;
    for (const CommandOption& o : spec.options) {
      CLI::Option* opt = nullptr;
      const bool positional = o.name.rfind("--", 0) != 0;
      switch (o.kind) {
        case OptionKind::kFlag:
          s.flag[o.name] = false;
          opt = sub->add_flag(o.name, s.flag[o.name], o.help);
          break;
        case OptionKind::kText:
        case OptionKind::kInteger:
          s.text[o.name] = std::string();
          opt = sub->add_option(o.name, s.text[o.name], o.help);
          if (o.kind == OptionKind::kInteger) opt->check(IntegerValidator());
          break;
        case OptionKind::kTexts:
          s.many[o.name] = {};
          opt = sub->add_option(o.name, s.many[o.name], o.help);
          if (!positional) opt->allow_extra_args(false);  // one value per occurrence
          break;
      }
      if (o.required) opt->required();
      if (!o.choices.empty()) opt->check(CLI::IsMember(o.choices));
      if (!o.fallback.empty() && o.kind != OptionKind::kFlag)
        opt->description(o.help + "（默认 / default: " + o.fallback + "）");
      s.options[o.name] = opt;
    }
    for (const auto& [a, b] : spec.excludes) s.options.at(a)->excludes(s.options.at(b));
    if (spec.json) sub->add_flag("--json", s.json, "以 JSON 输出 / print JSON");
    sub->add_option("--department", s.department, "以该部门身份 / act for this department (department code)");
    sub->add_option(
           "--role", s.roles,
           "身份角色 / role of the caller (repeatable; default supervisor): supervisor, inspector, auditor, admin")
        ->allow_extra_args(false)
        ->check(CLI::IsMember({std::string(kRoleSupervisor), std::string(kRoleInspector), std::string(kRoleAuditor),
                               std::string(kRoleAdmin)}));
    sub->callback([&s, &g, &host] { Run(s, g, host); });
  }
  // A group's line in --help names its commands.
  for (CLI::App* group : created_groups) {
    std::string names;
    for (CLI::App* c : group->get_subcommands([](CLI::App*) { return true; }))
      names += (names.empty() ? "" : ", ") + c->get_name();
    group->description("命令组 / commands: " + names);
  }
}

void GroupBuiltinCommands(CLI::App& app) {
  for (CLI::App* s : app.get_subcommands([](CLI::App*) { return true; }))
    if (s->get_group() == "Subcommands") s->group("核心命令 / core commands");
}

}  // namespace xj::cli
