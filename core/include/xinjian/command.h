// Commands: what a plugin adds to the `xinjian` command line.
//
// The CLI knows no feature. It parses the command line against the commands plugins
// registered (Registrar::AddCommand, capability "command"), builds the caller's Principal
// and runs the command's function with a CommandContext. `xinjian --help` lists every
// registered command grouped by the plugin that registered it.
//
//   xj::CommandSpec spec;
//   spec.path = {"hello", "note"};
//   spec.help = "写一条便条 / write a note";
//   spec.options = {{"text", "便条内容 / the note's text", xj::OptionKind::kText, /*required=*/true},
//                   {"--tag", "标签 / a tag", xj::OptionKind::kText}};
//   reg.AddCommand(spec, [&platform](xj::CommandContext& ctx) -> xj::Status {
//     const std::string text = ctx.args().Text("text");
//     xj::Status st = AddNote(platform, ctx.principal(), text);
//     if (st.ok()) ctx.out() << (ctx.json() ? "{\"ok\": true}" : "已记录 / noted") << "\n";
//     return st;
//   });
//
// Conventions every command keeps (the host enforces what it can):
// - Messages are bilingual, Chinese first: "中文 / English".
// - A failure is a returned Status: the host prints "错误 / error: <message>" on stderr and
//   exits 1 (kInvalidArgument from option checks the host did itself: 2). A command that
//   must exit with another code (3: a verification found a mismatch) calls SetExitCode.
// - With --json (every command has it unless spec.json is false) stdout holds exactly one
//   JSON document; progress and notes go to stderr.
// - A listing that stops early says so (stderr: "已截断 / truncated: showing N of M").
// - Confidentiality and permissions are decided by the command on ctx.principal(), never by
//   the CLI.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityCommand = "command";

enum class OptionKind {
  kFlag,     // --name, no value
  kText,     // one value
  kInteger,  // one value, a 64-bit integer (the host refuses anything else, exit 2)
  kTexts,    // repeatable (--name A --name B) or, as the last positional, several values
};

// One option or positional argument. A name starting with "--" is an option; any other name
// ([a-z][a-z0-9-]*) is a positional argument, in the order given. Reserved, because the
// host adds them to every command or the command line has them everywhere: --json,
// --department, --role, --help, --version, --db, --actor, --set, --now, --plugin-dir,
// --require-plugin.
struct CommandOption {
  std::string name;
  std::string help;  // "中文 / English"
  OptionKind kind = OptionKind::kText;
  bool required = false;
  std::string fallback;              // the value when not given ("" = none)
  std::vector<std::string> choices;  // when not empty, the only values accepted
};

struct CommandSpec {
  // The words that run it: {"task", "draw"} is `xinjian task draw`. Each word
  // [a-z][a-z0-9-]*. Groups ("task") are created as needed; a path may not be both a command
  // and a group, and two plugins may not register the same path.
  std::vector<std::string> path;
  std::string help;  // one line, "中文 / English"
  std::vector<CommandOption> options;
  bool json = true;           // the host adds --json
  bool needs_database = true; // the host opens the database (migrated) before running it
  // Appended in host API 7 (read by the host only from plugins built against 7 or later):
  // pairs of declared options ("--approve", "--return") that exclude each other. A command
  // line giving both is refused by the CLI (exit 2, naming both) before the command runs.
  std::vector<std::pair<std::string, std::string>> excludes = {};
};

// The parsed arguments. Text/Int/Flag/Texts of a name the spec does not declare is a
// programming error (std::out_of_range).
class CommandArgs {
 public:
  virtual ~CommandArgs() = default;
  // True when the option or argument was given on the command line.
  virtual bool Has(const std::string& name) const = 0;
  // The value, or the spec's fallback when not given.
  virtual std::string Text(const std::string& name) const = 0;
  virtual std::int64_t Int(const std::string& name) const = 0;
  virtual bool Flag(const std::string& name) const = 0;
  virtual std::vector<std::string> Texts(const std::string& name) const = 0;
};

// What a running command gets from the host. Valid during the call only.
class CommandContext {
 public:
  virtual ~CommandContext() = default;
  virtual const CommandArgs& args() const = 0;
  // Who runs it: a user principal with --actor (default $USER) as id, --department as
  // department and the --role options as roles (default: supervisor). The command line runs
  // with the database's own credentials, so these are the operator's statement of whom they
  // act as; the web server builds the same Principal from a logged-in account.
  virtual const Principal& principal() const = 0;
  // The platform with the database of --db attached (when spec.needs_database).
  virtual Platform& platform() = 0;
  virtual bool json() const = 0;
  virtual std::ostream& out() = 0;  // stdout
  virtual std::ostream& err() = 0;  // stderr: progress, warnings, notes
  // "plugins.<this plugin>.<key>" from --set, or `fallback`.
  virtual std::string Config(const std::string& key, const std::string& fallback) const = 0;
  // The process's exit code (default 0 when the command returns OK, 1 when it returns an
  // error). A command that finds its command line wrong (two options that go together, one
  // missing) sets 2 and returns the error: the host prints it and exits 2, as for its own
  // option checks.
  virtual void SetExitCode(int code) = 0;
};

using CommandFn = std::function<Status(CommandContext&)>;

// Listings, printed the same way by every command.
//
// The header line of a table: its columns ("名称/name") joined by tabs.
inline void PrintTableHeader(std::ostream& out, std::initializer_list<std::string_view> columns) {
  std::string line;
  for (std::string_view c : columns) {
    if (!line.empty()) line += '\t';
    line.append(c);
  }
  out << line << "\n";
}
// After a listing. An empty table gets the line `empty` on stdout, under its header ("" for
// none). Then on stderr: "已截断：显示 N / 共 M 项 / truncated: showing N of M" when a limit
// cut the list (in table and JSON mode alike); otherwise "N 项 / N items" after a table and
// nothing after JSON. Flushes stdout first so that the note follows the rows on a terminal.
inline void NoteListed(CommandContext& ctx, std::size_t shown, std::size_t total, bool table,
                       std::string_view empty = "（无 / none）") {
  if (table && shown == 0 && !empty.empty()) ctx.out() << empty << "\n";
  ctx.out().flush();
  if (shown < total)
    ctx.err() << "已截断：显示 " << shown << " / 共 " << total << " 项 / truncated: showing " << shown << " of " << total
              << "\n";
  else if (table)
    ctx.err() << shown << " 项 / " << shown << " items\n";
}

}  // namespace xj
