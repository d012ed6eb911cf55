// Typed configuration for plugins.
//
// An operator sets a plugin's values with `--set plugins.<plugin>.<key>=VALUE` (or the
// configuration file of a later release). Registrar::Config and JobServices::Config hand
// out the raw text; TypedConfig reads it as the type the plugin expects and reports a bad
// value with the full key, the value and what was expected, bilingual:
//
//   xj::TypedConfig cfg(registrar);
//   xj::Result<std::int64_t> batch = cfg.Int("batch", 500, 1, 100000);
//   if (!batch.ok()) return batch.status();   // the plugin fails to load, naming the key
//
// A key that is not set gives the fallback. Header-only; a plain value to copy.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "xinjian/status.h"

namespace xj {

class TypedConfig {
 public:
  // `raw(key, fallback)`: the plugin's raw lookup (Registrar::Config, JobServices::Config).
  using RawLookup = std::function<std::string(const std::string& key, const std::string& fallback)>;
  TypedConfig(std::string plugin, RawLookup raw) : plugin_(std::move(plugin)), raw_(std::move(raw)) {}
  // From anything with PluginName() and Config(key, fallback): a Registrar.
  template <typename Source>
  explicit TypedConfig(Source& source)
      : TypedConfig(source.PluginName(), [&source](const std::string& k, const std::string& f) { return source.Config(k, f); }) {}

  // Text of at most `max_bytes` bytes without control characters (tab allowed).
  Result<std::string> Text(const std::string& key, const std::string& fallback, std::size_t max_bytes = 4096) const {
    std::string v;
    if (!Get(key, &v)) return fallback;
    if (v.size() > max_bytes) return Bad(key, v, "不超过 " + std::to_string(max_bytes) + " 字节的文本", "text of at most " + std::to_string(max_bytes) + " bytes");
    for (unsigned char c : v)
      if ((c < 0x20 && c != '\t') || c == 0x7f) return Bad(key, v, "不含控制字符的文本", "text without control characters");
    return v;
  }
  // A decimal integer in [min, max].
  Result<std::int64_t> Int(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) const {
    std::string v;
    if (!Get(key, &v)) return fallback;
    const std::string want_zh = std::to_string(min) + " 至 " + std::to_string(max) + " 的整数";
    const std::string want_en = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    if (v.empty() || v.size() > 20) return Bad(key, v, want_zh, want_en);
    std::size_t i = v[0] == '-' ? 1 : 0;
    if (i == v.size()) return Bad(key, v, want_zh, want_en);
    __int128 n = 0;
    for (; i < v.size(); ++i) {
      if (v[i] < '0' || v[i] > '9') return Bad(key, v, want_zh, want_en);
      n = n * 10 + (v[i] - '0');
    }
    if (v[0] == '-') n = -n;
    if (n < min || n > max) return Bad(key, v, want_zh, want_en);
    return static_cast<std::int64_t>(n);
  }
  // true/false, 1/0, yes/no, on/off (lower case).
  Result<bool> Bool(const std::string& key, bool fallback) const {
    std::string v;
    if (!Get(key, &v)) return fallback;
    if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
    if (v == "false" || v == "0" || v == "no" || v == "off") return false;
    return Bad(key, v, "true 或 false", "true or false");
  }
  // One of `choices`.
  Result<std::string> Choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& choices) const {
    std::string v;
    if (!Get(key, &v)) return fallback;
    std::string list;
    for (const auto& c : choices) {
      if (c == v) return v;
      list += (list.empty() ? "" : "|") + c;
    }
    return Bad(key, v, "以下之一：" + list, "one of " + list);
  }

 private:
  // The value when the key is set. A lookup answering with the sentinel means "not set".
  bool Get(const std::string& key, std::string* out) const {
    static const std::string kUnset("\x01xj-unset\x01");
    *out = raw_(key, kUnset);
    return *out != kUnset;
  }
  Status Bad(const std::string& key, const std::string& value, const std::string& want_zh, const std::string& want_en) const {
    std::string shown = value.substr(0, 80);
    for (char& c : shown)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    if (value.size() > 80) shown += "…";
    const std::string full = "plugins." + plugin_ + "." + key;
    return Status::Error(StatusCode::kInvalidArgument, "配置 " + full + " 的值 “" + shown + "” 无效：应为" + want_zh,
                         "configuration " + full + ": the value '" + shown + "' is invalid; expected " + want_en);
  }
  std::string plugin_;
  RawLookup raw_;
};

}  // namespace xj
