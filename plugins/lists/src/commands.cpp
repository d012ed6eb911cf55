// The lists commands (docs/lists.md):
//   lists types                       the list types with their rules
//   lists propose --list … --uscc …   a proposal (提出), with its ground, reason and evidence
//   lists review ID --approve|--reject   初审
//   lists decide ID --approve --decision-no …|--reject   审核: in force, or not
//   lists correct ID --confirmed-on D  经营异常名录: the correction confirmed (ends within 5 working days)
//   lists end ID --exit E --note …     an end by hand (repair, objection, revocation, …)
//   lists show ID                      one listing with its history
//   lists list                         listings, filtered
//   lists run [--on D]                 the daily rules (what the job runs)
//   lists annual-reports import FILE   annual reports filed (uscc, year, filed_on)
//   lists annual-reports check YEAR    the 1 July rule for YEAR
//   lists import court FILE            失信被执行人 from the courts' data (uscc, name, type, case_no, court, listed_on, removed_on)
#include <xinjian/command.h>
#include <xinjian/digest.h>
#include <xinjian/directory.h>
#include <xinjian/table_reader.h>
#include <xinjian/uscc.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <set>

#include "lists.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

// GCC 12 reports copies of SqlValue (a std::variant) out of long initializer lists as maybe
// uninitialized: a false positive (GCC bug 105562 and kin).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::lists {

Result<CivilDate> Today(Platform& platform) { return platform.Time().LocalDate(platform.NowMicros()); }

namespace {

using nlohmann::json;

Status Usage(CommandContext& ctx, const std::string& zh, const std::string& en) {
  ctx.SetExitCode(2);
  return Status::Error(StatusCode::kInvalidArgument, zh, en);
}

Result<CivilDate> DateOption(CommandContext& ctx, const std::string& name) {
  if (!ctx.args().Has(name) || ctx.args().Text(name).empty()) return Today(ctx.platform());
  return CivilDate::Parse(ctx.args().Text(name));
}

void PrintListing(CommandContext& ctx, const Listing& l, const ListPolicy* p) {
  if (ctx.json()) {
    ctx.out() << ListingJson(l, p, true) << "\n";
    return;
  }
  ctx.out() << l.id << "\t" << StateName(l.state) << "（" << StateZh(l.state) << "）\t" << l.list << "\t" << l.uscc << "\t"
            << l.subject_name << "\n";
  if (!l.starts_on.empty())
    ctx.out() << "列入 / in force: " << l.starts_on << " — " << (l.expires_on.empty() ? "（无固定期限 / no fixed end）" : l.expires_on)
              << "\t" << l.decision_no << "\n";
  if (!l.ended_on.empty()) ctx.out() << "移出 / ended: " << l.ended_on << "\t" << l.end_reason << "\t" << l.end_note << "\n";
}

Status Mutate(CommandContext& ctx, const std::function<Result<Listing>(UnitOfWork&, Listings&, CivilDate)>& fn,
              const std::string& date_option = "") {
  Platform& platform = ctx.platform();
  Listings listings(platform);
  auto today = date_option.empty() ? Today(platform) : DateOption(ctx, date_option);
  if (!today.ok()) return today.status();
  auto r = TransactValue<Listing>(platform, ctx.principal(),
                                  [&](UnitOfWork& uow) { return fn(uow, listings, today.value()); });
  if (!r.ok()) return r.status();
  PrintListing(ctx, r.value(), listings.Policy(r.value().list));
  return Status::Ok();
}

json PolicyJson(const ListPolicy& p) {
  json g = json::array();
  for (const auto& x : p.grounds) g.push_back({{"code", x.code}, {"zh", x.zh}, {"en", x.en}, {"legal_basis", x.legal_basis}});
  return json{{"code", p.code},
              {"name", {{"zh", p.name_zh}, {"en", p.name_en}}},
              {"kind", ListKindName(p.kind)},
              {"subject_types", p.subject_types},
              {"grounds", g},
              {"legal_basis", p.legal_basis},
              {"authority", {{"zh", p.authority_zh}, {"en", p.authority_en}}},
              {"min_months", p.min_months},
              {"max_months", p.max_months},
              {"validity_by_decision", p.validity_by_decision},
              {"exits", p.exits},
              {"correction_working_days", p.correction_working_days},
              {"repair_after_months", p.repair_after_months},
              {"move_to", p.move_to},
              {"move_after_months", p.move_after_months},
              {"move_notice_days", p.move_notice_days},
              {"public", p.is_public},
              {"ended_public_months", p.ended_public_months},
              {"source", p.source}};
}

}  // namespace

// Reads the CSV `file` (at most 512 MiB) whose header must be `header`, calling `row` with the
// fields of every record of the header's width; `row` rejects a record by returning why ("" to
// keep it). A malformed record or one of another width is one rejected line too (the reader
// moves past it). Returns the rejected lines, "第 N 行 / line N: why", or the error that stops
// the whole file (none such, a bad header, a read error).
Result<std::vector<std::string>> ReadCsvRows(Platform& platform, const std::string& file,
                                             const std::vector<std::string>& header,
                                             const std::function<std::string(const std::vector<std::string>&)>& row) {
  TableReaderOptions o;
  o.max_file_bytes = 512ull << 20;
  auto reader = platform.OpenTable(file, o);
  if (!reader.ok()) return reader.status();
  std::vector<std::string> f;
  auto head = reader.value()->Next(&f);
  if (!head.ok()) return head.status();
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "" : ",") + h;
  if (!head.value() || f != header)
    return Status::Error(StatusCode::kInvalidArgument, "表头须为 " + names, "the header must be " + names);
  std::vector<std::string> rejects;
  while (true) {
    auto more = reader.value()->Next(&f);
    const std::string line = std::to_string(reader.value()->record_line());
    if (!more.ok()) {
      if (more.status().code() != StatusCode::kInvalidArgument) return more.status();
      rejects.push_back("第 " + line + " 行 / line " + line + ": " + more.status().message());
      continue;
    }
    if (!more.value()) break;
    std::string why;
    if (f.size() != header.size())
      why = "须有 " + std::to_string(header.size()) + " 列 / " + std::to_string(header.size()) + " fields expected";
    else
      why = row(f);
    if (!why.empty()) rejects.push_back("第 " + line + " 行 / line " + line + ": " + why);
  }
  return rejects;
}

Status RegisterCommands(Registrar& reg) {
  using K = OptionKind;
  {
    CommandSpec s;
    s.path = {"lists", "types"};
    s.help = "名单类型及其规则 / the list types and their rules";
    s.needs_database = false;
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      Platform& p = ctx.platform();
      json out = json::array();
      if (!ctx.json()) PrintTableHeader(ctx.out(), {"代码/code", "性质/kind", "名称/name", "期限/months", "移出/exits"});
      for (const std::string& code : p.ListPolicyNames()) {
        const ListPolicy* x = p.FindListPolicy(code);
        if (x == nullptr) continue;
        if (ctx.json()) {
          out.push_back(PolicyJson(*x));
          continue;
        }
        std::string exits;
        for (const auto& e : x->exits) exits += (exits.empty() ? "" : ",") + e;
        if (x->max_months > 0) exits = std::string(x->move_to.empty() ? "expired" : "moved→" + x->move_to) + "," + exits;
        ctx.out() << x->code << "\t" << ListKindName(x->kind) << "\t" << x->name_zh << " / " << x->name_en << "\t"
                  << x->min_months << "-" << (x->max_months > 0 ? std::to_string(x->max_months) : "∞") << "\t" << exits << "\n";
      }
      if (ctx.json()) ctx.out() << out.dump(1) << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "propose"};
    s.help = "提出列入（待初审） / propose a listing (for review)";
    s.options = {{"--list", "名单类型代码 / the list type's code", K::kText, true},
                 {"--uscc", "统一社会信用代码 / the subject's USCC", K::kText, true},
                 {"--ground", "列入事由代码 / the ground's code", K::kText, true},
                 {"--reason", "列入理由 / the reason", K::kText, true},
                 {"--evidence", "证据（record:种类/编号、result:检查记录/事项、document:文书） / evidence", K::kTexts},
                 {"--due", "决定期限 YYYY-MM-DD / the decision's deadline", K::kText}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      ProposeInput in;
      in.list = ctx.args().Text("--list");
      in.uscc = ctx.args().Text("--uscc");
      if (auto u = uscc::Check(in.uscc); !u.ok()) return u;
      in.ground = ctx.args().Text("--ground");
      in.reason = ctx.args().Text("--reason");
      in.due_on = ctx.args().Text("--due");
      for (const std::string& e : ctx.args().Texts("--evidence")) {
        auto ev = ParseEvidence(e);
        if (!ev.ok()) return ev.status();
        in.evidence.push_back(ev.value());
      }
      return Mutate(ctx, [&](UnitOfWork& uow, Listings& l, CivilDate today) { return l.Propose(uow, in, today); });
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "review"};
    s.help = "初审：通过或退回 / first review: approve or reject";
    s.options = {{"id", "名单记录编号 / the listing's id", K::kText, true},
                 {"--approve", "通过 / approve", K::kFlag},
                 {"--reject", "不予列入 / reject", K::kFlag},
                 {"--note", "意见（不予列入时必填） / a note (required to reject)", K::kText}};
    s.excludes = {{"--approve", "--reject"}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      if (!ctx.args().Flag("--approve") && !ctx.args().Flag("--reject"))
        return Usage(ctx, "须给出 --approve 或 --reject", "give --approve or --reject");
      const bool approve = ctx.args().Flag("--approve");
      return Mutate(ctx, [&](UnitOfWork& uow, Listings& l, CivilDate today) {
        return l.Review(uow, ctx.args().Text("id"), approve, ctx.args().Text("--note"), today);
      });
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "decide"};
    s.help = "审核决定：列入（生效）或不予列入 / decide: in force, or rejected";
    s.options = {{"id", "名单记录编号 / the listing's id", K::kText, true},
                 {"--approve", "决定列入 / put in force", K::kFlag},
                 {"--reject", "不予列入 / reject", K::kFlag},
                 {"--decision-no", "决定书文号 / the decision's document number", K::kText},
                 {"--starts", "列入日期（默认今天） / the start (default today)", K::kText},
                 {"--ends", "有效期截止（红名单） / the end (red lists)", K::kText},
                 {"--note", "意见 / a note", K::kText}};
    s.excludes = {{"--approve", "--reject"}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      if (!ctx.args().Flag("--approve") && !ctx.args().Flag("--reject"))
        return Usage(ctx, "须给出 --approve 或 --reject", "give --approve or --reject");
      const bool approve = ctx.args().Flag("--approve");
      if (approve && ctx.args().Text("--decision-no").empty())
        return Usage(ctx, "决定列入须给出 --decision-no", "--approve needs --decision-no");
      DecideInput in{ctx.args().Text("--decision-no"), ctx.args().Text("--starts"), ctx.args().Text("--ends")};
      return Mutate(ctx, [&](UnitOfWork& uow, Listings& l, CivilDate today) {
        return l.Decide(uow, ctx.args().Text("id"), approve, in, ctx.args().Text("--note"), today);
      });
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "correct"};
    s.help = "确认已改正（经营异常名录：5 个工作日内移出） / confirm a correction (abnormal operations: ends within 5 working days)";
    s.options = {{"id", "名单记录编号 / the listing's id", K::kText, true},
                 {"--confirmed-on", "确认改正的日期（默认今天） / the date it was confirmed (default today)", K::kText},
                 {"--note", "改正情况 / what was corrected", K::kText, true}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      auto on = DateOption(ctx, "--confirmed-on");
      if (!on.ok()) return on.status();
      return Mutate(ctx, [&](UnitOfWork& uow, Listings& l, CivilDate) {
        return l.ConfirmCorrection(uow, ctx.args().Text("id"), on.value(), ctx.args().Text("--note"));
      });
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "end"};
    s.help = "移出名单（修复、异议、撤销、改正等） / end a listing (repair, objection, revocation, correction…)";
    s.options = {{"id", "名单记录编号 / the listing's id", K::kText, true},
                 {"--exit", "移出方式 / the exit", K::kText, true, "",
                  {kExitRepaired, kExitCorrected, kExitObjection, kExitPenaltyRevoked, kExitRevoked, kExitSourceRemoved,
                   kExitReplaced}},
                 {"--note", "移出理由 / the reason", K::kText, true},
                 {"--on", "移出日期（默认今天） / the date (default today)", K::kText}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      auto on = DateOption(ctx, "--on");
      if (!on.ok()) return on.status();
      return Mutate(ctx, [&](UnitOfWork& uow, Listings& l, CivilDate) {
        return l.End(uow, ctx.args().Text("id"), ctx.args().Text("--exit"), on.value(), ctx.args().Text("--note"));
      });
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "show"};
    s.help = "名单记录及其全过程 / a listing and its history";
    s.options = {{"id", "名单记录编号 / the listing's id", K::kText, true}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      Platform& p = ctx.platform();
      const std::string id = ctx.args().Text("id");
      std::optional<Listing> l;
      std::vector<Listings::Transition> h;
      Status st = p.Read([&](Sql& sql) -> Status {
        auto r = Listings::Load(sql, id);
        if (!r.ok()) return r.status();
        l = r.value();
        auto t = Listings::History(sql, id);
        if (!t.ok()) return t.status();
        h = t.value();
        return Status::Ok();
      });
      if (!st.ok()) return st;
      if (!l) return Status::Error(StatusCode::kNotFound, "没有名单记录 " + id.substr(0, 40), "no listing " + id.substr(0, 40));
      const bool sees = ctx.principal().ActsFor(l->department) || ctx.principal().HasRole(kRoleAuditor);
      if (!sees) return Status::Error(StatusCode::kPermissionDenied, "只有决定部门和审计人员能查看办理过程", "only the deciding department and auditors see the handling");
      if (ctx.json()) {
        json j = json::parse(ListingJson(*l, p.FindListPolicy(l->list), true));
        j["history"] = json::array();
        for (const auto& t : h)
          j["history"].push_back({{"seq", t.seq}, {"on", t.on}, {"actor", t.actor}, {"action", t.action}, {"from", t.from},
                                  {"to", t.to}, {"note", t.note}});
        ctx.out() << j.dump(1) << "\n";
        return Status::Ok();
      }
      PrintListing(ctx, *l, p.FindListPolicy(l->list));
      ctx.out() << "事由 / ground: " << l->ground << "\t" << l->reason << "\n";
      for (const auto& t : h) ctx.out() << "  " << t.on << "\t" << t.action << "\t" << t.actor << "\t" << t.note << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "list"};
    s.help = "名单记录 / listings";
    s.options = {{"--list", "名单类型 / a list type", K::kText},
                 {"--state", "状态 / a state", K::kText, false, "", {"proposed", "reviewed", "in_force", "ended", "rejected"}},
                 {"--uscc", "主体 / a subject", K::kText},
                 {"--limit", "至多显示 / at most", K::kInteger, false, "100"}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      const std::int64_t limit = ctx.args().Int("--limit");
      if (limit < 1 || limit > 100000) return Usage(ctx, "--limit 须为 1 至 100000", "--limit must be 1 to 100000");
      std::string where = " WHERE 1 = 1";
      SqlParams params;
      for (const auto& [opt, col] : {std::pair{"--list", "list"}, {"--state", "state"}, {"--uscc", "uscc"}}) {
        if (ctx.args().Text(opt).empty()) continue;
        where += std::string(" AND ") + col + " = ?";
        params.push_back(ctx.args().Text(opt));
      }
      if (!ctx.principal().ActsForAllDepartments()) {
        where += " AND department = ?";
        params.push_back(ctx.principal().department);
      }
      std::vector<Listing> rows;
      std::int64_t total = 0;
      Status st = ctx.platform().Read([&](Sql& sql) -> Status {
        auto n = sql.QueryInt("SELECT COUNT(*) FROM lists_listings" + where, params);
        if (!n.ok()) return n.status();
        total = n.value();
        SqlParams p2 = params;
        p2.push_back(limit);
        return sql.Query(std::string("SELECT ") + kListingColumns + " FROM lists_listings" + where + " ORDER BY id LIMIT ?", p2,
                         [&](const SqlRow& r) {
                           rows.push_back(ListingOfRow(r));
                           return true;
                         });
      });
      if (!st.ok()) return st;
      if (ctx.json()) {
        json out = json::array();
        for (const auto& l : rows) out.push_back(json::parse(ListingJson(l, ctx.platform().FindListPolicy(l.list), true)));
        ctx.out() << out.dump(1) << "\n";
      } else {
        PrintTableHeader(ctx.out(), {"编号/id", "名单/list", "统一社会信用代码/uscc", "名称/name", "状态/state", "列入/starts", "截止/expires"});
        for (const auto& l : rows)
          ctx.out() << l.id << "\t" << l.list << "\t" << l.uscc << "\t" << l.subject_name << "\t" << StateName(l.state) << "\t"
                    << l.starts_on << "\t" << l.expires_on << "\n";
      }
      NoteListed(ctx, rows.size(), static_cast<std::size_t>(total), !ctx.json());
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "run"};
    s.help = "执行每日规则：期满移出、转入及其提前告知、改正后移出 / the daily rules: expiries, moves and their notices, ends after corrections";
    s.options = {{"--on", "按该日执行（默认今天） / run for this date (default today)", K::kText}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      // The rules touch every department's listings (a move opens a listing for the listing's
      // department): an operator of every department runs them, as the job does.
      if (!ctx.principal().ActsForAllDepartments())
        return Status::Error(StatusCode::kPermissionDenied, "每日规则须由管理员或调度任务执行",
                             "the daily rules are run by an admin or the scheduler's job");
      auto on = DateOption(ctx, "--on");
      if (!on.ok()) return on.status();
      // A run for a day still to come would end listings before their date.
      auto today = Today(ctx.platform());
      if (!today.ok()) return today.status();
      if (on.value() > today.value())
        return Status::Error(StatusCode::kInvalidArgument, "不能按今天（" + today.value().ToString() + "）之后的日期执行规则",
                             "the rules cannot run for a date after today (" + today.value().ToString() + ")");
      Listings listings(ctx.platform());
      auto r = TransactValue<Listings::RuleCounts>(ctx.platform(), ctx.principal(),
                                                   [&](UnitOfWork& uow) { return listings.RunDaily(uow, on.value()); });
      if (!r.ok()) return r.status();
      const auto& c = r.value();
      if (ctx.json())
        ctx.out() << json{{"on", on.value().ToString()}, {"expired", c.expired}, {"moved", c.moved}, {"notices", c.notices},
                          {"corrected", c.corrected}}.dump()
                  << "\n";
      else
        ctx.out() << on.value().ToString() << "：期满移出 " << c.expired << "，转入 " << c.moved << "，转入告知 " << c.notices
                  << "，改正后移出 " << c.corrected << " / expired " << c.expired << ", moved " << c.moved << ", notices "
                  << c.notices << ", ended after correction " << c.corrected << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "annual-reports", "import"};
    s.help = "导入已报送的年度报告（uscc,year,filed_on） / import annual reports filed (uscc,year,filed_on)";
    s.options = {{"file", "CSV 文件 / the CSV file", K::kText, true}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      struct Row {
        std::string uscc, filed;
        int year;
      };
      std::vector<Row> rows;
      auto rejects = ReadCsvRows(ctx.platform(), ctx.args().Text("file"), {"uscc", "year", "filed_on"},
                                 [&](const std::vector<std::string>& f) -> std::string {
                                   if (auto u = uscc::Check(f[0]); !u.ok()) return u.message();
                                   int year = 0;
                                   bool ok = f[1].size() == 4;
                                   for (char c : f[1]) ok = ok && c >= '0' && c <= '9';
                                   if (ok) year = std::stoi(f[1]);
                                   auto filed = CivilDate::Parse(f[2]);
                                   if (!ok || year < 2000 || year > 2100 || !filed.ok() || filed.value().year() <= year)
                                     return "年份或报送日期无效 / bad year or filing date";
                                   rows.push_back({f[0], f[2], year});
                                   return "";
                                 });
      if (!rejects.ok()) return rejects.status();
      Status w = ctx.platform().RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) -> Status {
        for (const Row& r : rows) {
          auto n = uow.sql().Exec(
              "INSERT INTO lists_annual_reports (uscc, year, filed_on, updated_at_us) VALUES (?, ?, ?, ?) ON CONFLICT (uscc, year) "
              "DO UPDATE SET filed_on = excluded.filed_on, updated_at_us = excluded.updated_at_us",
              {r.uscc, r.year, r.filed, uow.now_us()});
          if (!n.ok()) return n.status();
        }
        return uow.Audit({"lists.annual_reports.import", "annual_reports", ctx.args().Text("file").substr(0, 200), "",
                          digest::Sha256Hex(std::to_string(rows.size()))});
      });
      if (!w.ok()) return w;
      for (const auto& r : rejects.value()) ctx.err() << r << "\n";
      if (ctx.json())
        ctx.out() << json{{"imported", rows.size()}, {"rejected", rejects.value().size()}}.dump() << "\n";
      else
        ctx.out() << "导入 " << rows.size() << " 条，拒绝 " << rejects.value().size() << " 条 / imported " << rows.size()
                  << ", rejected " << rejects.value().size() << "\n";
      if (!rejects.value().empty()) ctx.SetExitCode(3);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "annual-reports", "check"};
    s.help = "7 月 1 日规则：对未报送该年度报告的主体提出经营异常名录列入 / the 1 July rule: propose abnormal-operations listings for missing annual reports";
    s.options = {{"year", "年度报告所属年度 / the report year", K::kInteger, true},
                 {"--on", "执行日期（默认今天，须在次年 7 月 1 日或之后） / the date (default today; on or after 1 July of the next year)", K::kText}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      auto on = DateOption(ctx, "--on");
      if (!on.ok()) return on.status();
      const std::int64_t year = ctx.args().Int("year");
      if (year < 2000 || year > 2100) return Usage(ctx, "年度须为 2000 至 2100", "the year must be 2000 to 2100");
      auto now = Today(ctx.platform());
      if (!now.ok()) return now.status();
      if (on.value() > now.value())
        return Status::Error(StatusCode::kInvalidArgument, "日期不能晚于今天（" + now.value().ToString() + "）",
                             "the date cannot be after today (" + now.value().ToString() + ")");
      if (on.value() < CivilDate::FromYmd(static_cast<int>(year) + 1, 7, 1).value())
        return Status::Error(StatusCode::kFailedPrecondition,
                             "报送期（至 " + std::to_string(year + 1) + "-06-30）尚未结束",
                             "the filing window (to " + std::to_string(year + 1) + "-06-30) has not closed");
      Listings listings(ctx.platform());
      auto r = TransactValue<int>(ctx.platform(), ctx.principal(), [&](UnitOfWork& uow) {
        return listings.ProposeMissedAnnualReports(uow, static_cast<int>(year), on.value());
      });
      if (!r.ok()) return r.status();
      if (ctx.json())
        ctx.out() << json{{"year", year}, {"proposed", r.value()}}.dump() << "\n";
      else
        ctx.out() << "提出列入 " << r.value() << " 户 / proposed " << r.value() << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"lists", "import", "court"};
    s.help =
        "导入法院失信被执行人数据（uscc,name,subject_type,case_no,court,listed_on,removed_on） / import the courts' "
        "dishonest judgment debtors";
    s.options = {{"file", "CSV 文件 / the CSV file", K::kText, true}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      auto today = Today(ctx.platform());
      if (!today.ok()) return today.status();
      Listings listings(ctx.platform());
      int listed = 0, removed = 0, unchanged = 0;
      auto rejects =
          ReadCsvRows(ctx.platform(), ctx.args().Text("file"),
                      {"uscc", "name", "subject_type", "case_no", "court", "listed_on", "removed_on"},
                      [&](const std::vector<std::string>& f) -> std::string {
                        const std::string type = f[2];
                        static const std::set<std::string> kTypes{"enterprise", "individual",         "intermediary",
                                                                  "social_org", "public_institution", "natural_person"};
                        if (!kTypes.count(type)) {
                          return std::string(
                              "主体类型须为 enterprise、individual、intermediary、social_org、public_institution 或 "
                              "natural_person / "
                              "subject_type must be enterprise, individual, intermediary, social_org, "
                              "public_institution or natural_person");
                        }
                        // The file's name is checked like every text of a listing, even when the directory's is used.
                        if (auto name = CleanFreeText("名称", "the name", f[1], 200, true); !name.ok()) {
                          return name.status().message();
                        }
                        if (type == "natural_person") {
                          if (f[0].size() != 18) {
                            return std::string("自然人证件号码须为 18 位 / an ID number has 18 characters");
                          }
                        } else if (auto u = uscc::Check(f[0]); !u.ok()) {
                          return u.message();
                        }
                        if (f[3].empty() || f[3].size() > 100 || f[1].empty() || f[4].empty()) {
                          return std::string("缺少名称、案号或法院 / name, case number or court missing");
                        }
                        auto listed_on = CivilDate::Parse(f[5]);
                        if (!listed_on.ok()) {
                          return listed_on.status().message();
                        }
                        Status row = ctx.platform().RunInTransaction(ctx.principal(), [&](UnitOfWork& uow) -> Status {
                          ProposeInput in;
                          in.list = "dishonest_judgment_debtors";
                          in.uscc = f[0];
                          in.subject_name = f[1];
                          in.subject_type = type;
                          in.ground = "court_listed";
                          in.reason = f[4] + "（" + f[3] + "）";
                          in.evidence = {{"document", f[3]}};
                          in.department = ctx.principal().department;
                          in.source = "import";
                          in.source_ref = "court:" + f[3];
                          DecideInput d{f[3], f[5], ""};
                          bool created = false;
                          auto l = listings.Enact(uow, in, d, today.value(), "", &created);
                          if (!l.ok()) return l.status();
                          if (!f[6].empty()) {
                            auto removed_on = CivilDate::Parse(f[6]);
                            if (!removed_on.ok()) return removed_on.status();
                            if (l.value().state == State::kInForce) {
                              auto e = listings.End(uow, l.value().id, kExitSourceRemoved, removed_on.value(),
                                                    "法院已屏蔽或撤销 / removed by the court");
                              if (!e.ok()) return e.status();
                              ++removed;
                              return Status::Ok();
                            }
                            ++unchanged;
                            return Status::Ok();
                          }
                          if (created)
                            ++listed;
                          else
                            ++unchanged;
                          return Status::Ok();
                        });
                        return row.ok() ? std::string() : row.message();
                      });
      if (!rejects.ok()) return rejects.status();
      for (const auto& r : rejects.value()) ctx.err() << r << "\n";
      if (ctx.json())
        ctx.out() << json{{"listed", listed},
                          {"removed", removed},
                          {"unchanged", unchanged},
                          {"rejected", rejects.value().size()}}
                         .dump()
                  << "\n";
      else
        ctx.out() << "列入 " << listed << "，移出 " << removed << "，未变 " << unchanged << "，拒绝 "
                  << rejects.value().size() << " / listed " << listed << ", removed " << removed << ", unchanged "
                  << unchanged << ", rejected " << rejects.value().size() << "\n";
      if (!rejects.value().empty()) ctx.SetExitCode(3);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace xj::lists
