// xinjian users add|passwd|disable|enable|list: the accounts of the web site (webui/src/accounts.h).
//
//   xinjian users add LOGIN --name NAME --role ROLE[,ROLE] [--department CODE] [--password-stdin]
//   xinjian users passwd LOGIN [--password-stdin]
//   xinjian users disable LOGIN | enable LOGIN
//   xinjian users list [--json]
//
// A password never comes on the command line (other users of the machine see it there): it is
// read from the terminal, twice and without echo, or with --password-stdin as the first line of
// standard input. Every change is audited with the --actor as its actor.
// Exit status: 0; kExitUsage for a malformed login, role, name or password; kExitFailure for an
// unknown user or department, a taken login, or a database error.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "accounts.h"
#include "cli.h"
#include "database.h"
#include "platform_impl.h"

namespace xj::cli {
extern int g_exit_code;
using namespace xj::web;  // NOLINT: the accounts API

namespace {

using nlohmann::json;

int ExitFor(const Status& st) {
  return st.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

Result<std::string> ReadLine(std::istream& in) {
  std::string line;
  if (!std::getline(in, line))
    return Status::Error(StatusCode::kInvalidArgument, "标准输入中没有密码", "no password on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The password: the first line of stdin with --password-stdin, else typed twice on a terminal.
Result<std::string> ReadPassword(bool from_stdin) {
  if (from_stdin) return ReadLine(std::cin);
  if (!isatty(STDIN_FILENO))
    return Status::Error(StatusCode::kInvalidArgument, "标准输入不是终端：请用 --password-stdin 提供密码",
                         "standard input is not a terminal: give the password with --password-stdin");
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::cerr << "密码 / password: " << std::flush;
  auto first = ReadLine(std::cin);
  std::cerr << "\n再输入一次 / again: " << std::flush;
  auto second = first.ok() ? ReadLine(std::cin) : first;
  std::cerr << "\n";
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (!first.ok()) return first;
  if (!second.ok()) return second;
  if (first.value() != second.value())
    return Status::Error(StatusCode::kInvalidArgument, "两次输入的密码不同", "the two passwords differ");
  return first;
}

std::vector<std::string> SplitRoles(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const auto& g : given) {
    std::size_t start = 0;
    while (start <= g.size()) {
      std::size_t end = g.find(',', start);
      if (end == std::string::npos) end = g.size();
      if (end > start) out.push_back(g.substr(start, end - start));
      start = end + 1;
    }
  }
  return out;
}

// Runs `fn` on a platform attached to the database of --db; prints its error.
template <typename F>
void WithPlatform(const Globals& g, F fn) {
  auto db = OpenDatabase(g);
  if (!db) return (void)(g_exit_code = kExitFailure);
  PlatformImpl platform;
  platform.SetConfig(g.config);
  platform.Attach(db.get());
  Status st = fn(platform);
  platform.Attach(nullptr);
  if (!st.ok()) {
    PrintError(st.message());
    g_exit_code = ExitFor(st);
  }
}

Principal Operator(const Globals& g) {
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.id = g.actor;
  p.roles = {kRoleAdmin};
  return p;
}

}  // namespace

void RegisterUsersCommands(CLI::App& app, Globals& g) {
  struct Args {
    std::string login, name, department;
    std::vector<std::string> roles;
    bool password_stdin = false, json = false;
  };
  static Args a;
  auto* users = app.add_subcommand("users", "网站账号 / accounts of the web site");
  users->require_subcommand(1);

  auto* add = users->add_subcommand("add", "添加用户 / add a user");
  add->add_option("login", a.login, "登录名（检查人员为其检查人员编号）/ login (an inspector's is its inspector id)")->required();
  add->add_option("--name", a.name, "姓名 / display name")->required();
  add->add_option("--role", a.roles, "角色 admin|supervisor|inspector|auditor，可重复或以逗号分隔 / role(s)")->required();
  add->add_option("--department", a.department, "所属部门代码 / department code");
  add->add_flag("--password-stdin", a.password_stdin, "从标准输入第一行读密码 / read the password from stdin's first line");
  add->callback([&g] {
    User u;
    u.login = a.login;
    u.display_name = a.name;
    u.department = a.department;
    u.roles = SplitRoles(a.roles);
    if (Status st = CheckLogin(u.login); !st.ok()) {
      PrintError(st.message());
      return (void)(g_exit_code = kExitUsage);
    }
    auto password = ReadPassword(a.password_stdin);
    if (!password.ok()) {
      PrintError(password.status().message());
      return (void)(g_exit_code = kExitUsage);
    }
    WithPlatform(g, [&](PlatformImpl& p) -> Status {
      Status st = AddUser(p, Operator(g), u, password.value());
      if (st.ok()) std::cout << "已添加用户 / user added: " << u.login << "\n";
      return st;
    });
  });

  auto* passwd = users->add_subcommand("passwd", "设置新密码（其会话全部结束）/ set a new password (ends the user's sessions)");
  passwd->add_option("login", a.login, "登录名 / login")->required();
  passwd->add_flag("--password-stdin", a.password_stdin, "从标准输入第一行读密码 / read the password from stdin's first line");
  passwd->callback([&g] {
    if (Status st = CheckLogin(a.login); !st.ok()) {
      PrintError(st.message());
      return (void)(g_exit_code = kExitUsage);
    }
    auto password = ReadPassword(a.password_stdin);
    if (!password.ok()) {
      PrintError(password.status().message());
      return (void)(g_exit_code = kExitUsage);
    }
    WithPlatform(g, [&](PlatformImpl& p) -> Status {
      Status st = SetPassword(p, Operator(g), a.login, password.value());
      if (st.ok()) std::cout << "已设置新密码 / password set: " << a.login << "\n";
      return st;
    });
  });

  for (const bool disable : {true, false}) {
    auto* cmd = users->add_subcommand(disable ? "disable" : "enable",
                                      disable ? "停用用户（其会话全部结束）/ disable a user (ends the user's sessions)"
                                              : "重新启用用户 / enable a user again");
    cmd->add_option("login", a.login, "登录名 / login")->required();
    cmd->callback([&g, disable] {
      WithPlatform(g, [&](PlatformImpl& p) -> Status {
        Status st = SetDisabled(p, Operator(g), a.login, disable);
        if (st.ok())
          std::cout << (disable ? "已停用 / disabled: " : "已启用 / enabled: ") << a.login << "\n";
        return st;
      });
    });
  }

  auto* list = users->add_subcommand("list", "列出用户 / list the users");
  list->add_flag("--json", a.json, "以 JSON 输出 / print JSON");
  list->callback([&g] {
    WithPlatform(g, [&](PlatformImpl& p) -> Status {
      auto all = ListUsers(p);
      if (!all.ok()) return all.status();
      const bool as_json = a.json || g.json;
      json arr = json::array();
      if (!as_json) PrintHeader({"登录名/login", "姓名/name", "部门/department", "角色/roles", "状态/state"});
      for (const User& u : all.value()) {
        std::string roles;
        for (const auto& r : u.roles) roles += (roles.empty() ? "" : ",") + r;
        if (as_json) {
          arr.push_back({{"login", u.login},
                         {"name", u.display_name},
                         {"department", u.department},
                         {"roles", u.roles},
                         {"disabled", u.disabled}});
        } else {
          std::cout << u.login << "\t" << Printable(u.display_name) << "\t" << u.department << "\t" << roles << "\t"
                    << (u.disabled ? "停用/disabled" : "启用/enabled") << "\n";
        }
      }
      if (as_json) std::cout << arr.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
      NoteListed(all->size(), all->size(), !as_json);
      return Status::Ok();
    });
  });
}

}  // namespace xj::cli
