// See command_runner.h.
#include "command_runner.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace xj {
namespace {

class MapArgs final : public CommandArgs {
 public:
  MapArgs(const CommandSpec& spec, const std::map<std::string, std::vector<std::string>>& args)
      : spec_(spec), args_(args) {}
  bool Has(const std::string& name) const override {
    Decl(name);
    return args_.count(name) > 0;
  }
  std::string Text(const std::string& name) const override {
    const CommandOption& d = Decl(name);
    auto it = args_.find(name);
    if (it == args_.end() || it->second.empty()) return d.fallback;
    return it->second.front();
  }
  std::int64_t Int(const std::string& name) const override {
    const std::string v = Text(name);
    return v.empty() ? 0 : std::stoll(v);  // checked before the command runs
  }
  bool Flag(const std::string& name) const override {
    if (Decl(name).kind != OptionKind::kFlag) throw std::out_of_range("option " + name + " is not a flag");
    return args_.count(name) > 0;
  }
  std::vector<std::string> Texts(const std::string& name) const override {
    const CommandOption& d = Decl(name);
    auto it = args_.find(name);
    if (it != args_.end() && !it->second.empty()) return it->second;
    if (!d.fallback.empty()) return {d.fallback};
    return {};
  }

 private:
  const CommandOption& Decl(const std::string& name) const {
    for (const CommandOption& o : spec_.options)
      if (o.name == name) return o;
    throw std::out_of_range("the command declares no option " + name);
  }
  const CommandSpec& spec_;
  const std::map<std::string, std::vector<std::string>>& args_;
};

class BufferContext final : public CommandContext {
 public:
  BufferContext(const CommandArgs& args, const CommandInvocation& inv, const std::string& plugin, Platform& platform)
      : args_(args), inv_(inv), plugin_(plugin), platform_(platform) {}
  const CommandArgs& args() const override { return args_; }
  const Principal& principal() const override { return inv_.principal; }
  Platform& platform() override { return platform_; }
  bool json() const override { return inv_.json; }
  std::ostream& out() override { return out_; }
  std::ostream& err() override { return err_; }
  std::string Config(const std::string& key, const std::string& fallback) const override {
    auto it = inv_.config.find("plugins." + plugin_ + "." + key);
    return it == inv_.config.end() ? fallback : it->second;
  }
  void SetExitCode(int code) override { exit_code_ = code; }
  int exit_code() const { return exit_code_; }
  std::string out_text() const { return out_.str(); }
  std::string err_text() const { return err_.str(); }

 private:
  const CommandArgs& args_;
  const CommandInvocation& inv_;
  const std::string& plugin_;
  Platform& platform_;
  std::ostringstream out_, err_;
  int exit_code_ = 0;
};

bool IsInteger(const std::string& v) {
  if (v.empty() || v.find_first_of(" \t+") != std::string::npos) return false;
  errno = 0;
  char* end = nullptr;
  (void)std::strtoll(v.c_str(), &end, 10);
  return *end == '\0' && errno != ERANGE;
}

Status Usage(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

}  // namespace

CommandRun RunCommandInProcess(const RegisteredCommand& command, Platform& platform, const CommandInvocation& inv) {
  CommandRun run;
  const CommandSpec& spec = command.spec;
  for (const auto& [name, values] : inv.args) {
    const CommandOption* decl = nullptr;
    for (const CommandOption& o : spec.options)
      if (o.name == name) decl = &o;
    if (decl == nullptr) {
      run.status = Usage("未知选项 “" + name + "”", "unknown option '" + name + "'");
      break;
    }
    for (const std::string& v : values) {
      if (decl->kind == OptionKind::kInteger && !IsInteger(v))
        run.status = Usage("选项 " + name + " 须为整数", "option " + name + " must be an integer");
      if (!decl->choices.empty() && decl->kind != OptionKind::kFlag &&
          std::find(decl->choices.begin(), decl->choices.end(), v) == decl->choices.end())
        run.status =
            Usage("选项 " + name + " 的值不在可选值中", "option " + name + ": the value is not one of its choices");
    }
  }
  for (const CommandOption& o : spec.options)
    if (run.status.ok() && o.required && inv.args.count(o.name) == 0)
      run.status = Usage("缺少必需的选项 " + o.name, o.name + " is required");
  for (const auto& [a, b] : spec.excludes)
    if (run.status.ok() && inv.args.count(a) > 0 && inv.args.count(b) > 0)
      run.status = Usage("选项 " + a + " 与 " + b + " 不能同时使用", a + " excludes " + b);
  if (!run.status.ok()) {
    run.exit_code = 2;
    return run;
  }
  MapArgs args(spec, inv.args);
  BufferContext ctx(args, inv, command.plugin, platform);
  try {
    run.status = command.fn(ctx);
  } catch (const std::exception& e) {
    run.status =
        Status::Error(StatusCode::kInternal, "插件 " + command.plugin + " 的命令出错：" + std::string(e.what()),
                      "the command of plugin " + command.plugin + " threw: " + std::string(e.what()));
  }
  run.out = ctx.out_text();
  run.err = ctx.err_text();
  run.exit_code = run.status.ok() ? ctx.exit_code() : 1;
  return run;
}

}  // namespace xj
