// Runs a command a plugin registered (xinjian/command.h) inside this process, without parsing
// a command line: the tests use plugins' commands this way instead of linking the plugins'
// code.
//
// Thread safety: one call per thread; the command itself decides what it may share.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "plugin_host.h"
#include "xinjian/command.h"
#include "xinjian/platform.h"
#include "xinjian/principal.h"
#include "xinjian/status.h"

namespace xj {

struct CommandInvocation {
  // The arguments by their declared names ("id", "--item"); a flag is set by being present
  // (its values are ignored); kTexts take every value, the others the first.
  std::map<std::string, std::vector<std::string>> args;
  bool json = false;
  Principal principal;
  // "plugins.<plugin>.<key>" => value, what CommandContext::Config reads.
  std::map<std::string, std::string> config;
};

struct CommandRun {
  Status status;      // what the command returned (or why it did not run)
  int exit_code = 0;  // what the CLI would exit with: 1 for an error, else 0 or SetExitCode's
  std::string out, err;
};

// Runs `command` with `invocation` on `platform` (its database attached). The arguments are
// checked as the CLI would: an undeclared name, a missing required one, a value outside the
// choices or an integer that is not one is kInvalidArgument (exit code 2), and the command
// does not run. The events the command publishes are not delivered: the caller does that
// (DispatchPending / DispatchWritingEvents). A command that throws is kInternal.
CommandRun RunCommandInProcess(const RegisteredCommand& command, Platform& platform,
                               const CommandInvocation& invocation);

}  // namespace xj
