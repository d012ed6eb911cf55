// How the command line behaves as users type it (docs/cli.md): global options at any depth,
// misspelled commands and options named with the nearest registered ones, the option
// parser's refusals in Chinese first, and the shared shape of listings (header row, count and
// truncation notes).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"

namespace xj::cli {

namespace {

// Every subcommand of `app` (all, not only the parsed ones), nameless option groups excluded.
std::vector<CLI::App*> AllSubcommands(CLI::App& app) {
  return app.get_subcommands([](CLI::App* s) { return !s->get_name().empty(); });
}

bool HasPositionals(CLI::App& app) {
  return !app.get_options([](CLI::Option* o) { return o->get_positional(); }).empty();
}

// The option `name` ("--db", "-o") as the parser would find it from `level`: its own options,
// then those of its parents (every subcommand falls through to its parent).
CLI::Option* FindOption(CLI::App* level, const std::string& name) {
  for (CLI::App* a = level; a != nullptr; a = a->get_parent())
    if (CLI::Option* o = a->get_option_no_throw(name)) return o;
  return nullptr;
}

// What a walk over the arguments, as the parser reads them, found.
struct Scan {
  CLI::App* level = nullptr;    // the deepest command named
  std::string unknown_command;  // a word where `level` expects one of its subcommands
  std::string unknown_option;   // the first option no level up from `level` knows
};

Scan ScanArguments(CLI::App& app, int argc, char** argv) {
  Scan s;
  s.level = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string tok = argv[i];
    if (tok == "--") break;
    if (tok.size() > 1 && tok[0] == '-') {
      const std::size_t eq = tok.find('=');
      const std::string name = tok.substr(0, eq);
      CLI::Option* o = FindOption(s.level, name);
      if (o == nullptr) {
        // "-abc" may be short flags run together; only a long option is named unknown here.
        if (tok.rfind("--", 0) == 0) s.unknown_option = name;
        break;
      }
      if (eq == std::string::npos && o->get_type_size_max() > 0) ++i;  // its value
      continue;
    }
    std::vector<CLI::App*> subs = AllSubcommands(*s.level);
    if (subs.empty()) break;  // the remaining words are arguments
    CLI::App* next = nullptr;
    for (CLI::App* sub : subs)
      if (sub->check_name(tok)) next = sub;
    if (next != nullptr) {
      s.level = next;
      continue;
    }
    if (HasPositionals(*s.level)) break;  // an argument of this level
    s.unknown_command = tok;
    break;
  }
  return s;
}

// Damerau-Levenshtein distance (optimal string alignment) over bytes, giving up at `cap`.
std::size_t EditDistance(std::string_view a, std::string_view b, std::size_t cap) {
  if (a.size() > b.size() + cap || b.size() > a.size() + cap) return cap + 1;
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

// The candidates nearest to `typed`: within an edit distance of 1 (names of up to 4
// characters) or 2, or starting with what was typed (3 characters or more); nearest first.
std::vector<std::string> Nearest(const std::string& typed, const std::vector<std::string>& candidates) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const std::string& c : candidates) {
    const std::size_t cap = std::min(typed.size(), c.size()) <= 4 ? 1 : 2;
    std::size_t d = EditDistance(typed, c, cap);
    if (d > cap && typed.size() >= 3 && c.rfind(typed, 0) == 0) d = cap;  // a prefix
    if (d <= cap) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (const auto& [d, c] : scored)
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  if (out.size() > 5) out.resize(5);
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// "xinjian task list": the command path of `level`.
std::string CommandPath(const CLI::App* level) {
  std::vector<std::string> names;
  for (const CLI::App* a = level; a != nullptr && a->get_parent() != nullptr; a = a->get_parent())
    names.push_back(a->get_name());
  std::string out = "xinjian";
  for (auto it = names.rbegin(); it != names.rend(); ++it) out += " " + *it;
  return out;
}

std::vector<std::string> CommandNames(CLI::App& level) {
  std::vector<std::string> out;
  for (CLI::App* sub : AllSubcommands(level)) {
    out.push_back(sub->get_name());
    for (const std::string& alias : sub->get_aliases()) out.push_back(alias);
  }
  return out;
}

std::vector<std::string> LongOptionNames(CLI::App* level) {
  std::vector<std::string> out;
  for (CLI::App* a = level; a != nullptr; a = a->get_parent())
    for (CLI::Option* o : a->get_options())
      for (const std::string& l : o->get_lnames()) out.push_back("--" + l);
  return out;
}

// Whether a subcommand below `level` defines the option `name` (typed before that subcommand).
bool DefinedBelow(CLI::App& level, const std::string& name) {
  for (CLI::App* sub : AllSubcommands(level))
    if (sub->get_option_no_throw(name) != nullptr || DefinedBelow(*sub, name)) return true;
  return false;
}

void PrintHint(const CLI::App* level) {
  std::cerr << "运行 " << CommandPath(level) << " --help 查看用法 / run " << CommandPath(level)
            << " --help for the usage\n";
}

bool Contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// The Chinese half of a refusal of the option parser, by the kind of error, naming the option
// when CLI11's message does (its English follows it).
std::string ChineseFor(const CLI::ParseError& e) {
  const std::string what = e.what();
  // "--limit: ..." names the option first.
  const std::size_t colon = what.find(": ");
  const std::string named = colon == std::string::npos ? "" : what.substr(0, colon);
  auto option = [](const std::string& n) { return (n.rfind("-", 0) == 0 ? "选项 " : "参数 ") + n; };
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr) {
    if (Contains(what, "subcommand")) return "缺少子命令";
    const std::size_t is = what.rfind(" is required");
    if (is != std::string::npos && is > 0) return "缺少必需的" + option(what.substr(0, is));
    return "缺少必需的选项或参数";
  }
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const bool opt = colon != std::string::npos && what.compare(colon + 2, 1, "-") == 0;
    return opt ? "未知选项" : "多余的参数";
  }
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr) return "选项的值类型不对";
  if (dynamic_cast<const CLI::ValidationError*>(&e) != nullptr) {
    const std::string who = named.empty() ? "选项" : option(named);
    if (Contains(what, " not in {") || Contains(what, "not in range")) return who + " 的取值不在允许的范围内";
    return who + " 的值无效";
  }
  if (dynamic_cast<const CLI::ExcludesError*>(&e) != nullptr) {
    const std::size_t x = what.find(" excludes ");
    if (x != std::string::npos) return "选项 " + what.substr(0, x) + " 与 " + what.substr(x + 10) + " 不能同时使用";
    return "选项不能同时使用";
  }
  if (dynamic_cast<const CLI::RequiresError*>(&e) != nullptr) {
    const std::size_t r = what.find(" requires ");
    if (r != std::string::npos) return "选项 " + what.substr(0, r) + " 须与 " + what.substr(r + 10) + " 同时使用";
    return "选项须与另一选项同时使用";
  }
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr) {
    const std::string who = named.empty() ? "选项" : option(named);
    return Contains(what, "At Most") ? who + " 只能给出一次" : who + " 缺少值";
  }
  if (dynamic_cast<const CLI::FileError*>(&e) != nullptr) return "无法读取文件";
  return "命令行有误";
}

}  // namespace

std::string Printable(std::string_view s, std::size_t max_bytes, bool multiline) {
  std::string out;
  std::size_t i = 0;
  for (; i < s.size() && out.size() < max_bytes;) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (valid && len == 2) valid = c >= 0xC2;  // no overlong forms
    if (valid && len == 3) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      valid = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);  // no overlong, no surrogates
    }
    if (valid && len == 4) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      valid = c <= 0xF4 && !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
    }
    const bool kept = multiline && (c == '\n' || c == '\t');
    if (!valid || (len == 1 && (c < 0x20 || c == 0x7F) && !kept)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
      ++i;
      continue;
    }
    out.append(s.substr(i, len));
    i += len;
  }
  if (i < s.size()) out += "…（共 " + std::to_string(s.size()) + " 字节 / " + std::to_string(s.size()) + " bytes）";
  return out;
}

void EnableFallthrough(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
    sub->fallthrough();
    EnableFallthrough(*sub);
  }
}

int ReportParseError(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  // --help and --version are "errors" that succeed: CLI11 prints them.
  if (dynamic_cast<const CLI::Success*>(&e) != nullptr || e.get_exit_code() == 0)
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  const Scan s = ScanArguments(app, argc, argv);
  if (!s.unknown_command.empty()) {
    std::cerr << "错误 / error: 未知命令 “" << Printable(s.unknown_command) << "” / unknown command \""
              << Printable(s.unknown_command) << "\"";
    const std::vector<std::string> near = Nearest(s.unknown_command, CommandNames(*s.level));
    if (!near.empty()) std::cerr << "。您是不是要 / did you mean: " << Join(near, ", ");
    std::cerr << "\n";
    if (near.empty()) std::cerr << "可用的命令 / commands: " << Join(CommandNames(*s.level), ", ") << "\n";
    PrintHint(s.level);
    return kExitUsage;
  }
  const std::string what = e.what();
  if (!s.unknown_option.empty() && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::cerr << "错误 / error: 未知选项 “" << Printable(s.unknown_option) << "” / unknown option \""
              << Printable(s.unknown_option) << "\"";
    const std::vector<std::string> near = Nearest(s.unknown_option, LongOptionNames(s.level));
    if (!near.empty()) std::cerr << "。您是不是要 / did you mean: " << Join(near, ", ");
    std::cerr << "\n";
    if (DefinedBelow(*s.level, s.unknown_option))
      std::cerr << s.unknown_option << " 是子命令的选项：请写在子命令之后 / " << s.unknown_option
                << " is an option of a subcommand: put it after the subcommand\n";
    PrintHint(s.level);
    return kExitUsage;
  }
  std::cerr << "错误 / error: " << Printable(ChineseFor(e), 1000) << " / " << Printable(what, 1000) << "\n";
  if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && Contains(what, "subcommand"))
    std::cerr << "可用的命令 / commands: " << Join(CommandNames(*s.level), ", ") << "\n";
  PrintHint(s.level);
  return kExitUsage;
}

const CLI::Validator& NonNegativeCount() {
  static const CLI::Validator v(
      [](std::string& text) -> std::string {
        const bool digits =
            !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == std::string::npos;
        return digits ? std::string()
                      : "须为 0 或正整数 / must be 0 or a positive whole number, got \"" + Printable(text, 40) + "\"";
      },
      "N");
  return v;
}

void PrintHeader(std::initializer_list<std::string_view> columns) {
  std::string line;
  for (std::string_view c : columns) {
    if (!line.empty()) line += '\t';
    line.append(c);
  }
  std::cout << line << "\n";
}

void NoteListed(std::size_t shown, std::size_t total, bool table, std::string_view empty) {
  if (table && shown == 0 && !empty.empty()) std::cout << empty << "\n";
  std::cout.flush();
  if (shown < total)
    std::cerr << "已截断：显示 " << shown << " / 共 " << total << " 项 / truncated: showing " << shown << " of "
              << total << "\n";
  else if (table)
    std::cerr << shown << " 项 / " << shown << " items\n";
}

}  // namespace xj::cli
