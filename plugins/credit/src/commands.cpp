// The credit commands (docs/credit.md):
//   credit import records FILE   records from CSV or JSON, by the directory imports' rules
//   credit records USCC          a subject's records
//   credit withdraw KIND REF     a record withdrawn (a revoked penalty)
//   credit explain USCC          a score with every point explained (--as-of: from the history)
//   credit recompute             every score again, in resumable steps
//   credit simulate --model F    what a model would change, writing nothing
//   credit models list|add|activate
//   credit kinds                 the record kinds
//   credit publicity             records entering or leaving publicity today (the daily job's work)
//   credit risk classify         the monthly risk classes (internal)
//   credit grades                the intermediaries' yearly grades
#include <xinjian/command.h>
#include <xinjian/directory.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "credit.h"
#include "engine.h"

// Options are written {name, help, kind[, required[, fallback[, choices]]]}: the rest of
// CommandOption keeps its defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace xj::credit {
namespace {

using nlohmann::json;

Status Usage(CommandContext& ctx, const std::string& zh, const std::string& en) {
  ctx.SetExitCode(2);
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

Result<std::string> ReadFile(const std::string& path, std::size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Error(StatusCode::kUnavailable, "无法读取文件 " + path, "cannot read " + path);
  std::string s;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    s.append(buf, static_cast<std::size_t>(in.gcount()));
    if (s.size() > max)
      return Status::Error(StatusCode::kInvalidArgument, "文件超过 " + std::to_string(max >> 20) + " MiB：" + path,
                           "the file is larger than " + std::to_string(max >> 20) + " MiB: " + path);
  }
  return s;
}

std::string Pad(const std::string& s, std::size_t width) {
  // Width in columns: CJK characters count two.
  std::size_t cols = 0;
  for (std::size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    cols += len >= 3 ? 2 : 1;
    i += len;
  }
  return cols >= width ? s + " " : s + std::string(width - cols, ' ');
}

json ScoreJson(const StoredScore& s) {
  return json{{"uscc", s.uscc},       {"subject_kind", s.subject_kind}, {"model", s.model},
              {"version", s.model_version}, {"as_of", s.as_of},       {"points", s.points},
              {"points_text", FormatPoints(s.points)}, {"grade", s.grade}, {"breakdown", s.breakdown}};
}

// An import of a record file (records or evaluations), as both commands run it.
Status RunImport(CommandContext& ctx, Credit* credit, ImportOptions o) {
  Scoring scoring = credit->On(ctx.platform());
  auto rules = credit->Rules();
  if (!rules.ok()) return rules.status();
  o.path = ctx.args().Text("file");
  o.rejects_path = ctx.args().Text("--rejects");
  o.format = ctx.args().Text("--format");
  o.encoding = ctx.args().Text("--encoding");
  o.batch_rows = ctx.args().Int("--batch-rows");
  o.score = !ctx.args().Flag("--no-score");
  auto sum = ImportRecords(ctx.platform(), ctx.principal(), *credit->kinds, rules.value(), &scoring, o, &ctx.err());
  if (!sum.ok()) return sum.status();
  const ImportSummary& s = sum.value();
  for (const auto& w : s.warnings) ctx.err() << "警告 / warning: " << w << "\n";
  if (ctx.json()) {
    ctx.out() << json{{"read", s.read},         {"inserted", s.inserted}, {"updated", s.updated},
                      {"unchanged", s.unchanged}, {"rejected", s.rejected}, {"batches", s.batches},
                      {"warnings", s.warnings}, {"rejects", s.sample_rejects}}
                     .dump()
              << "\n";
  } else {
    ctx.out() << "读取 " << s.read << " 行：新增 " << s.inserted << "，更新 " << s.updated << "，未变 " << s.unchanged
              << "，拒绝 " << s.rejected << " / read " << s.read << ": " << s.inserted << " new, " << s.updated
              << " updated, " << s.unchanged << " unchanged, " << s.rejected << " rejected\n";
    for (const auto& r : s.sample_rejects) ctx.out() << "  " << r << "\n";
    if (s.rejected > 0 && !s.rejects_path.empty()) ctx.out() << "被拒绝的行见 / rejected rows in " << s.rejects_path << "\n";
  }
  if (s.rejected > 0) ctx.SetExitCode(3);
  return Status::Ok();
}

std::vector<std::string> SplitCategories(const std::string& s) {
  std::vector<std::string> out;
  for (auto p : SplitStoredList(s)) out.emplace_back(p);
  return out;
}

}  // namespace

std::string ExplainText(const StoredScore& s) {
  std::ostringstream o;
  const json& b = s.breakdown;
  o << "统一社会信用代码 / USCC: " << s.uscc << "\n";
  o << "模型 / model: " << s.model << " " << s.model_version << "    截至 / as of: " << s.as_of << "\n";
  o << "得分 / points: " << FormatPoints(s.points) << "    等级 / grade: " << b.value("grade_zh", std::string()) << " "
    << b.value("grade_en", std::string()) << " (" << s.grade << ")\n\n";
  o << Pad("基础分 / base", 60) << FormatPoints(b.value("base", std::int64_t{0})) << "\n";
  std::int64_t sum = b.value("base", std::int64_t{0});
  for (const json& l : b.value("lines", json::array())) {
    const std::int64_t p = l.value("points", std::int64_t{0});
    sum += p;
    o << Pad(l.value("zh", std::string()) + " / " + l.value("en", std::string()), 60) << (p > 0 ? "+" : "")
      << FormatPoints(p) << "\n";
    if (l.contains("note")) o << "    " << l["note"].get<std::string>() << "\n";
    if (l.contains("records")) {
      const json& ids = l["records"];
      const json rp = l.value("record_points", json::array());
      for (std::size_t i = 0; i < ids.size(); ++i) {
        o << "    " << Pad(ids[i].get<std::string>(), 56);
        if (i < rp.size()) o << FormatPoints(rp[i].get<std::int64_t>());
        o << "\n";
      }
    }
  }
  o << Pad("合计 / total", 60) << FormatPoints(sum) << (sum == s.points ? "  = 得分 / = points" : "  ≠ 得分 / ≠ points")
    << "\n";
  const json vetoes = b.value("vetoes", json::array());
  if (!vetoes.empty()) {
    o << "一票否决 / vetoes:";
    for (const json& v : vetoes) o << " " << v.get<std::string>();
    o << "（等级为最低档 / the lowest grade）\n";
  }
  return o.str();
}

Status RegisterCommands(Registrar& reg, Credit* credit) {
  // ---- credit import records FILE ----
  {
    CommandSpec spec;
    spec.path = {"credit", "import", "records"};
    spec.help = "导入信用记录（CSV 或 JSON）/ import credit records (CSV or JSON)";
    spec.options = {{"file", "记录文件 / the records file", OptionKind::kText, true},
                    {"--rejects", "被拒绝的行写入此 CSV 文件 / write rejected rows to this CSV file", OptionKind::kText},
                    {"--format", "文件格式 / file format", OptionKind::kText, false, "auto", {"auto", "csv", "json"}},
                    {"--encoding", "CSV 编码 / CSV encoding", OptionKind::kText, false, "auto", {"auto", "utf-8", "gb18030"}},
                    {"--batch-rows", "每个事务的行数 / rows per transaction", OptionKind::kInteger, false, "2000"},
                    {"--no-score", "不在导入时重算评分（之后运行 credit recompute）/ do not rescore while importing (run credit recompute after)",
                     OptionKind::kFlag}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      ImportOptions o;
      return RunImport(ctx, credit, o);
    });
    if (!st.ok()) return st;
    // ---- credit import evaluations FILE ----
    spec.path = {"credit", "import", "evaluations"};
    spec.help = "导入中介服务评价（委托方、监管部门、审批部门评分）/ import intermediaries' evaluations (client, department, "
                "approval office)";
    st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      auto weights = EvaluationWeights::Parse(credit->config("evaluation_weights", "70,10,20"));
      if (!weights.ok()) return weights.status();
      ImportOptions o;
      o.columns = EvaluationColumns();
      o.required = {"uscc", "engagement", "service_category", "evaluated_on"};
      const EvaluationWeights w = weights.value();
      o.map_row = [w](const std::map<std::string, std::string>& v) { return EvaluationInputOf(w, v); };
      return RunImport(ctx, credit, o);
    });
    if (!st.ok()) return st;
  }
  // ---- credit intermediaries import FILE | list ----
  {
    CommandSpec spec;
    spec.path = {"credit", "intermediaries", "import"};
    spec.help = "导入中介机构的服务类别与资质 / import intermediaries' service categories and qualifications";
    spec.options = {{"file", "CSV 文件（uscc, categories, qualifications）/ the CSV file", OptionKind::kText, true},
                    {"--rejects", "被拒绝的行写入此 CSV 文件 / write rejected rows to this CSV file", OptionKind::kText}};
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      auto sum = ImportIntermediaries(ctx.platform(), ctx.principal(), ctx.args().Text("file"), ctx.args().Text("--rejects"));
      if (!sum.ok()) return sum.status();
      if (ctx.json())
        ctx.out() << json{{"read", sum->read}, {"written", sum->written}, {"rejected", sum->rejected},
                          {"rejects", sum->sample_rejects}}.dump() << "\n";
      else {
        ctx.out() << "读取 " << sum->read << " 行，写入 " << sum->written << "，拒绝 " << sum->rejected << " / read " << sum->read
                  << ", written " << sum->written << ", rejected " << sum->rejected << "\n";
        for (const auto& r : sum->sample_rejects) ctx.out() << "  " << r << "\n";
      }
      if (sum->rejected > 0) ctx.SetExitCode(3);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    spec.path = {"credit", "intermediaries", "list"};
    spec.help = "列出中介机构及其最近的年度等级 / list intermediaries with their latest yearly grade";
    spec.options = {{"--category", "只列此服务类别 / only this service category", OptionKind::kText},
                    {"--limit", "最多列出 / at most", OptionKind::kInteger, false, "100"}};
    st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      const std::string category = ctx.args().Text("--category");
      const std::int64_t limit = ctx.args().Int("--limit");
      if (limit < 1 || limit > 100000) {
        ctx.SetExitCode(2);
        return Status::Error(StatusCode::kInvalidArgument, "--limit 须在 1 与 100000 之间", "--limit must be 1 to 100000");
      }
      struct Item {
        std::string uscc, name, categories, qualifications, grade, year;
      };
      std::vector<Item> items;
      std::int64_t total = 0;
      Status st2 = ctx.platform().Read([&](Sql& sql) -> Status {
        return sql.Query(
            "SELECT i.uscc, COALESCE(s.name, ''), i.categories, i.qualifications, COALESCE(g.grade, ''), "
            "COALESCE(CAST(g.year AS TEXT), '') FROM credit_intermediaries i LEFT JOIN subjects s ON s.uscc = i.uscc "
            "LEFT JOIN credit_intermediary_grades g ON g.uscc = i.uscc AND g.year = (SELECT MAX(year) FROM "
            "credit_intermediary_grades WHERE uscc = i.uscc) ORDER BY i.uscc",
            {}, [&](const SqlRow& r) {
              Item it{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5)};
              if (!category.empty()) {
                bool has = false;
                for (auto c : SplitStoredList(it.categories)) has = has || c == category;
                if (!has) return true;
              }
              ++total;
              if (static_cast<std::int64_t>(items.size()) < limit) items.push_back(std::move(it));
              return true;
            });
      });
      if (!st2.ok()) return st2;
      if (ctx.json()) {
        json a = json::array();
        for (const auto& i : items)
          a.push_back({{"uscc", i.uscc}, {"name", i.name}, {"categories", SplitCategories(i.categories)},
                       {"qualifications", SplitCategories(i.qualifications)}, {"grade", i.grade}, {"year", i.year}});
        ctx.out() << a.dump() << "\n";
      } else {
        PrintTableHeader(ctx.out(), {"统一社会信用代码/uscc", "名称/name", "服务类别/categories", "资质/qualifications",
                                     "等级/grade"});
        for (const auto& i : items)
          ctx.out() << i.uscc << "\t" << i.name << "\t" << i.categories << "\t" << i.qualifications << "\t"
                    << (i.grade.empty() ? "-" : i.grade + " (" + i.year + ")") << "\n";
      }
      NoteListed(ctx, items.size(), static_cast<std::size_t>(total), !ctx.json());
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit records USCC ----
  {
    CommandSpec spec;
    spec.path = {"credit", "records"};
    spec.help = "列出主体的信用记录 / list a subject's credit records";
    spec.options = {{"uscc", "统一社会信用代码 / the USCC", OptionKind::kText, true}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      const std::string uscc = ctx.args().Text("uscc");
      auto recs = ReadValue<std::vector<CreditRecord>>(ctx.platform(), [&](Sql& sql) { return LoadRecordsOf(sql, uscc); });
      if (!recs.ok()) return recs.status();
      const std::string today = scoring.TodayOf(ctx.platform().NowMicros());
      if (ctx.json()) {
        json a = json::array();
        for (const auto& r : recs.value())
          a.push_back({{"id", r.Id()},           {"kind", r.kind},          {"category", r.category},
                       {"severity", r.severity}, {"occurred_on", r.occurred_on}, {"public_from", r.public_from},
                       {"public_until", r.public_until}, {"public", r.PublicOn(today)}, {"value", r.value},
                       {"authority", r.authority}, {"basis", r.basis},     {"title", r.title},
                       {"withdrawn_on", r.withdrawn_on}, {"source", r.source}});
        ctx.out() << a.dump() << "\n";
        return Status::Ok();
      }
      PrintTableHeader(ctx.out(), {"编号/id", "类别/category", "严重程度/severity", "日期/date", "公示至/public until",
                                   "状态/state"});
      for (const auto& r : recs.value())
        ctx.out() << r.Id() << "\t" << r.category << "\t" << r.severity << "\t" << r.occurred_on << "\t"
                  << (r.public_until.empty() ? "-" : r.public_until) << "\t"
                  << (!r.withdrawn_on.empty() ? "已撤回/withdrawn" : r.PublicOn(today) ? "公示中/public" : "未公示/not public")
                  << "\n";
      NoteListed(ctx, recs.value().size(), recs.value().size(), true);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit withdraw KIND REF ----
  {
    CommandSpec spec;
    spec.path = {"credit", "withdraw"};
    spec.help = "撤回一条信用记录（如行政处罚被撤销）/ withdraw a credit record (e.g. a revoked penalty)";
    spec.options = {{"kind", "记录种类 / the record kind", OptionKind::kText, true},
                    {"ref", "记录编号 / the record's number", OptionKind::kText, true},
                    {"--reason", "理由 / the reason", OptionKind::kText, true},
                    {"--on", "撤回日期（默认今天）/ the date (default today)", OptionKind::kText}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      std::string on = ctx.args().Text("--on");
      if (on.empty()) on = scoring.TodayOf(ctx.platform().NowMicros());
      Status s = ctx.platform().RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) {
        return WithdrawRecord(uow, &scoring, ctx.args().Text("kind"), ctx.args().Text("ref"), on,
                              ctx.args().Text("--reason"));
      });
      if (!s.ok()) return s;
      ctx.out() << (ctx.json() ? json{{"withdrawn", ctx.args().Text("kind") + "/" + ctx.args().Text("ref")}, {"on", on}}.dump()
                               : "已撤回 / withdrawn")
                << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit explain USCC ----
  {
    CommandSpec spec;
    spec.path = {"credit", "explain"};
    spec.help = "逐项说明主体的信用评分 / explain a subject's credit score point by point";
    spec.options = {{"uscc", "统一社会信用代码 / the USCC", OptionKind::kText, true},
                    {"--as-of", "某日的评分（来自评分历史）/ the score as of a date (from the history)", OptionKind::kText},
                    {"--purpose", "credit：公共信用评价；risk：风险分类（内部）；intermediary：中介机构等级 / which model",
                     OptionKind::kText, false, "credit", {"credit", "risk", "intermediary"}}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      const std::string uscc = ctx.args().Text("uscc");
      const std::string as_of = ctx.args().Text("--as-of");
      const std::string purpose = ctx.args().Text("--purpose");
      Result<std::optional<StoredScore>> got = std::optional<StoredScore>();
      if (purpose == "credit") {
        got = ReadValue<std::optional<StoredScore>>(ctx.platform(), [&](Sql& sql) { return scoring.Stored(sql, uscc, as_of); });
      } else {
        if (!as_of.empty()) return Usage(ctx, "--as-of 只用于 credit", "--as-of goes with credit only");
        const std::string today = scoring.TodayOf(ctx.platform().NowMicros());
        got = ReadValue<std::optional<StoredScore>>(ctx.platform(), [&](Sql& sql) -> Result<std::optional<StoredScore>> {
          auto s = scoring.Compute(sql, uscc, today, purpose);
          if (!s.ok()) return s.status();
          return std::optional<StoredScore>(s.value());
        });
      }
      if (!got.ok()) return got.status();
      if (!got.value())
        return Status::Error(StatusCode::kNotFound,
                             "主体 " + uscc + (as_of.empty() ? "" : " 在 " + as_of) + " 没有评分（运行 credit recompute）",
                             "no score for " + uscc + (as_of.empty() ? "" : " as of " + as_of) + " (run credit recompute)");
      if (ctx.json())
        ctx.out() << ScoreJson(*got.value()).dump() << "\n";
      else
        ctx.out() << ExplainText(*got.value());
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit recompute ----
  {
    CommandSpec spec;
    spec.path = {"credit", "recompute"};
    spec.help = "重算全部信用评分（可续做）/ recompute every credit score (resumable)";
    spec.options = {{"--kind", "只算此类主体 / only this subject kind", OptionKind::kText, false, "",
                     {"enterprise", "individual", "intermediary", "social_org", "public_institution"}},
                    {"--step", "每个事务的主体数 / subjects per transaction", OptionKind::kInteger, false, "5000"},
                    {"--restart", "从头开始（不续做上次中断的运行）/ start over", OptionKind::kFlag}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      Scoring::RecomputeOptions o;
      o.kind = ctx.args().Text("--kind");
      o.step = ctx.args().Int("--step");
      o.restart = ctx.args().Flag("--restart");
      auto sum = scoring.Recompute(ctx.principal(), o, &ctx.err());
      if (!sum.ok()) return sum.status();
      const auto& s = sum.value();
      if (ctx.json())
        ctx.out() << json{{"subjects", s.subjects}, {"changed", s.changed}, {"steps", s.steps}, {"resumed", s.resumed},
                          {"as_of", s.as_of}}
                         .dump()
                  << "\n";
      else
        ctx.out() << (s.resumed ? "续做上次中断的重算 / resumed the interrupted run; " : "") << "重算 " << s.subjects
                  << " 个主体，" << s.changed << " 个评分有变化 / recomputed " << s.subjects << " subjects, " << s.changed
                  << " scores changed\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit simulate --model FILE ----
  {
    CommandSpec spec;
    spec.path = {"credit", "simulate"};
    spec.help = "模拟新模型的效果（不做任何更改）/ what a model would change (changes nothing)";
    spec.options = {{"--model", "模型文件 / the model file", OptionKind::kText, true},
                    {"--top", "列出变化最大的主体数 / how many of the largest movers", OptionKind::kInteger, false, "20"}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      const std::int64_t top = ctx.args().Int("--top");
      if (top < 0 || top > 10000) return Usage(ctx, "--top 须在 0 与 10000 之间", "--top must be between 0 and 10000");
      auto body = ReadFile(ctx.args().Text("--model"), 4u << 20);
      if (!body.ok()) return body.status();
      auto sim = scoring.Simulate(body.value(), static_cast<std::size_t>(top));
      if (!sim.ok()) return sim.status();
      const auto& s = sim.value();
      if (ctx.json()) {
        json movers = json::array();
        for (const auto& m : s.movers)
          movers.push_back({{"uscc", m.uscc}, {"grade_now", m.grade_now}, {"grade_then", m.grade_then},
                            {"points_now", m.points_now}, {"points_then", m.points_then}});
        ctx.out() << json{{"model", s.model},       {"version", s.version}, {"current", s.current_model},
                          {"subjects", s.subjects}, {"changed_grade", s.changed_grade}, {"now", s.now},
                          {"then", s.then},         {"movers", movers}}
                         .dump()
                  << "\n";
        return Status::Ok();
      }
      ctx.out() << "模拟 / simulating " << s.model << " " << s.version << "（现用 / now: "
                << (s.current_model.empty() ? "-" : s.current_model) << "），" << s.subjects << " 个主体 / subjects\n";
      ctx.out() << "等级分布 / grades: 现在 / now → 新模型 / then\n";
      for (const auto& [g, n] : s.now) ctx.out() << "  现在 / now\t" << g << "\t" << n << "\n";
      for (const auto& g : s.grades)
        ctx.out() << "  新模型 / then\t" << g.code << " " << g.zh << "\t" << (s.then.count(g.code) ? s.then.at(g.code) : 0)
                  << "\n";
      ctx.out() << "等级改变 / grade changes: " << s.changed_grade << "\n";
      PrintTableHeader(ctx.out(), {"统一社会信用代码/uscc", "现分/now", "新分/then", "现等级/grade now", "新等级/grade then"});
      for (const auto& m : s.movers)
        ctx.out() << m.uscc << "\t" << FormatPoints(m.points_now) << "\t" << FormatPoints(m.points_then) << "\t"
                  << (m.grade_now.empty() ? "-" : m.grade_now) << "\t" << m.grade_then << "\n";
      NoteListed(ctx, s.movers.size(), s.movers.size(), true);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit models list | add FILE | activate NAME VERSION ----
  {
    CommandSpec spec;
    spec.path = {"credit", "models", "list"};
    spec.help = "列出评分模型 / list the scoring models";
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      auto models = ReadValue<std::vector<ModelRow>>(ctx.platform(), [&](Sql& sql) { return scoring.Models(sql); });
      if (!models.ok()) return models.status();
      if (ctx.json()) {
        json a = json::array();
        for (const auto& m : models.value())
          a.push_back({{"name", m.name}, {"version", m.version}, {"purpose", m.purpose}, {"engine", m.engine},
                       {"subject_kinds", m.subject_kinds}, {"state", m.state}, {"digest", m.digest},
                       {"activated_by", m.activated_by}});
        ctx.out() << a.dump() << "\n";
        return Status::Ok();
      }
      PrintTableHeader(ctx.out(), {"名称/name", "版本/version", "用途/purpose", "主体/kinds", "状态/state"});
      for (const auto& m : models.value()) {
        std::string kinds;
        for (const auto& k : m.subject_kinds) kinds += (kinds.empty() ? "" : ",") + k;
        ctx.out() << m.name << "\t" << m.version << "\t" << m.purpose << "\t" << kinds << "\t" << m.state << "\n";
      }
      NoteListed(ctx, models.value().size(), models.value().size(), true);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    spec.path = {"credit", "models", "add"};
    spec.help = "添加评分模型（新版本，未启用）/ add a scoring model (a new version, not active)";
    spec.options = {{"file", "模型文件 / the model file", OptionKind::kText, true}};
    st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      auto body = ReadFile(ctx.args().Text("file"), 4u << 20);
      if (!body.ok()) return body.status();
      auto row = TransactValue<ModelRow>(ctx.platform(), ctx.principal(), [&](UnitOfWork& uow) -> Result<ModelRow> {
        if (auto s = scoring.EnsureModels(uow); !s.ok()) return s;
        return scoring.AddModel(uow, body.value());
      });
      if (!row.ok()) return row.status();
      ctx.out() << (ctx.json() ? json{{"name", row->name}, {"version", row->version}, {"state", row->state}}.dump()
                               : "已添加 / added " + row->name + " " + row->version + " (" + row->state + ")")
                << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
    spec.path = {"credit", "models", "activate"};
    spec.help = "启用评分模型（管理员，记入审计）/ activate a scoring model (admin, audited)";
    spec.options = {{"name", "模型名称 / the model's name", OptionKind::kText, true},
                    {"version", "版本 / the version", OptionKind::kText, true}};
    st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      auto row = TransactValue<ModelRow>(ctx.platform(), ctx.principal(), [&](UnitOfWork& uow) -> Result<ModelRow> {
        if (auto s = scoring.EnsureModels(uow); !s.ok()) return s;
        return scoring.Activate(uow, ctx.args().Text("name"), ctx.args().Text("version"));
      });
      if (!row.ok()) return row.status();
      ctx.out() << (ctx.json() ? json{{"name", row->name}, {"version", row->version}, {"state", row->state}}.dump()
                               : "已启用 / activated " + row->name + " " + row->version +
                                     "（运行 credit recompute 重算 / run credit recompute to rescore）")
                << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit kinds ----
  {
    CommandSpec spec;
    spec.path = {"credit", "kinds"};
    spec.help = "列出信用记录的种类 / list the kinds of credit records";
    spec.needs_database = false;
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      auto kinds = credit->kinds->All();
      if (ctx.json()) {
        json a = json::array();
        for (const auto& k : kinds) {
          json cats = json::object();
          for (const auto& [c, v] : k->categories) cats[c] = {{"zh", v.zh}, {"en", v.en}, {"severity", v.severity}};
          a.push_back({{"code", k->code}, {"zh", k->zh}, {"en", k->en}, {"polarity", k->polarity},
                       {"publicity", k->publicity}, {"requires", k->requires_fields}, {"categories", cats}});
        }
        ctx.out() << a.dump() << "\n";
        return Status::Ok();
      }
      PrintTableHeader(ctx.out(), {"种类/kind", "名称/name", "类别/categories"});
      for (const auto& k : kinds) {
        std::string cats;
        for (const auto& [c, v] : k->categories) cats += (cats.empty() ? "" : ",") + c;
        ctx.out() << k->code << "\t" << k->zh << " / " << k->en << "\t" << cats << "\n";
      }
      NoteListed(ctx, kinds.size(), kinds.size(), true);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit publicity ----
  {
    CommandSpec spec;
    spec.path = {"credit", "publicity"};
    spec.help = "更新记录的公示状态（每日作业的工作）/ bring records in and out of publicity (the daily job's work)";
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      auto n = TransactValue<std::int64_t>(ctx.platform(), ctx.principal(), [&](UnitOfWork& uow) {
        return RefreshPublicity(uow, &scoring, scoring.TodayOf(uow.now_us()));
      });
      if (!n.ok()) return n.status();
      ctx.out() << (ctx.json() ? json{{"changed", n.value()}}.dump()
                               : std::to_string(n.value()) + " 条记录的公示状态改变 / records changed publicity")
                << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit risk classify ----
  {
    CommandSpec spec;
    spec.path = {"credit", "risk", "classify"};
    spec.help = "按风险模型对主体分类（A–D，内部，不公开）/ classify subjects by the risk model (A–D, internal)";
    spec.options = {{"--month", "月份 YYYY-MM（默认本月）/ the month (default this month)", OptionKind::kText},
                    {"--restart", "从头开始 / start over", OptionKind::kFlag}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      std::string month = ctx.args().Text("--month");
      if (month.empty()) month = scoring.TodayOf(ctx.platform().NowMicros()).substr(0, 7);
      Scoring::RecomputeOptions o;
      o.restart = ctx.args().Flag("--restart");
      auto n = scoring.ClassifyRisk(ctx.principal(), month, o, &ctx.err());
      if (!n.ok()) return n.status();
      ctx.out() << (ctx.json() ? json{{"month", month}, {"classified", n.value()}}.dump()
                               : month + "：已分类 " + std::to_string(n.value()) + " 个主体 / classified " +
                                     std::to_string(n.value()) + " subjects")
                << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  // ---- credit grades ----
  {
    CommandSpec spec;
    spec.path = {"credit", "grades"};
    spec.help = "评定中介机构年度等级（A / B / C）/ grade the intermediaries for a year (A / B / C)";
    spec.options = {{"--year", "年份（默认今年）/ the year (default this year)", OptionKind::kInteger, false, "0"},
                    {"--restart", "从头开始 / start over", OptionKind::kFlag}};
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      Scoring scoring = credit->On(ctx.platform());
      (void)scoring;
      std::int64_t year = ctx.args().Int("--year");
      if (year == 0) year = std::stoi(scoring.TodayOf(ctx.platform().NowMicros()).substr(0, 4));
      Scoring::RecomputeOptions o;
      o.restart = ctx.args().Flag("--restart");
      auto n = scoring.GradeIntermediaries(ctx.principal(), static_cast<int>(year), o, &ctx.err());
      if (!n.ok()) return n.status();
      ctx.out() << (ctx.json() ? json{{"year", year}, {"graded", n.value()}}.dump()
                               : std::to_string(year) + "：已评定 " + std::to_string(n.value()) + " 家中介机构 / graded " +
                                     std::to_string(n.value()) + " intermediaries")
                << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace xj::credit
