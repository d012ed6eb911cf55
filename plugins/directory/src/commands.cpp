// Keeping the search index (search_index.h):
//
//   xinjian directory index [--rebuild] [--status] [--step N] [--max-steps K]
//       builds the index, or catches it up, to the end, one unit of work per step of N subjects
//       (default 50,000), printing its progress on stderr; a killed run resumes where its last
//       committed step ended. --rebuild empties it first; --status only shows where it stands;
//       --max-steps stops after K steps (bounded work for a maintenance window).
//   xinjian directory search Q [--limit N] [--offset N]
//       the search of GET /api/v1/subjects?q=, on the command line.
//
// and the writing subscriber "directory-search" of the events "directory.subjects.*" (one per
// chunk of `xinjian import subjects`): in the unit of work that delivers the event it runs
// index steps worth at most kSubscriberBudget subjects, so the index follows imports as their
// events are delivered (at the end of the import command, or within about a second under
// `xinjian serve`) and a first build of a large directory proceeds a bounded piece per event
// (`directory index` finishes it at once).
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "plugin_parts.h"
#include "search_index.h"
#include "xinjian/command.h"
#include "xinjian/events.h"

namespace xj::directory {
namespace {

using nlohmann::json;

constexpr std::int64_t kSubscriberBudget = 50000;

std::string Fixed(double v, int decimals) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

class IndexSubscriber final : public WritingSubscriber {
 public:
  std::string TopicPrefix() const override { return "directory.subjects."; }
  Status OnEvent(const Event&, UnitOfWork& uow) override {
    std::int64_t left = kSubscriberBudget;
    while (left > 0) {
      auto step = IndexStep(uow.sql(), uow.now_us(), left);
      if (!step.ok()) return step.status();
      if (step->done) break;
      left -= std::max<std::int64_t>(1, step->built + step->changes);
    }
    return Status::Ok();
  }
};

Status IndexCommand(CommandContext& ctx) {
  Platform& platform = ctx.platform();
  std::ostream& err = ctx.err();
  const std::int64_t step_size = ctx.args().Int("--step");
  if (step_size < 100 || step_size > 1000000)
    return Status::Error(StatusCode::kInvalidArgument, "--step 须为 100 至 1,000,000", "--step must be 100 to 1,000,000");
  const Principal who = ctx.principal();
  auto report = [&](const IndexState& s, const IndexSize& size, double seconds) -> Status {
    if (ctx.json()) {
      json j{{"phase", s.phase}, {"indexed", size.rows}, {"bytes", size.bytes}, {"seconds", seconds},
             {"audit_seq", s.audit_seq ? json(*s.audit_seq) : json(nullptr)}};
      ctx.out() << j.dump() << "\n";
      return Status::Ok();
    }
    ctx.out() << (s.phase == "ready" ? "索引已就绪 / the index is ready" : "索引尚未建完 / the index is not built yet")
              << ": " << size.rows << " 个主体 / subjects";
    if (size.bytes >= 0) ctx.out() << ", " << Fixed(static_cast<double>(size.bytes) / 1048576.0, 1) << " MB";
    if (s.audit_seq) ctx.out() << ", 审计位置 / audit position " << *s.audit_seq;
    ctx.out() << "\n";
    return Status::Ok();
  };
  auto finish = [&](double seconds) -> Status {
    auto state = ReadValue<IndexState>(platform, [](Sql& sql) { return ReadIndexState(sql); });
    if (!state.ok()) return state.status();
    auto size = ReadValue<IndexSize>(platform, [](Sql& sql) { return MeasureIndex(sql); });
    if (!size.ok()) return size.status();
    return report(state.value(), size.value(), seconds);
  };
  if (ctx.args().Flag("--status")) return finish(0);

  const auto t0 = std::chrono::steady_clock::now();
  if (ctx.args().Flag("--rebuild")) {
    if (Status st = platform.RunInTransaction(who, [&](UnitOfWork& uow) { return ResetIndex(uow.sql(), uow.now_us()); });
        !st.ok())
      return st;
    err << "索引已清空，重新建立 / the index was emptied; building it again\n";
  }
  auto total = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM subjects"); });
  if (!total.ok()) return total.status();
  const std::int64_t max_steps = ctx.args().Has("--max-steps") ? ctx.args().Int("--max-steps") : -1;
  std::int64_t built = 0, changes = 0, steps = 0;
  bool any_build = false, stopped = false;
  auto last_print = std::chrono::steady_clock::now() - std::chrono::seconds(10);
  while (true) {
    StepResult step;
    Status st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
      auto r = IndexStep(uow.sql(), uow.now_us(), step_size);
      if (!r.ok()) return r.status();
      step = r.value();
      return Status::Ok();
    });
    if (!st.ok()) return st;
    built += step.built;
    changes += step.changes;
    any_build = any_build || step.built > 0;
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - t0).count();
    if (step.built > 0 && (now - last_print > std::chrono::seconds(2) || step.phase == "ready")) {
      last_print = now;
      auto done = ReadValue<std::string>(platform, [](Sql& sql) -> Result<std::string> {
        auto s = ReadIndexState(sql);
        if (!s.ok()) return s.status();
        return s->build_after;
      });
      const double rate = secs > 0 ? static_cast<double>(built) / secs : 0;
      const double left = total.value() > built && rate > 0 ? static_cast<double>(total.value() - built) / rate : 0;
      err << "建立索引 / building: " << built << " / " << total.value() << " 个主体 / subjects ("
          << Fixed(total.value() > 0 ? 100.0 * static_cast<double>(built) / static_cast<double>(total.value()) : 100.0, 1)
          << "%), " << Fixed(rate, 0) << " 个/秒 / per s, 约剩 / about " << Fixed(left, 0) << " s left, 已到 / at "
          << (done.ok() ? done.value() : std::string("?")) << "\n"
          << std::flush;
    }
    if (step.done) break;
    if (max_steps >= 0 && ++steps >= max_steps) {
      stopped = true;
      err << "已达 --max-steps，其余留待下次运行 / --max-steps reached; the next run goes on from here\n";
      break;
    }
  }
  if (changes > 0) err << "追上名录变更 / caught up with " << changes << " 条变更记录 / change records\n";
  if (any_build && !stopped) {
    err << "合并索引段 / merging the index segments...\n" << std::flush;
    if (Status st = platform.RunInTransaction(who, [](UnitOfWork& uow) { return OptimizeIndex(uow.sql()); }); !st.ok())
      return st;
  }
  return finish(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

Status SearchCommand(CommandContext& ctx) {
  auto q = ParseQuery(ctx.args().Text("q"));
  if (!q.ok()) {
    ctx.SetExitCode(2);
    return q.status();
  }
  const std::int64_t limit = ctx.args().Int("--limit"), offset = ctx.args().Int("--offset");
  if (limit < 1 || limit > kSearchCap || offset < 0) {
    ctx.SetExitCode(2);
    return Status::Error(StatusCode::kInvalidArgument,
                         "--limit 须为 1 至 " + std::to_string(kSearchCap) + "，--offset 不能为负",
                         "--limit must be 1 to " + std::to_string(kSearchCap) + " and --offset 0 or more");
  }
  auto result = ReadValue<SearchResult>(ctx.platform(), [&](Sql& sql) { return Search(sql, q.value(), limit, offset); });
  if (!result.ok()) return result.status();
  if (ctx.json()) {
    json items = json::array();
    for (const auto& s : result->items)
      items.push_back({{"uscc", s.uscc}, {"name", s.name}, {"type", s.type}, {"region", s.region},
                       {"registered_on", s.registered_on}, {"status", s.status},
                       {"address", s.address ? json(*s.address) : json(nullptr)}});
    ctx.out() << json{{"items", items}, {"total", result->total}, {"capped", result->capped},
                      {"index_complete", result->index_complete}}
                     .dump(-1, ' ', false, json::error_handler_t::replace)
              << "\n";
    return Status::Ok();
  }
  PrintTableHeader(ctx.out(), {"统一社会信用代码/uscc", "名称/name", "类型/type", "状态/status"});
  for (const auto& s : result->items) ctx.out() << s.uscc << '\t' << s.name << '\t' << s.type << '\t' << s.status << "\n";
  if (!result->index_complete) ctx.err() << "注意：索引尚未建完 / note: the index is not built yet\n";
  if (result->capped) {
    if (result->items.empty()) ctx.out() << "（无 / none）\n";
    ctx.out().flush();
    ctx.err() << "已截断：显示 " << result->items.size() << " / 超过 " << kSearchCap << " 项 / truncated: showing "
              << result->items.size() << " of more than " << kSearchCap << "\n";
  } else {
    NoteListed(ctx, result->items.size(), static_cast<std::size_t>(result->total), true);
  }
  return Status::Ok();
}

}  // namespace

Status RegisterSubscriber(Registrar& reg) {
  return reg.AddWritingSubscriber("directory-search", std::make_unique<IndexSubscriber>());
}

Status RegisterCommands(Registrar& reg) {
  {
    CommandSpec spec;
    spec.path = {"directory", "index"};
    spec.help = "建立或追上名称检索索引 / build the name search index, or catch it up";
    spec.options = {Opt("--rebuild", "清空后重建 / empty it and build it again", OptionKind::kFlag),
                    Opt("--status", "只显示状态 / only show where it stands", OptionKind::kFlag),
                    Opt("--step", "每个事务处理的主体数 / subjects per transaction", OptionKind::kInteger, false, "50000"),
                    Opt("--max-steps", "至多运行的步数，其余留待下次 / stop after this many steps (the next run goes on)",
                        OptionKind::kInteger)};
    spec.excludes = {{"--rebuild", "--status"}};
    if (Status st = reg.AddCommand(spec, IndexCommand); !st.ok()) return st;
  }
  CommandSpec spec;
  spec.path = {"directory", "search"};
  spec.help = "按名称或统一社会信用代码查询 / search subjects by name or code";
  spec.options = {Opt("q", "名称片段或代码前缀 / a part of the name, or a code prefix", OptionKind::kText, true),
                  Opt("--limit", "条数 / results", OptionKind::kInteger, false, "20"),
                  Opt("--offset", "跳过条数 / skip", OptionKind::kInteger, false, "0")};
  return reg.AddCommand(spec, SearchCommand);
}

}  // namespace xj::directory
