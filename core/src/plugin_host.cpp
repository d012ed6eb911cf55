// The plugin host. See plugin_host.h for the contract and docs/plugins.md for the author's
// side. Order of checks for one plugin folder, each failure recorded with a bilingual
// message naming the file and the folder skipped:
//   1. plugin.json is read and validated (no code is loaded for an invalid manifest);
//   2. its name is not already taken by a plugin found earlier;
//   3. the library beside it is loaded with RTLD_NOW | RTLD_LOCAL (never unloaded);
//   4. xj_plugin_abi exists and its answer matches the host's CurrentPluginAbi();
//   5. xj_plugin_init exists, is called, does not throw and returns OK;
//   6. everything it registered is a capability its manifest declares.
// Only then are its registrations moved into the host's registries.
#include "plugin_host.h"

#include <dlfcn.h>

#include <algorithm>
#include <tuple>
#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "platform_impl.h"

namespace xj {
namespace {

namespace fs = std::filesystem;

constexpr const char* kManifestFile = "plugin.json";
constexpr std::size_t kMaxManifestBytes = 64 * 1024;

// A message in both languages; joined as "zh / en" when it becomes a Status or an error.
struct Bilingual {
  std::string zh;
  std::string en;
  std::string Joined() const { return zh + " / " + en; }
};

// ---------------------------------------------------------------------------------------
// Manifest validation

const std::set<std::string>& AllowedManifestFields() {
  // "$schema" lets editors find schemas/plugin-manifest.schema.json; it is not interpreted.
  static const std::set<std::string> kFields{"$schema", "name",        "version", "abi",      "capabilities",
                                             "status",  "description", "library", "provides", "requires"};
  return kFields;
}

// [a-z0-9][a-z0-9.-]*, at most 64 characters: service names (service.h) and the names of
// samplers, entropy sources and job handlers.
bool ValidServiceName(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  for (std::size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '-' && c != '.'))) return false;
  }
  return true;
}

bool ValidName(const std::string& s) {
  static const std::regex kName("^[a-z0-9][a-z0-9-]{0,62}$");
  return s.size() <= 63 && std::regex_match(s, kName);
}

// Semantic Versioning 2.0.0 (the regular expression semver.org recommends).
bool ValidSemver(const std::string& s) {
  if (s.size() > 128) return false;  // std::regex recurses; keep the input short
  static const std::regex kSemver(
      R"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");
  return std::regex_match(s, kSemver);
}

std::string JoinList(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

Bilingual FieldError(const std::string& field, const std::string& zh, const std::string& en) {
  return {"字段 " + field + " " + zh, "field " + field + " " + en};
}

// Fills *out as far as the text could be read (the name first, so that a failed record
// still shows which plugin it was) and returns the first problem found, if any.
std::optional<Bilingual> ParseManifestInto(const std::string& text, PluginManifest* out) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Bilingual{std::string("不是合法的 JSON：") + e.what(), std::string("not valid JSON: ") + e.what()};
  }
  if (!j.is_object()) return Bilingual{"顶层必须是 JSON 对象", "the top level must be a JSON object"};

  // The name is read before anything else can fail.
  if (auto it = j.find("name"); it != j.end() && it->is_string()) out->name = it->get<std::string>();

  for (const auto& [key, value] : j.items()) {
    if (!AllowedManifestFields().count(key)) {
      return FieldError(
          key, "未知（允许的字段：name, version, abi, capabilities, status, description, library, provides, requires）",
          "is unknown (allowed: name, version, abi, capabilities, status, description, library, provides, requires)");
    }
  }
  for (const char* required : {"name", "version", "abi", "capabilities", "status"}) {
    if (!j.contains(required)) return FieldError(required, "缺失", "is missing");
  }

  const auto& name = j["name"];
  if (!name.is_string() || !ValidName(name.get<std::string>())) {
    return FieldError("name", "无效：须匹配 [a-z0-9][a-z0-9-]{0,62}，实际为 " + name.dump(),
                      "is invalid: must match [a-z0-9][a-z0-9-]{0,62}, got " + name.dump());
  }

  const auto& version = j["version"];
  if (!version.is_string() || !ValidSemver(version.get<std::string>())) {
    return FieldError("version", "无效：须为语义化版本 MAJOR.MINOR.PATCH[-pre][+build]，实际为 " + version.dump(),
                      "is invalid: must be a semantic version MAJOR.MINOR.PATCH[-pre][+build], got " + version.dump());
  }
  out->version = version.get<std::string>();

  const auto& abi = j["abi"];
  if (!abi.is_number_unsigned()) {
    return FieldError("abi", "须为非负整数，实际为 " + abi.dump(), "must be a non-negative integer, got " + abi.dump());
  }
  if (abi.get<std::uint64_t>() != kPluginAbiMajor) {
    out->abi = static_cast<std::uint32_t>(std::min<std::uint64_t>(abi.get<std::uint64_t>(), UINT32_MAX));
    return FieldError("abi", "为 " + abi.dump() + "，本程序的插件 ABI 为 " + std::to_string(kPluginAbiMajor),
                      "is " + abi.dump() + " but this host's plugin ABI is " + std::to_string(kPluginAbiMajor));
  }
  out->abi = kPluginAbiMajor;

  const auto& caps = j["capabilities"];
  if (!caps.is_array()) {
    return FieldError("capabilities", "须为字符串数组", "must be an array of strings");
  }
  const auto& known = KnownPluginCapabilities();
  std::vector<std::string> seen;
  for (const auto& c : caps) {
    if (!c.is_string()) return FieldError("capabilities", "须为字符串数组", "must be an array of strings");
    const auto s = c.get<std::string>();
    if (std::find(known.begin(), known.end(), s) == known.end()) {
      return FieldError("capabilities", "含未知能力 " + c.dump() + "（已知：" + JoinList(known, ", ") + "）",
                        "contains the unknown capability " + c.dump() + " (known: " + JoinList(known, ", ") + ")");
    }
    if (std::find(seen.begin(), seen.end(), s) != seen.end()) {
      return FieldError("capabilities", "重复列出 " + c.dump(), "lists " + c.dump() + " twice");
    }
    seen.push_back(s);
  }
  out->capabilities = std::move(seen);

  const auto& status = j["status"];
  if (!status.is_string() || (status != "stable" && status != "experimental" && status != "deprecated")) {
    return FieldError("status", "须为 stable、experimental 或 deprecated，实际为 " + status.dump(),
                      "must be stable, experimental or deprecated, got " + status.dump());
  }
  out->status = status.get<std::string>();

  if (auto it = j.find("description"); it != j.end()) {
    if (!it->is_string()) return FieldError("description", "须为字符串", "must be a string");
    out->description = it->get<std::string>();
  }

  if (auto it = j.find("library"); it != j.end()) {
    if (!it->is_string()) return FieldError("library", "须为字符串", "must be a string");
    const auto lib = it->get<std::string>();
    if (lib.empty() || lib == "." || lib == ".." || lib.find('/') != std::string::npos ||
        lib.find('\0') != std::string::npos) {
      return FieldError("library", "须为清单旁边的文件名（不含 /），实际为 " + it->dump(),
                        "must be a file name beside the manifest (no '/'), got " + it->dump());
    }
    out->library = lib;
  }

  // Service names (service.h): "provides" and "requires", each a list of unique names.
  for (const char* field : {"provides", "requires"}) {
    auto it = j.find(field);
    if (it == j.end()) continue;
    if (!it->is_array()) return FieldError(field, "须为服务名数组", "must be an array of service names");
    std::vector<std::string> names;
    for (const auto& v : *it) {
      if (!v.is_string() || !ValidServiceName(v.get<std::string>()))
        return FieldError(
            field, "含无效的服务名 " + v.dump().substr(0, 80) + "（须为小写字母、数字、点和连字符，最多 64 个字符）",
            "contains the invalid service name " + v.dump().substr(0, 80) +
                " (lower-case letters, digits, '.' and '-', at most 64 characters)");
      if (std::find(names.begin(), names.end(), v.get<std::string>()) != names.end())
        return FieldError(field, "重复列出 " + v.dump(), "lists " + v.dump() + " twice");
      names.push_back(v.get<std::string>());
    }
    (std::string(field) == "provides" ? out->provides : out->requires_) = std::move(names);
  }
  for (const auto& r : out->requires_)
    if (std::find(out->provides.begin(), out->provides.end(), r) != out->provides.end())
      return FieldError("requires", "含本插件自己提供的服务 " + r, "lists " + r + ", which the plugin provides itself");
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Loading

// Plugins are never unloaded. Objects a plugin creates (subscribers, their vtables, strings
// allocated by its code, GNU unique symbols) can outlive any PluginHost, and dlclose of a C++
// library is a no-op on GCC 12 anyway. Every library that was opened is therefore moved into
// a vector that is allocated once and intentionally never freed: no destructor, not even a
// static one at exit, ever calls dlclose. LeakSanitizer sees it as reachable, not leaked.
void KeepLoadedForever(boost::dll::shared_library library) {
  static std::mutex mu;
  static auto* const libraries = new std::vector<boost::dll::shared_library>();  // NOLINT: leaked on purpose
  std::lock_guard<std::mutex> lock(mu);
  libraries->push_back(std::move(library));
}

// Boost.DLL 1.74 reports every dlopen failure as "bad file descriptor" and clears dlerror(),
// losing the loader's reason (wrong ELF class, undefined symbol under RTLD_NOW...). A second
// dlopen of a file that failed to load fails again without side effects and yields it.
std::string LoaderError(const fs::path& library) {
  void* handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle != nullptr) return "the library loaded on a second attempt; it may have been replaced meanwhile";
  const char* e = ::dlerror();
  if (e == nullptr) return "unknown loader error";
  std::string why = e;
  const std::string prefix = library.string() + ": ";  // the caller names the file already
  if (why.rfind(prefix, 0) == 0) why.erase(0, prefix.size());
  return why;
}

// Compares a plugin's ABI answer with the host's; returns the first differing field.
std::optional<Bilingual> CompareAbi(const PluginAbi& plugin, const PluginAbi& host) {
  auto differs = [](const char* field, std::uint32_t p, std::uint32_t h, const char* rule) {
    std::string detail = std::string(field) + ": plugin " + std::to_string(p) + ", host " + std::to_string(h);
    std::string zh_detail = std::string(field) + "：插件 " + std::to_string(p) + "，主程序 " + std::to_string(h);
    return Bilingual{"ABI 不匹配（" + zh_detail + "，" + rule + "）", "ABI mismatch (" + detail + ")"};
  };
  if (plugin.struct_size != host.struct_size)
    return differs("struct_size", plugin.struct_size, host.struct_size, "须相等");
  if (plugin.abi_major != host.abi_major) return differs("abi_major", plugin.abi_major, host.abi_major, "须相等");
  if (plugin.host_api > host.host_api) {
    auto b = differs("host_api", plugin.host_api, host.host_api, "插件需要更新的主程序");
    b.en = "ABI mismatch (host_api: plugin " + std::to_string(plugin.host_api) + " > host " +
           std::to_string(host.host_api) + "; the plugin needs a newer host)";
    return b;
  }
  if (plugin.compiler_major != host.compiler_major)
    return differs("compiler_major", plugin.compiler_major, host.compiler_major, "须用同一主版本的 GCC 编译");
  if (plugin.cxx11_abi != host.cxx11_abi)
    return differs("cxx11_abi", plugin.cxx11_abi, host.cxx11_abi, "_GLIBCXX_USE_CXX11_ABI 须相同");
  if (plugin.boost_version != host.boost_version)
    return differs("boost_version", plugin.boost_version, host.boost_version, "须用同一版本的 Boost 编译");
  return std::nullopt;
}

// The host's registries of named capabilities, one map per kind. Owned by PluginHost::Impl;
// a StagingRegistrar reads them to refuse names that are taken.
struct Registries {
  std::map<std::string, std::unique_ptr<EventSubscriber>> subscribers;
  std::map<std::string, std::unique_ptr<WritingSubscriber>> writing_subscribers;
  std::map<std::string, std::unique_ptr<Sampler>> samplers;
  std::map<std::string, std::unique_ptr<Scorer>> scorers;
  std::map<std::string, std::unique_ptr<ListPolicy>> list_policies;
  std::map<std::string, std::unique_ptr<EntropySource>> entropy_sources;
  std::map<std::string, std::unique_ptr<JobHandler>> job_handlers;
  std::map<std::string, std::string> job_handler_plugin;  // handler name => plugin name
  std::map<std::string, RegisteredCommand> commands;      // "task draw" => command
  std::vector<RegisteredRoute> routes;                    // in registration order
  std::vector<RegisteredNavLink> nav_links;
  std::vector<RegisteredSection> sections;
  std::vector<RegisteredDefaultJob> default_jobs;
  std::map<std::string, std::unique_ptr<DemoStep>> demo_steps;
  std::vector<std::string> demo_order;  // step names in registration (= load) order
  struct ProvidedService {
    std::string plugin;
    std::uint32_t version = 0;
    std::unique_ptr<Service> object;
  };
  std::map<std::string, ProvidedService> services;  // service name => provider
};

// [a-z][a-z0-9-]*, at most 40 characters: command words and option names (after "--").
bool CommandWord(const std::string& w) {
  if (w.empty() || w.size() > 40 || !(w[0] >= 'a' && w[0] <= 'z')) return false;
  for (char c : w)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& w : path) out += (out.empty() ? "" : " ") + w;
  return out;
}

// Options the host adds to every command (--json, --department, --role) or the command line
// has everywhere (the global options, --help, --version).
bool ReservedOption(const std::string& word) {
  static const std::set<std::string> kReserved{"json",  "help", "version", "department", "role",          "db",
                                               "actor", "set",  "now",     "plugin-dir", "require-plugin"};
  return kReserved.count(word) > 0;
}

// The spec's own rules (command.h, Registrar::AddCommand); nullopt when fine.
std::optional<Bilingual> CheckCommandSpec(const CommandSpec& spec) {
  const std::string shown = JoinPath(spec.path);
  if (spec.path.empty()) return Bilingual{"命令路径为空", "the command path is empty"};
  for (const auto& w : spec.path)
    if (!CommandWord(w))
      return Bilingual{"命令 “" + shown + "” 的词 “" + w + "” 无效（须为小写字母开头的小写字母、数字和连字符）",
                       "command '" + shown + "': the word '" + w +
                           "' is invalid (lower-case letters, digits and '-', starting with a letter)"};
  if (spec.help.empty()) return Bilingual{"命令 “" + shown + "” 缺少说明", "command '" + shown + "' has no help text"};
  std::set<std::string> names;
  bool optional_positional = false, last_many = false;
  for (const CommandOption& o : spec.options) {
    const bool is_option = o.name.rfind("--", 0) == 0;
    const std::string word = is_option ? o.name.substr(2) : o.name;
    if (!CommandWord(word) || (is_option && ReservedOption(word)))
      return Bilingual{"命令 “" + shown + "” 的选项名 “" + o.name + "” 无效或为保留名",
                       "command '" + shown + "': the option name '" + o.name + "' is invalid or reserved"};
    if (!names.insert(word).second)
      return Bilingual{"命令 “" + shown + "” 的选项 “" + o.name + "” 重复",
                       "command '" + shown + "': option '" + o.name + "' is declared twice"};
    if (o.help.empty())
      return Bilingual{"命令 “" + shown + "” 的选项 “" + o.name + "” 缺少说明",
                       "command '" + shown + "': option '" + o.name + "' has no help text"};
    if (!o.choices.empty() && !o.fallback.empty() &&
        std::find(o.choices.begin(), o.choices.end(), o.fallback) == o.choices.end())
      return Bilingual{"命令 “" + shown + "” 的选项 “" + o.name + "” 的默认值不在可选值中",
                       "command '" + shown + "': the fallback of '" + o.name + "' is not among its choices"};
    if (!is_option) {
      if (o.kind == OptionKind::kFlag)
        return Bilingual{"命令 “" + shown + "” 的位置参数 “" + o.name + "” 不能是开关",
                         "command '" + shown + "': the positional '" + o.name + "' cannot be a flag"};
      if (last_many)
        return Bilingual{"命令 “" + shown + "” 的多值位置参数须在最后",
                         "command '" + shown + "': a many-valued positional must come last"};
      if (o.required && optional_positional)
        return Bilingual{"命令 “" + shown + "” 的必需位置参数 “" + o.name + "” 在可选参数之后",
                         "command '" + shown + "': the required positional '" + o.name + "' follows an optional one"};
      optional_positional = optional_positional || !o.required;
      last_many = o.kind == OptionKind::kTexts;
    }
  }
  for (const auto& [a, b] : spec.excludes) {
    const bool declared = a != b && a.rfind("--", 0) == 0 && b.rfind("--", 0) == 0 && names.count(a.substr(2)) > 0 &&
                          names.count(b.substr(2)) > 0;
    if (!declared)
      return Bilingual{"命令 “" + shown + "” 的互斥选项 “" + a + "”、“" + b + "” 须为两个不同的已声明选项",
                       "command '" + shown + "': the excluding options '" + a + "' and '" + b +
                           "' must be two different declared options"};
  }
  return std::nullopt;
}

// An entropy source of a plugin built against host API 3 or older: its virtual table ends
// with Notice, so Format and Read (host API 4) must never be called on it. This wrapper
// forwards the older functions and answers the newer ones with the SDK's defaults.
class OlderEntropySource final : public EntropySource {
 public:
  explicit OlderEntropySource(std::unique_ptr<EntropySource> source) : source_(std::move(source)) {}
  std::string Description() const override { return source_->Description(); }
  bool NeedsValue() const override { return source_->NeedsValue(); }
  Result<std::string> Value(const EntropyRequest& request, const std::string& supplied) const override {
    return source_->Value(request, supplied);
  }
  EntropyNotice Notice(const EntropyRequest& request) const override { return source_->Notice(request); }
  // Format and Read: EntropySource's defaults (free text, read as typed).

 private:
  std::unique_ptr<EntropySource> source_;
};

// The Registrar a plugin's init sees. Registrations are staged here and only reach the host
// when the whole init succeeded.
class StagingRegistrar final : public Registrar {
 public:
  StagingRegistrar(const PluginManifest& manifest, const std::map<std::string, std::string>& config,
                   const Registries& existing, std::uint32_t plugin_host_api, Platform& platform)
      : manifest_(manifest),
        config_(config),
        existing_(existing),
        plugin_host_api_(plugin_host_api),
        platform_(platform) {}

  Platform& platform() override { return platform_; }

  Status AddWritingSubscriber(const std::string& name, std::unique_ptr<WritingSubscriber> subscriber) override {
    return StageSubscriber(name, std::move(subscriber), staged_.writing_subscribers);
  }

  const std::string& PluginName() const override { return manifest_.name; }

  std::string Config(const std::string& key, const std::string& fallback) const override {
    auto it = config_.find("plugins." + manifest_.name + "." + key);
    return it == config_.end() ? fallback : it->second;
  }

  Status AddSubscriber(const std::string& name, std::unique_ptr<EventSubscriber> subscriber) override {
    return StageSubscriber(name, std::move(subscriber), staged_.subscribers);
  }

  Status AddCommand(const CommandSpec& given, CommandFn fn) override {
    // A plugin built against host API 6 or older hands over a CommandSpec that ends before
    // `excludes` (host API 7): copy only the fields it has.
    CommandSpec spec;
    spec.path = given.path;
    spec.help = given.help;
    spec.options = given.options;
    spec.json = given.json;
    spec.needs_database = given.needs_database;
    if (plugin_host_api_ >= 7) spec.excludes = given.excludes;
    const std::string key = JoinPath(spec.path);
    if (!Declared(kCapabilityCommand)) {
      undeclared_.push_back(kCapabilityCommand);
      return Status::Error(
          StatusCode::kFailedPrecondition, "清单未声明能力 command，不能注册命令 “" + key + "”",
          "the manifest does not declare the capability command; cannot register the command '" + key + "'");
    }
    if (auto bad = CheckCommandSpec(spec)) return Status::Error(StatusCode::kInvalidArgument, bad->zh, bad->en);
    if (!fn)
      return Status::Error(StatusCode::kInvalidArgument, "命令 “" + key + "” 没有函数",
                           "command '" + key + "' has no function");
    // The same path, or one path a group of the other ("task" and "task draw").
    using CommandMap = std::map<std::string, RegisteredCommand>;
    for (const CommandMap* reg : {&existing_.commands, static_cast<const CommandMap*>(&staged_.commands)}) {
      for (const auto& [other, cmd] : *reg) {
        const bool clash = other == key || other.rfind(key + " ", 0) == 0 || key.rfind(other + " ", 0) == 0;
        if (clash)
          return Status::Error(StatusCode::kAlreadyExists,
                               "命令 “" + key + "” 与插件 " + cmd.plugin + " 的命令 “" + other + "” 冲突",
                               "the command '" + key + "' clashes with '" + other + "' of plugin " + cmd.plugin);
      }
    }
    static std::atomic<std::uint64_t> order{0};
    staged_.commands.emplace(key, RegisteredCommand{manifest_.name, spec, std::move(fn), ++order});
    return Status::Ok();
  }

  Status AddSampler(const std::string& algorithm, std::unique_ptr<Sampler> sampler) override {
    return Stage(kCapabilitySampler, {"抽样算法", "sampler"}, algorithm, std::move(sampler), existing_.samplers,
                 staged_.samplers);
  }

  Status AddScorer(const std::string& name, std::unique_ptr<Scorer> scorer) override {
    return Stage(kCapabilityScorer, {"评分引擎", "scoring engine"}, name, std::move(scorer), existing_.scorers,
                 staged_.scorers);
  }

  Status AddListPolicy(std::unique_ptr<ListPolicy> policy) override {
    const std::string code = policy == nullptr ? std::string() : policy->code;
    if (!Declared(kCapabilityListPolicy)) {
      undeclared_.push_back(kCapabilityListPolicy);
      return Status::Error(StatusCode::kFailedPrecondition,
                           "清单未声明能力 list_policy，不能注册名单类型 “" + code + "”",
                           "the manifest does not declare the capability list_policy; cannot register the list type '" +
                               code + "'");
    }
    if (policy == nullptr)
      return Status::Error(StatusCode::kInvalidArgument, "名单类型为 null", "the list type is null");
    if (Status st = CheckListPolicy(*policy); !st.ok()) return st;
    if (existing_.list_policies.count(code) || staged_.list_policies.count(code))
      return Status::Error(StatusCode::kAlreadyExists, "名单类型 “" + code + "” 已被注册",
                           "the list type '" + code + "' is already registered");
    staged_.list_policies.emplace(code, std::move(policy));
    return Status::Ok();
  }

  Status AddEntropySource(const std::string& name, std::unique_ptr<EntropySource> source) override {
    if (source != nullptr && plugin_host_api_ < 4) source = std::make_unique<OlderEntropySource>(std::move(source));
    return Stage(kCapabilityEntropySource, {"公开随机源", "entropy source"}, name, std::move(source),
                 existing_.entropy_sources, staged_.entropy_sources);
  }

  Status AddJobHandler(const std::string& name, std::unique_ptr<JobHandler> handler) override {
    Status st = Stage(kCapabilityJob, {"任务处理程序", "job handler"}, name, std::move(handler), existing_.job_handlers,
                      staged_.job_handlers);
    if (st.ok()) staged_.job_handler_plugin[name] = manifest_.name;
    return st;
  }

  Status AddDefaultJob(const DefaultJob& job) override {
    if (!Declared(kCapabilityJob))
      return Status::Error(
          StatusCode::kFailedPrecondition, "清单未声明能力 “job”，不能登记默认作业 " + job.name,
          "the manifest does not declare the capability 'job': cannot add the default job " + job.name);
    if (!ValidCapabilityName(job.name) || job.schedule.empty() || job.schedule.size() > 200)
      return Status::Error(StatusCode::kInvalidArgument, "默认作业 “" + job.name + "” 的名称或计划无效",
                           "the default job '" + job.name + "' has an invalid name or schedule");
    if (!staged_.job_handlers.count(job.handler))
      return Status::Error(
          StatusCode::kInvalidArgument,
          "默认作业 " + job.name + " 的处理程序 “" + job.handler + "” 不是本插件已登记的（先 AddJobHandler）",
          "the default job " + job.name + " names the handler '" + job.handler +
              "', which this plugin has not registered (AddJobHandler first)");
    if (job.misfire != "fire_once_now" && job.misfire != "skip" && job.misfire != "catch_up_all")
      return Status::Error(StatusCode::kInvalidArgument,
                           "默认作业 " + job.name + " 的 misfire 须为 fire_once_now、skip 或 catch_up_all",
                           "the default job " + job.name + ": misfire must be fire_once_now, skip or catch_up_all");
    for (const std::vector<RegisteredDefaultJob>* list :
         {&existing_.default_jobs, static_cast<const std::vector<RegisteredDefaultJob>*>(&staged_.default_jobs)})
      for (const auto& d : *list)
        if (d.job.name == job.name)
          return Status::Error(StatusCode::kAlreadyExists, "默认作业 " + job.name + " 已由插件 " + d.plugin + " 登记",
                               "the default job " + job.name + " is registered by plugin " + d.plugin + " already");
    staged_.default_jobs.push_back(RegisteredDefaultJob{manifest_.name, job});
    return Status::Ok();
  }

  Status AddDemoStep(const std::string& name, std::unique_ptr<DemoStep> step) override {
    Status st = Stage(kCapabilityDemo, {"演示步骤", "demo step"}, name, std::move(step), existing_.demo_steps,
                      staged_.demo_steps);
    if (st.ok()) staged_.demo_order.push_back(name);
    return st;
  }

  Status AddRoute(const RouteSpec& spec, RouteFn fn) override { return AddRouteOf(spec, std::move(fn), false); }

  Status AddMachineRoute(const RouteSpec& spec, RouteFn fn) override {
    if (spec.access != RouteAccess::kPublic || spec.pattern.rfind("/api/", 0) != 0) {
      const std::string key = std::string(HttpMethodName(spec.method)) + " " + spec.pattern;
      return Status::Error(StatusCode::kInvalidArgument, "机器接口路由 “" + key + "” 须为 /api/ 下的公开路由",
                           "the machine route '" + key + "' must be a public route under /api/");
    }
    return AddRouteOf(spec, std::move(fn), true);
  }

  Status AddRouteOf(const RouteSpec& spec, RouteFn fn, bool machine) {
    const std::string key = std::string(HttpMethodName(spec.method)) + " " + spec.pattern;
    if (!Declared(kCapabilityHttp)) {
      undeclared_.push_back(kCapabilityHttp);
      return Status::Error(StatusCode::kFailedPrecondition, "清单未声明能力 http，不能登记路由 “" + key + "”",
                           "the manifest does not declare the capability http; cannot register the route '" + key + "'");
    }
    auto bad = [&](const std::string& zh, const std::string& en) {
      return Status::Error(StatusCode::kInvalidArgument, "路由 “" + key + "”：" + zh, "route '" + key + "': " + en);
    };
    RegisteredRoute r;
    if (spec.pattern.empty() || spec.pattern[0] != '/' || spec.pattern.size() > 200)
      return bad("须以 / 开头，至多 200 字符", "the pattern must start with / and have at most 200 characters");
    if (spec.pattern != "/") {
      std::size_t start = 1;
      while (start <= spec.pattern.size()) {
        std::size_t end = spec.pattern.find('/', start);
        if (end == std::string::npos) end = spec.pattern.size();
        const std::string seg = spec.pattern.substr(start, end - start);
        if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
          const std::string name = seg.substr(1, seg.size() - 2);
          bool ok = name[0] >= 'a' && name[0] <= 'z';
          for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
          if (!ok) return bad("参数名 “" + name + "” 无效", "bad parameter name '" + name + "'");
          if (std::find(r.params.begin(), r.params.end(), name) != r.params.end())
            return bad("参数 “" + name + "” 出现两次", "the parameter '" + name + "' appears twice");
          r.params.push_back(name);
          r.segments.push_back("{}");
        } else {
          bool ok = !seg.empty();
          for (char c : seg)
            ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '~' || c == '-');
          if (!ok) return bad("路径段 “" + seg + "” 无效", "bad path segment '" + seg + "'");
          r.segments.push_back(seg);
        }
        start = end + 1;
      }
    }
    if (spec.help.empty()) return bad("缺少说明", "the help text is empty");
    if (spec.access == RouteAccess::kPublic && !spec.roles.empty())
      return bad("公开路由不能限定角色", "a public route cannot name roles");
    if (!fn) return bad("没有函数", "no function");
    for (const std::vector<RegisteredRoute>* list :
         {&existing_.routes, static_cast<const std::vector<RegisteredRoute>*>(&staged_.routes)})
      for (const auto& other : *list)
        if (other.spec.method == spec.method && other.segments == r.segments)
          return Status::Error(StatusCode::kAlreadyExists,
                               "路由 “" + key + "” 与插件 " + other.plugin + " 的 “" + other.spec.pattern + "” 冲突",
                               "the route '" + key + "' clashes with '" + other.spec.pattern + "' of plugin " +
                                   other.plugin);
    r.plugin = manifest_.name;
    r.spec = spec;
    r.fn = std::move(fn);
    r.machine = machine;
    staged_.routes.push_back(std::move(r));
    return Status::Ok();
  }

  Status AddNavLink(const NavLink& link) override {
    if (!Declared(kCapabilityHttp)) {
      undeclared_.push_back(kCapabilityHttp);
      return Status::Error(StatusCode::kFailedPrecondition, "清单未声明能力 http，不能登记导航链接 “" + link.path + "”",
                           "the manifest does not declare the capability http; cannot register the link '" + link.path + "'");
    }
    const bool path_ok = !link.path.empty() && link.path[0] == '/' && link.path.size() <= 200 &&
                         link.path.find_first_of("\"<>'\\ \t\r\n") == std::string::npos;
    if (!path_ok || link.label_zh.empty() || link.label_en.empty() ||
        (link.access == RouteAccess::kPublic && !link.roles.empty()))
      return Status::Error(StatusCode::kInvalidArgument, "导航链接 “" + link.path + "” 的路径、名称或访问规则无效",
                           "the navigation link '" + link.path + "' has a bad path, an empty label or a bad access rule");
    staged_.nav_links.push_back({manifest_.name, link});
    return Status::Ok();
  }

  Status AddSection(const SectionSpec& spec, SectionFn fn) override {
    if (!Declared(kCapabilityHttp)) {
      undeclared_.push_back(kCapabilityHttp);
      return Status::Error(StatusCode::kFailedPrecondition, "清单未声明能力 http，不能登记页面区块 “" + spec.page + "”",
                           "the manifest does not declare the capability http; cannot register a section of '" + spec.page + "'");
    }
    if (spec.page.empty() || spec.page.size() > 40 || !fn)
      return Status::Error(StatusCode::kInvalidArgument, "页面区块的页面名或函数无效",
                           "a page section needs a page name (at most 40 characters) and a function");
    staged_.sections.push_back({manifest_.name, spec, std::move(fn)});
    return Status::Ok();
  }

  Status ProvideService(const std::string& name, std::uint32_t version, std::unique_ptr<Service> service) override {
    if (std::find(manifest_.provides.begin(), manifest_.provides.end(), name) == manifest_.provides.end())
      return Status::Error(StatusCode::kFailedPrecondition, "清单的 provides 未列出服务 “" + name + "”",
                           "the manifest's provides does not list the service '" + name + "'");
    if (!ValidServiceName(name) || version == 0 || service == nullptr)
      return Status::Error(
          StatusCode::kInvalidArgument, "服务 “" + name + "” 的名称、版本（须 ≥ 1）或对象无效",
          "the service '" + name + "' has an invalid name, version (must be 1 or more) or a null object");
    if (existing_.services.count(name) || staged_.services.count(name))
      return Status::Error(StatusCode::kAlreadyExists, "服务 “" + name + "” 已被提供",
                           "the service '" + name + "' is provided already");
    staged_.services.emplace(name, Registries::ProvidedService{manifest_.name, version, std::move(service)});
    return Status::Ok();
  }

  Result<Service*> FindService(const std::string& name, std::uint32_t version) override {
    if (std::find(manifest_.requires_.begin(), manifest_.requires_.end(), name) == manifest_.requires_.end())
      return Status::Error(
          StatusCode::kFailedPrecondition, "插件 " + manifest_.name + " 的清单 requires 未列出服务 “" + name + "”",
          "plugin " + manifest_.name + ": the manifest's requires does not list the service '" + name + "'");
    auto it = existing_.services.find(name);
    if (it == existing_.services.end())
      return Status::Error(
          StatusCode::kNotFound, "插件 " + manifest_.name + " 需要的服务 “" + name + "” 没有插件提供",
          "plugin " + manifest_.name + " requires the service '" + name + "', which no loaded plugin provides");
    if (it->second.version != version)
      return Status::Error(
          StatusCode::kFailedPrecondition,
          "插件 " + manifest_.name + " 需要服务 “" + name + "” 第 " + std::to_string(version) + " 版，插件 " +
              it->second.plugin + " 提供的是第 " + std::to_string(it->second.version) + " 版",
          "plugin " + manifest_.name + " requires version " + std::to_string(version) + " of the service '" + name +
              "', plugin " + it->second.plugin + " provides version " + std::to_string(it->second.version));
    return it->second.object.get();
  }

  const std::vector<std::string>& undeclared() const { return undeclared_; }
  Registries& staged() { return staged_; }

 private:
  // Either kind of subscriber: declared "subscriber", a name and an object, a name taken by
  // neither kind here or in another plugin.
  template <typename T>
  Status StageSubscriber(const std::string& name, std::unique_ptr<T> subscriber,
                         std::map<std::string, std::unique_ptr<T>>& staged) {
    if (!Declared(kCapabilitySubscriber)) {
      undeclared_.push_back(kCapabilitySubscriber);
      return Status::Error(
          StatusCode::kFailedPrecondition, "清单未声明能力 subscriber，不能注册订阅者 “" + name + "”",
          "the manifest does not declare the capability subscriber; cannot register subscriber '" + name + "'");
    }
    if (name.empty() || subscriber == nullptr) {
      return Status::Error(StatusCode::kInvalidArgument, "订阅者名称不能为空且对象不能为 null",
                           "a subscriber needs a non-empty name and a non-null object");
    }
    if (Taken(name)) {
      return Status::Error(StatusCode::kAlreadyExists, "订阅者名称 “" + name + "” 已被占用",
                           "the subscriber name '" + name + "' is already taken");
    }
    staged.emplace(name, std::move(subscriber));
    return Status::Ok();
  }

  // A named capability of kind `capability` ("sampler", "entropy_source", "job"): declared in
  // the manifest, a valid name, a non-null object, a name not taken by any plugin.
  template <typename T>
  Status Stage(const char* capability, const Bilingual& what, const std::string& name, std::unique_ptr<T> object,
               const std::map<std::string, std::unique_ptr<T>>& existing,
               std::map<std::string, std::unique_ptr<T>>& staged) {
    if (!Declared(capability)) {
      undeclared_.push_back(capability);
      return Status::Error(StatusCode::kFailedPrecondition,
                           "清单未声明能力 " + std::string(capability) + "，不能注册" + what.zh + " “" + name + "”",
                           "the manifest does not declare the capability " + std::string(capability) +
                               "; cannot register " + what.en + " '" + name + "'");
    }
    if (!ValidCapabilityName(name) || object == nullptr) {
      return Status::Error(StatusCode::kInvalidArgument,
                           what.zh + "名 “" + name + "” 无效（须为小写字母、数字、点和连字符）或对象为 null",
                           "the " + what.en + " name '" + name +
                               "' is invalid (lowercase letters, digits, '.' and '-') or the object is null");
    }
    if (existing.count(name) || staged.count(name)) {
      return Status::Error(StatusCode::kAlreadyExists, what.zh + "名 “" + name + "” 已被占用",
                           "the " + what.en + " name '" + name + "' is already taken");
    }
    staged.emplace(name, std::move(object));
    return Status::Ok();
  }

  // Samplers, entropy sources and job handlers are named like services.
  static bool ValidCapabilityName(const std::string& n) { return ValidServiceName(n); }

  // A subscriber name is taken by either kind, here or in another plugin.
  bool Taken(const std::string& name) const {
    return existing_.subscribers.count(name) || staged_.subscribers.count(name) ||
           existing_.writing_subscribers.count(name) || staged_.writing_subscribers.count(name);
  }

  bool Declared(const std::string& capability) const {
    return std::find(manifest_.capabilities.begin(), manifest_.capabilities.end(), capability) !=
           manifest_.capabilities.end();
  }

  const PluginManifest& manifest_;
  const std::map<std::string, std::string>& config_;
  const Registries& existing_;
  const std::uint32_t plugin_host_api_;  // what the plugin was built against (xj_plugin_abi)
  Platform& platform_;
  Registries staged_;
  std::vector<std::string> undeclared_;
};

template <typename T>
std::vector<std::string> Names(const std::map<std::string, std::unique_ptr<T>>& m) {
  std::vector<std::string> out;
  for (const auto& [name, object] : m) out.push_back(name);
  return out;
}

std::vector<std::string> CommandNames(const Registries& r) {
  std::vector<std::string> out;
  for (const auto& [key, cmd] : r.commands) out.push_back(key);
  return out;
}

// "GET /api/v1/tasks/{id}", in registration order.
std::vector<std::string> RouteNames(const Registries& r) {
  std::vector<std::string> out;
  for (const auto& route : r.routes) out.push_back(std::string(HttpMethodName(route.spec.method)) + " " + route.spec.pattern);
  return out;
}

// Both kinds of subscriber, sorted.
std::vector<std::string> SubscriberNames(const Registries& r) {
  std::vector<std::string> out = Names(r.subscribers);
  for (const auto& [name, object] : r.writing_subscribers) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

std::string AbsoluteNormal(const fs::path& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec);
  return (ec ? p : a).lexically_normal().string();
}

std::string StripTrailingSlash(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

const std::vector<std::string>& KnownPluginCapabilities() {
  // Later issues append: assigner, measure (each with its Registrar function and
  // its SDK constant).
  static const std::vector<std::string> kKnown{kCapabilitySubscriber, kCapabilitySampler, kCapabilityEntropySource,
                                               kCapabilityJob,        kCapabilityCommand, kCapabilityDemo,
                                               kCapabilityHttp,       kCapabilityScorer,  kCapabilityListPolicy};
  return kKnown;
}

Result<PluginManifest> ParsePluginManifest(const std::string& json_text) {
  PluginManifest m;
  if (auto err = ParseManifestInto(json_text, &m)) {
    return Status::Error(StatusCode::kInvalidArgument, "插件清单无效：" + err->zh,
                         "invalid plugin manifest: " + err->en);
  }
  return m;
}

struct PluginHost::Impl {
  HostOptions options;
  PlatformImpl platform;
  std::vector<PluginRecord> records;
  Registries registries;
  std::map<std::string, std::string> manifest_of_name;  // plugin name => first manifest path
  std::vector<std::string> searched;                    // the folders actually scanned
  std::optional<Status> load_status;                    // set by the first LoadAll

  // Reads and checks a folder's manifest and records it ("pending", or "failed" with the
  // error). True when it is pending.
  bool ReadFolder(const fs::path& folder);
  // Loads the pending plugins in the order their required services allow.
  void LoadPending();
  // Steps 3-6 for a plugin whose manifest is valid; returns the error, if any.
  std::optional<Bilingual> LoadLibrary(const fs::path& manifest_path, const PluginManifest& manifest,
                                       std::map<std::string, std::vector<std::string>>* registered);
  Status CheckRequired() const;
};

bool PluginHost::Impl::ReadFolder(const fs::path& folder) {
  PluginRecord rec;
  rec.dir = folder.string();
  rec.state = "failed";
  const fs::path manifest_path = folder / kManifestFile;
  const std::string mpath = manifest_path.string();
  auto fail = [&](const Bilingual& b) {
    rec.error = b.Joined();
    records.push_back(std::move(rec));
    return false;
  };

  std::error_code ec;
  const auto size = fs::file_size(manifest_path, ec);
  if (ec || size > kMaxManifestBytes) {
    return fail({"无法读取插件清单 " + mpath + (ec ? "：" + ec.message() : "：文件超过 64 KiB"),
                 "cannot read the plugin manifest " + mpath + (ec ? ": " + ec.message() : ": larger than 64 KiB")});
  }
  std::ifstream in(manifest_path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    return fail({"无法读取插件清单 " + mpath, "cannot read the plugin manifest " + mpath});
  }

  if (auto err = ParseManifestInto(text.str(), &rec.manifest)) {
    return fail({"插件清单 " + mpath + " 无效：" + err->zh, "invalid plugin manifest " + mpath + ": " + err->en});
  }

  const std::string& name = rec.manifest.name;
  if (auto it = manifest_of_name.find(name); it != manifest_of_name.end()) {
    return fail({"插件名 “" + name + "” 重复：" + mpath + " 与先找到的 " + it->second + " 同名，未加载前者",
                 "duplicate plugin name '" + name + "': " + mpath + " has the same name as " + it->second +
                     ", found first; skipped"});
  }
  manifest_of_name.emplace(name, mpath);
  rec.state = "pending";
  records.push_back(std::move(rec));
  return true;
}

// Loads the records left "pending" by ReadFolder, each after the plugins providing the
// services it requires (service.h). In rounds: a plugin whose every required service is
// provided by a loaded plugin loads (in folder order); one requiring a service whose
// provider failed, or that nobody declares, fails naming the service and the provider.
// What is left when a round changes nothing waits on a cycle, and fails naming it.
void PluginHost::Impl::LoadPending() {
  // The first plugin (in folder order) whose manifest lists `service`, in any state.
  auto provider_of = [&](const std::string& service) -> PluginRecord* {
    for (PluginRecord& r : records)
      if (std::find(r.manifest.provides.begin(), r.manifest.provides.end(), service) != r.manifest.provides.end())
        return &r;
    return nullptr;
  };
  auto fail = [](PluginRecord& r, const Bilingual& b) {
    r.state = "failed";
    r.error = b.Joined();
  };
  for (bool progress = true; progress;) {
    progress = false;
    for (PluginRecord& r : records) {
      if (r.state != "pending") continue;
      bool ready = true;
      for (const std::string& service : r.manifest.requires_) {
        PluginRecord* p = provider_of(service);
        if (p == nullptr) {
          // Services are named "<plugin>.<what>" (service.h): name the plugin that would
          // provide it, so that the message says which one is missing.
          const std::string owner = service.substr(0, service.find('.'));
          const bool named = owner.size() < service.size() && !owner.empty();
          fail(r,
               {"插件 " + r.manifest.name + " 需要服务 “" + service + "”，但没有插件声明提供它" +
                    (named ? "（按命名惯例由插件 " + owner + " 提供：是否未安装？）" : std::string()),
                "plugin " + r.manifest.name + " requires the service '" + service + "', which no plugin provides" +
                    (named ? " (by convention plugin " + owner + " provides it: is it installed?)" : std::string())});
        } else if (p->state == "failed") {
          fail(r, {"插件 " + r.manifest.name + " 需要插件 " + p->manifest.name + " 提供的服务 “" + service +
                       "”，但插件 " + p->manifest.name + " 加载失败",
                   "plugin " + r.manifest.name + " requires the service '" + service + "' of plugin " +
                       p->manifest.name + ", which failed to load"});
        } else if (p->state == "pending") {
          ready = false;
          continue;
        }
        if (r.state == "failed") break;
      }
      if (r.state == "failed") {
        progress = true;
        continue;
      }
      if (!ready) continue;
      const fs::path manifest_path = fs::path(r.dir) / kManifestFile;
      if (auto err = LoadLibrary(manifest_path, r.manifest, &r.registered)) {
        fail(r, *err);
      } else {
        r.state = "loaded";
      }
      progress = true;
    }
  }
  // The messages first: each names what it waits for, which is still pending.
  std::vector<std::pair<PluginRecord*, std::string>> cycle;
  for (PluginRecord& r : records) {
    if (r.state != "pending") continue;
    std::string waits;
    for (const std::string& service : r.manifest.requires_)
      if (PluginRecord* p = provider_of(service); p != nullptr && p->state == "pending")
        waits += (waits.empty() ? "" : ", ") + service + " (" + p->manifest.name + ")";
    cycle.emplace_back(&r, waits);
  }
  for (auto& [r, waits] : cycle)
    fail(*r, {"插件 " + r->manifest.name + " 与其他插件循环依赖：需要 " + waits,
              "plugin " + r->manifest.name + " is in a cycle of required services: it requires " + waits});
}

std::optional<Bilingual> PluginHost::Impl::LoadLibrary(const fs::path& manifest_path, const PluginManifest& manifest,
                                                       std::map<std::string, std::vector<std::string>>* registered) {
  const fs::path lib_path = manifest_path.parent_path() / manifest.library;
  const std::string lpath = lib_path.string();
  std::error_code fec;
  if (!fs::is_regular_file(lib_path, fec)) {
    return Bilingual{"找不到插件库 " + lpath + "（清单 " + manifest_path.string() + "）",
                     "plugin library not found: " + lpath + " (manifest " + manifest_path.string() + ")"};
  }

  boost::dll::shared_library lib;
  boost::dll::fs::error_code ec;
  lib.load(lib_path, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec || !lib.is_loaded()) {
    const std::string why = LoaderError(lib_path);
    return Bilingual{"无法加载插件库 " + lpath + "：" + why, "cannot load the plugin library " + lpath + ": " + why};
  }
  // From here on the library stays loaded whatever happens: its static constructors ran.
  // The handle is copied (dlopen reference count) into the never-freed list.
  KeepLoadedForever(lib);

  try {
    if (!lib.has("xj_plugin_abi")) {
      return Bilingual{"插件库 " + lpath + " 缺少导出符号 xj_plugin_abi（用 XJ_PLUGIN 宏导出）",
                       "the plugin library " + lpath + " does not export xj_plugin_abi (use the XJ_PLUGIN macro)"};
    }
    const PluginAbi abi = lib.get<PluginAbi()>("xj_plugin_abi")();
    if (auto diff = CompareAbi(abi, CurrentPluginAbi())) {
      return Bilingual{"插件库 " + lpath + " " + diff->zh, "plugin library " + lpath + ": " + diff->en};
    }
    if (!lib.has("xj_plugin_init")) {
      return Bilingual{"插件库 " + lpath + " 缺少导出符号 xj_plugin_init（用 XJ_PLUGIN 宏导出）",
                       "the plugin library " + lpath + " does not export xj_plugin_init (use the XJ_PLUGIN macro)"};
    }
    auto& init = lib.get<Status(Registrar&)>("xj_plugin_init");

    // Registrations of a failed init are discarded with the registrar (the library stays).
    StagingRegistrar registrar(manifest, options.config, registries, abi.host_api, platform);
    Status st;
    try {
      st = init(registrar);
    } catch (const std::exception& e) {
      return Bilingual{"插件初始化抛出异常：" + std::string(e.what()) + "（" + lpath + "）",
                       "init threw: " + std::string(e.what()) + " (" + lpath + ")"};
    } catch (...) {
      return Bilingual{"插件初始化抛出未知异常（" + lpath + "）", "init threw: an unknown exception (" + lpath + ")"};
    }
    if (!registrar.undeclared().empty()) {
      const std::string cap = registrar.undeclared().front();
      return Bilingual{"插件 " + lpath + " 注册了清单 " + manifest_path.string() + " 未声明的能力 " + cap,
                       "plugin " + lpath + " registered the capability " + cap + " that its manifest " +
                           manifest_path.string() + " does not declare"};
    }
    if (!st.ok()) {
      return Bilingual{"插件初始化失败（" + lpath + "）", "plugin init failed (" + lpath + "): " + st.message()};
    }
    Registries& staged = registrar.staged();
    for (const std::string& service : manifest.provides)
      if (!staged.services.count(service))
        return Bilingual{
            "插件 " + manifest.name + " 的清单声明提供服务 “" + service + "”，但初始化时没有提供（" + lpath + "）",
            "plugin " + manifest.name + " declares that it provides the service '" + service +
                "' but its init did not provide it (" + lpath + ")"};
    const std::pair<const char*, std::vector<std::string>> kinds[] = {
        {kCapabilitySubscriber, SubscriberNames(staged)},
        {kCapabilitySampler, Names(staged.samplers)},
        {kCapabilityScorer, Names(staged.scorers)},
        {kCapabilityListPolicy, Names(staged.list_policies)},
        {kCapabilityEntropySource, Names(staged.entropy_sources)},
        {kCapabilityJob, Names(staged.job_handlers)},
        {kCapabilityCommand, CommandNames(staged)},
        {kCapabilityDemo, Names(staged.demo_steps)},
        {kCapabilityHttp, RouteNames(staged)}};
    for (const auto& [kind, names] : kinds)
      if (!names.empty()) (*registered)[kind] = names;
    registries.subscribers.merge(staged.subscribers);
    registries.writing_subscribers.merge(staged.writing_subscribers);
    registries.samplers.merge(staged.samplers);
    registries.scorers.merge(staged.scorers);
    registries.list_policies.merge(staged.list_policies);
    registries.entropy_sources.merge(staged.entropy_sources);
    registries.job_handlers.merge(staged.job_handlers);
    registries.job_handler_plugin.merge(staged.job_handler_plugin);
    registries.commands.merge(staged.commands);
    for (auto& r : staged.routes) registries.routes.push_back(std::move(r));
    for (auto& l : staged.nav_links) registries.nav_links.push_back(std::move(l));
    for (auto& x : staged.sections) registries.sections.push_back(std::move(x));
    for (auto& d : staged.default_jobs) registries.default_jobs.push_back(std::move(d));
    registries.demo_steps.merge(staged.demo_steps);
    for (auto& n : staged.demo_order) registries.demo_order.push_back(std::move(n));
    registries.services.merge(staged.services);
  } catch (const std::exception& e) {
    // Boost.DLL's symbol lookups throw only on a broken handle; keep the host running.
    return Bilingual{"插件库 " + lpath + " 出错：" + e.what(), "plugin library " + lpath + ": " + e.what()};
  }
  return std::nullopt;
}

Status PluginHost::Impl::CheckRequired() const {
  std::vector<std::string> problems;
  for (const auto& name : options.required) {
    const PluginRecord* failed = nullptr;
    bool loaded = false;
    for (const auto& r : records) {
      if (r.manifest.name != name) continue;
      if (r.state == "loaded")
        loaded = true;
      else if (failed == nullptr)
        failed = &r;
    }
    if (loaded) continue;
    if (failed != nullptr) {
      problems.push_back("必需的插件 “" + name + "” 加载失败 / required plugin '" + name +
                         "' failed to load: " + failed->error);
    } else {
      const std::string dirs = searched.empty() ? "(none)" : JoinList(searched, ":");
      problems.push_back("找不到必需的插件 “" + name + "”（搜索目录：" + dirs + "） / required plugin '" + name +
                         "' not found (searched: " + dirs + ")");
    }
  }
  if (problems.empty()) return Status::Ok();
  return Status(StatusCode::kFailedPrecondition, JoinList(problems, "\n"));
}

PluginHost::PluginHost(HostOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->platform.SetConfig(impl_->options.config);
  impl_->platform.SetPlugins(this);  // its samplers and entropy sources (Platform::FindSampler…)
}

// Subscribers are destroyed here; their code stays mapped (plugins are never unloaded).
PluginHost::~PluginHost() = default;

Status PluginHost::LoadAll() {
  if (impl_->load_status) return *impl_->load_status;
  std::set<std::string> seen_dirs;  // a folder named twice (env and defaults) is scanned once
  for (const auto& raw : impl_->options.search_dirs) {
    if (raw.empty()) continue;
    const std::string dir = StripTrailingSlash(AbsoluteNormal(raw));
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    if (!seen_dirs.insert(ec ? dir : canonical.string()).second) continue;
    // A search folder that does not exist is not an error: the defaults name two layouts
    // of which at most one exists.
    if (!fs::is_directory(dir, ec)) continue;
    impl_->searched.push_back(dir);

    std::vector<fs::path> folders;
    for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
         it.increment(ec)) {
      std::error_code e2;
      if (it->is_directory(e2) && fs::exists(it->path() / kManifestFile, e2)) folders.push_back(it->path());
    }
    std::sort(folders.begin(), folders.end());  // deterministic: the first of two same names wins
    for (const auto& folder : folders) impl_->ReadFolder(folder);
  }
  impl_->LoadPending();
  impl_->load_status = impl_->CheckRequired();
  return *impl_->load_status;
}

const std::vector<PluginRecord>& PluginHost::records() const { return impl_->records; }

const std::map<std::string, std::unique_ptr<WritingSubscriber>>& PluginHost::writing_subscribers() const {
  return impl_->registries.writing_subscribers;
}

PlatformImpl& PluginHost::platform() { return impl_->platform; }

std::pair<Service*, std::string> PluginHost::FindService(const std::string& name) const {
  auto it = impl_->registries.services.find(name);
  if (it == impl_->registries.services.end()) return {nullptr, ""};
  return {it->second.object.get(), it->second.plugin};
}

const std::map<std::string, RegisteredCommand>& PluginHost::commands() const { return impl_->registries.commands; }
const std::vector<RegisteredRoute>& PluginHost::routes() const { return impl_->registries.routes; }

std::vector<RegisteredNavLink> PluginHost::nav_links() const {
  std::vector<RegisteredNavLink> out = impl_->registries.nav_links;
  std::stable_sort(out.begin(), out.end(), [](const RegisteredNavLink& a, const RegisteredNavLink& b) {
    return std::tie(a.link.order, a.link.path) < std::tie(b.link.order, b.link.path);
  });
  return out;
}

std::vector<const RegisteredSection*> PluginHost::sections(const std::string& page) const {
  std::vector<const RegisteredSection*> out;
  for (const auto& s : impl_->registries.sections)
    if (s.spec.page == page) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const RegisteredSection* a, const RegisteredSection* b) {
    return std::tie(a->spec.order, a->plugin) < std::tie(b->spec.order, b->plugin);
  });
  return out;
}
const std::vector<RegisteredDefaultJob>& PluginHost::default_jobs() const { return impl_->registries.default_jobs; }
std::vector<DemoStep*> PluginHost::demo_steps() const {
  std::vector<DemoStep*> out;
  for (const auto& name : impl_->registries.demo_order) out.push_back(impl_->registries.demo_steps.at(name).get());
  return out;
}

// The loaded plugins in the order their migrations apply: a plugin after the plugins that
// provide the services it requires, otherwise by name (so that the order never depends on
// folders or search paths). Loaded plugins have no cycle: a cycle fails to load.
Result<std::vector<PluginMigration>> PluginHost::Migrations(Dialect dialect) const {
  std::vector<const PluginRecord*> pending;
  for (const PluginRecord& r : impl_->records)
    if (r.state == "loaded") pending.push_back(&r);
  std::sort(pending.begin(), pending.end(),
            [](const PluginRecord* a, const PluginRecord* b) { return a->manifest.name < b->manifest.name; });
  std::map<std::string, std::string> provider;  // service => loaded plugin providing it
  for (const PluginRecord* r : pending)
    for (const std::string& service : r->manifest.provides) provider.emplace(service, r->manifest.name);
  std::vector<const PluginRecord*> loaded;
  std::set<std::string> placed;
  while (!pending.empty()) {
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const PluginRecord* r) {
      return std::all_of(r->manifest.requires_.begin(), r->manifest.requires_.end(), [&](const std::string& service) {
        auto p = provider.find(service);
        return p == provider.end() || p->second == r->manifest.name || placed.count(p->second) != 0;
      });
    });
    if (ready == pending.end()) ready = pending.begin();  // cannot happen (see above); keep going by name
    placed.insert((*ready)->manifest.name);
    loaded.push_back(*ready);
    pending.erase(ready);
  }
  std::vector<PluginMigration> out;
  for (const PluginRecord* r : loaded) {
    Result<std::vector<PluginMigration>> m = ReadPluginMigrations(r->dir, r->manifest.name, dialect);
    if (!m.ok()) return m.status();
    for (PluginMigration& x : m.value()) out.push_back(std::move(x));
  }
  return out;
}

const std::map<std::string, std::unique_ptr<EventSubscriber>>& PluginHost::subscribers() const {
  return impl_->registries.subscribers;
}

const std::map<std::string, std::unique_ptr<Sampler>>& PluginHost::samplers() const {
  return impl_->registries.samplers;
}

const std::map<std::string, std::unique_ptr<Scorer>>& PluginHost::scorers() const {
  return impl_->registries.scorers;
}

const std::map<std::string, std::unique_ptr<ListPolicy>>& PluginHost::list_policies() const {
  return impl_->registries.list_policies;
}

const ListPolicy* PluginHost::FindListPolicy(const std::string& code) const {
  auto it = impl_->registries.list_policies.find(code);
  return it == impl_->registries.list_policies.end() ? nullptr : it->second.get();
}

const Scorer* PluginHost::FindScorer(const std::string& name) const {
  auto it = impl_->registries.scorers.find(name);
  return it == impl_->registries.scorers.end() ? nullptr : it->second.get();
}

const Sampler* PluginHost::FindSampler(const std::string& algorithm) const {
  auto it = impl_->registries.samplers.find(algorithm);
  return it == impl_->registries.samplers.end() ? nullptr : it->second.get();
}

const std::map<std::string, std::unique_ptr<EntropySource>>& PluginHost::entropy_sources() const {
  return impl_->registries.entropy_sources;
}

const EntropySource* PluginHost::FindEntropySource(const std::string& name) const {
  auto it = impl_->registries.entropy_sources.find(name);
  return it == impl_->registries.entropy_sources.end() ? nullptr : it->second.get();
}

const std::map<std::string, std::unique_ptr<JobHandler>>& PluginHost::job_handlers() const {
  return impl_->registries.job_handlers;
}

JobHandler* PluginHost::FindJobHandler(const std::string& name) const {
  auto it = impl_->registries.job_handlers.find(name);
  return it == impl_->registries.job_handlers.end() ? nullptr : it->second.get();
}

std::string PluginHost::JobHandlerPlugin(const std::string& name) const {
  auto it = impl_->registries.job_handler_plugin.find(name);
  return it == impl_->registries.job_handler_plugin.end() ? std::string() : it->second;
}

std::vector<std::string> DefaultPluginDirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("XINJIAN_PLUGIN_PATH"); env != nullptr && *env != '\0') {
    std::string s = env;
    std::size_t start = 0;
    while (start <= s.size()) {
      const std::size_t colon = std::min(s.find(':', start), s.size());
      if (colon > start) dirs.push_back(s.substr(start, colon - start));
      start = colon + 1;
    }
    return dirs;
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return dirs;
  const fs::path bin = exe.parent_path();
  dirs.push_back((bin / ".." / "plugins").lexically_normal().string());
  dirs.push_back((bin / ".." / "lib" / "xinjian" / "plugins").lexically_normal().string());
  return dirs;
}

}  // namespace xj
