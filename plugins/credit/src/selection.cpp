// 公开比选 (docs/credit.md, "Choosing an intermediary"): for a government-investment project
// below the threshold (plugins.credit.selection_threshold_yuan, 500,000 yuan by default, as in
// Wenzhou), the intermediary is chosen from the pre-selection pool of the service category:
//   - excluded: intermediaries graded C in their latest yearly grade, on the black list, banned
//     (intermediary_black, intermediary_ban, serious_illegal in the directory's listings) or not
//     active;
//   - the rest ranked by efficiency (share of engagements on time), price (share within the
//     declared fee), quality (the average evaluation mark) and integrity (the credit score on
//     100), each 0–100, with the published weights; ties by USCC;
//   - the winner drawn among the best k with the draw's algorithm xj-draw-v1 (the sampler the
//     draw plugin registers): the secret is committed (commitment = hex SHA-256(secret)) when the
//     ranking is published, the entropy is given at the draw, then the secret is revealed; the
//     proof (pool, commitment, secret, entropy, ticket) lets anyone re-run the choice.
#include <xinjian/command.h>
#include <xinjian/digest.h>
#include <xinjian/http.h>
#include <xinjian/sampler.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "credit.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace xj::credit {
namespace {

using nlohmann::json;

Status Bad(const std::string& zh, const std::string& en) { return Status::Error(StatusCode::kInvalidArgument, zh, en); }

std::string Hex(const std::string& bytes) {
  static const char* k = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += k[c >> 4];
    out += k[c & 15];
  }
  return out;
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

struct Weights {
  int efficiency = 25, price = 25, quality = 25, integrity = 25;
};

Result<Weights> ParseWeights(const std::string& text) {
  Weights w;
  int v[4];
  int n = 0;
  std::size_t start = 0;
  while (start <= text.size() && n < 5) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string part = text.substr(start, end - start);
    bool ok = !part.empty() && part.size() <= 3;
    for (char c : part) ok = ok && c >= '0' && c <= '9';
    if (!ok || n == 4)
      return Bad("权重须为四个相加为 100 的非负整数（效率、价格、质量、诚信），如 30,30,20,20",
                 "the weights are four whole numbers adding up to 100 (efficiency, price, quality, integrity), e.g. 30,30,20,20");
    v[n++] = std::stoi(part);
    start = end + 1;
    if (end == text.size()) break;
  }
  if (n != 4 || v[0] + v[1] + v[2] + v[3] != 100)
    return Bad("权重须为四个相加为 100 的非负整数（效率、价格、质量、诚信），如 30,30,20,20",
               "the weights are four whole numbers adding up to 100 (efficiency, price, quality, integrity), e.g. 30,30,20,20");
  w.efficiency = v[0];
  w.price = v[1];
  w.quality = v[2];
  w.integrity = v[3];
  return w;
}

struct Candidate {
  std::string uscc, name;
  double efficiency = 50, price = 50, quality = 0, integrity = 0, score = 0;
  std::string excluded;  // the reason, "" when ranked
};

// The pool of a category with each candidate's components, ranked (best first); the excluded
// ones after, with their reasons.
Result<std::vector<Candidate>> Rank(Sql& sql, const std::string& category, const Weights& w, const std::string& since) {
  std::vector<Candidate> all;
  Status st = sql.Query(
      "SELECT i.uscc, s.name, s.status, s.listings, i.categories FROM credit_intermediaries i JOIN subjects s ON s.uscc = i.uscc "
      "ORDER BY i.uscc",
      {}, [&](const SqlRow& r) {
        bool in = false;
        for (auto c : SplitStoredList(r.View(4))) in = in || c == category;
        if (!in) return true;
        Candidate c;
        c.uscc = r.Text(0);
        c.name = r.Text(1);
        if (r.View(2) != "active") c.excluded = "非存续状态 / not active";
        for (auto l : SplitStoredList(r.View(3)))
          if (l == "intermediary_black" || l == "intermediary_ban" || l == "serious_illegal")
            c.excluded = "列入" + std::string(l) + " / listed: " + std::string(l);
        all.push_back(std::move(c));
        return true;
      });
  if (!st.ok()) return st;
  for (Candidate& c : all) {
    auto grade = sql.QueryText("SELECT grade FROM credit_intermediary_grades WHERE uscc = ? ORDER BY year DESC LIMIT 1", {c.uscc});
    if (!grade.ok()) return grade.status();
    if (grade.value().value_or("") == "C") c.excluded = "最近一年评价为 C 类 / graded C in the latest year";
    int n = 0, on_time_n = 0, on_time = 0, fee_n = 0, fee_ok = 0;
    double marks = 0;
    Status q = sql.Query(
        "SELECT value, attributes FROM credit_records WHERE uscc = ? AND kind = 'intermediary_evaluation' AND "
        "withdrawn_on IS NULL AND occurred_on >= ?",
        {c.uscc, since}, [&](const SqlRow& r) {
          ++n;
          marks += r.Real(0);
          const json a = json::parse(r.View(1), nullptr, false);
          if (a.is_object() && a.contains("on_time")) {
            ++on_time_n;
            on_time += a["on_time"] == "1";
          }
          if (a.is_object() && a.contains("fee_within")) {
            ++fee_n;
            fee_ok += a["fee_within"] == "1";
          }
          return true;
        });
    if (!q.ok()) return q;
    c.quality = n > 0 ? marks / n : 0;
    if (on_time_n > 0) c.efficiency = 100.0 * on_time / on_time_n;
    if (fee_n > 0) c.price = 100.0 * fee_ok / fee_n;
    auto points = sql.QueryText("SELECT points FROM credit_scores WHERE uscc = ?", {c.uscc});
    if (!points.ok()) return points.status();
    c.integrity = points.value() ? std::min(100.0, std::stod(*points.value()) / 1000.0) : 0;  // hundredths of 1000
    c.score = (w.efficiency * c.efficiency + w.price * c.price + w.quality * c.quality + w.integrity * c.integrity) / 100.0;
    // Two decimals, so that the published ranking is the one computed.
    c.score = std::round(c.score * 100) / 100;
  }
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) {
    if (a.excluded.empty() != b.excluded.empty()) return a.excluded.empty();
    if (a.score != b.score) return a.score > b.score;
    return a.uscc < b.uscc;
  });
  return all;
}

json SelectionJson(const SqlRow& r, bool reveal) {
  json j{{"id", r.Text(0)},
         {"project_code", r.Text(1)},
         {"project_name", r.Text(2)},
         {"category", r.Text(3)},
         {"budget_yuan", r.Int(4)},
         {"department", r.Text(5)},
         {"k", r.Int(6)},
         {"weights", json::parse(r.View(7), nullptr, false)},
         {"ranking", json::parse(r.View(8), nullptr, false)},
         {"pool", r.Text(9)},
         {"pool_hash", r.Text(10)},
         {"commitment", r.Text(11)},
         {"algorithm", "xj-draw-v1"},
         {"state", r.Text(13)}};
  if (r.Text(13) == "drawn" || reveal) {
    j["secret"] = r.Text(12);
    j["entropy"] = r.Text(14);
    j["winner"] = r.Text(15);
    j["ticket"] = r.Text(16);
    j["seed"] = r.Text(17);
  }
  return j;
}

constexpr const char* kSelectionColumns =
    "id, project_code, project_name, category, budget_yuan, department, k, weights, ranking, pool, pool_hash, commitment, "
    "secret, state, entropy, winner, ticket, seed";

FrozenPool PoolOf(const std::string& pool_file) {
  FrozenPool p;
  p.labels = {""};
  std::size_t start = 0;
  while (start < pool_file.size()) {
    const std::size_t end = pool_file.find('\n', start);
    p.usccs += pool_file.substr(start, 18);
    p.stratum_index.push_back(0);
    start = end == std::string::npos ? pool_file.size() : end + 1;
  }
  return p;
}

// Runs the sampler on the published inputs: the winner's index and ticket, and the seed.
Result<SampleResult> RunDraw(Platform& platform, const std::string& id, const std::string& secret_hex,
                             const std::string& entropy, const std::string& pool_file, const std::string& pool_hash) {
  const Sampler* sampler = platform.FindSampler("xj-draw-v1");
  if (sampler == nullptr)
    return Status::Error(StatusCode::kFailedPrecondition, "未加载抽样算法 xj-draw-v1（抽取插件）", "the sampler xj-draw-v1 (the draw plugin) is not loaded");
  FrozenPool pool = PoolOf(pool_file);
  SampleRequest req;
  req.task_id = id;
  req.secret = Unhex(secret_hex);
  req.entropy = entropy;
  req.pool_hash = pool_hash;
  req.pool = &pool;
  req.allocation = {{"", 1}};
  return sampler->Sample(req);
}

}  // namespace

Status RegisterSelection(Registrar& reg, Credit* credit) {
  using K = OptionKind;
  (void)credit;
  const std::string threshold_text = reg.Config("selection_threshold_yuan", "500000");
  long long threshold = 0;
  bool threshold_ok = !threshold_text.empty() && threshold_text.size() <= 12;
  for (char c : threshold_text) threshold_ok = threshold_ok && c >= '0' && c <= '9';
  if (threshold_ok) threshold = std::stoll(threshold_text);
  if (!threshold_ok || threshold <= 0)
    return Bad("配置 plugins.credit.selection_threshold_yuan 须为正整数（元）",
               "plugins.credit.selection_threshold_yuan must be a positive whole number of yuan");
  {
    CommandSpec s;
    s.path = {"credit", "selection", "create"};
    s.help = "公开比选：排名并公布承诺值 / choose an intermediary: rank the pool and publish the commitment";
    s.options = {{"--project-code", "项目代码 / the project's code", K::kText, true},
                 {"--project-name", "项目名称 / the project's name", K::kText, true},
                 {"--category", "中介服务类别 / the service category", K::kText, true},
                 {"--budget-yuan", "项目预算（元） / the budget (yuan)", K::kInteger, true},
                 {"--weights", "效率、价格、质量、诚信权重 / weights of efficiency, price, quality, integrity", K::kText, false,
                  "25,25,25,25"},
                 {"--k", "在前 k 名中随机抽取 / draw among the best k", K::kInteger, false, "3"}};
    Status st = reg.AddCommand(s, [threshold](CommandContext& ctx) -> Status {
      const std::int64_t budget = ctx.args().Int("--budget-yuan");
      if (budget <= 0) return Bad("预算须为正数", "the budget must be positive");
      if (budget >= threshold)
        return Status::Error(StatusCode::kFailedPrecondition,
                             "预算 " + std::to_string(budget) + " 元不低于比选限额 " + std::to_string(threshold) + " 元：应依法招标",
                             "a budget of " + std::to_string(budget) + " yuan is not below the threshold of " +
                                 std::to_string(threshold) + " yuan: a public tender applies");
      const std::int64_t k = ctx.args().Int("--k");
      if (k < 1 || k > 20) return Bad("k 须为 1 至 20", "k must be 1 to 20");
      auto w = ParseWeights(ctx.args().Text("--weights"));
      if (!w.ok()) return w.status();
      const std::string code = ctx.args().Text("--project-code"), name = ctx.args().Text("--project-name"),
                        category = ctx.args().Text("--category");
      for (const auto& [v, zh, en] : {std::tuple{code, "项目代码", "the project code"}, {name, "项目名称", "the project name"},
                                      {category, "服务类别", "the category"}}) {
        if (v.empty() || v.size() > 200) return Bad(std::string(zh) + "为空或过长", std::string(en) + " is empty or too long");
        for (unsigned char c : v)
          if (c < 0x20) return Bad(std::string(zh) + "含有控制字符", std::string(en) + " contains control characters");
      }
      if (ctx.principal().department.empty() && !ctx.principal().ActsForAllDepartments())
        return Bad("须指明部门（--department）", "the department is required (--department)");
      Platform& p = ctx.platform();
      auto today = p.Time().LocalDate(p.NowMicros());
      if (!today.ok()) return today.status();
      std::string secret(32, '\0');
      std::random_device rd;
      for (char& c : secret) c = static_cast<char>(rd() & 0xff);
      auto out = TransactValue<json>(p, ctx.principal(), [&](UnitOfWork& uow) -> Result<json> {
        auto dup = uow.sql().QueryInt("SELECT COUNT(*) FROM credit_selections WHERE project_code = ?", {code});
        if (!dup.ok()) return dup.status();
        if (dup.value() > 0)
          return Status::Error(StatusCode::kAlreadyExists, "项目 " + code + " 已有比选", "project " + code + " has a selection already");
        auto ranked = Rank(uow.sql(), category, w.value(), (today.value() - 3 * 365).ToString());
        if (!ranked.ok()) return ranked.status();
        json ranking = json::array();
        std::vector<std::string> best;
        int rank = 0;
        for (const Candidate& c : ranked.value()) {
          json e{{"uscc", c.uscc}, {"name", c.name}, {"efficiency", c.efficiency}, {"price", c.price}, {"quality", c.quality},
                 {"integrity", c.integrity}, {"score", c.score}};
          if (c.excluded.empty()) {
            e["rank"] = ++rank;
            if (static_cast<std::int64_t>(best.size()) < k) best.push_back(c.uscc);
          } else {
            e["excluded"] = c.excluded;
          }
          ranking.push_back(e);
        }
        if (best.empty())
          return Status::Error(StatusCode::kFailedPrecondition, "类别 “" + category + "” 的备选库没有可参加比选的中介机构",
                               "the pre-selection pool of '" + category + "' has no eligible intermediary");
        std::sort(best.begin(), best.end());
        std::string pool;
        for (const auto& u : best) pool += u + "\t\n";
        const std::string pool_hash = digest::Sha256Hex(pool);
        // The numbering: SEL-YYYY-NNNNNN.
        auto n = uow.sql().QueryInt("SELECT COUNT(*) FROM credit_selections WHERE id LIKE ?",
                                    {"SEL-" + std::to_string(today.value().year()) + "-%"});
        if (!n.ok()) return n.status();
        char id[40];
        std::snprintf(id, sizeof id, "SEL-%04d-%06lld", today.value().year(), static_cast<long long>(n.value() + 1));
        const json weights{{"efficiency", w.value().efficiency}, {"price", w.value().price}, {"quality", w.value().quality},
                           {"integrity", w.value().integrity}};
        const std::string commitment = digest::Sha256Hex(secret);
        auto ins = uow.sql().Exec(std::string("INSERT INTO credit_selections (") + kSelectionColumns +
                                      ", created_by, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'announced', '', "
                                      "'', '', '', ?, ?)",
                                  {std::string(id), code, name, category, budget,
                                   ctx.principal().department.empty() ? std::string("*") : ctx.principal().department, k,
                                   weights.dump(), ranking.dump(), pool, pool_hash, commitment, Hex(secret),
                                   uow.principal().id, uow.now_us()});
        if (!ins.ok()) return ins.status();
        if (auto a = uow.Audit({"credit.selection.announce", "selection", id, "", digest::Sha256Hex(ranking.dump() + commitment)}); !a.ok())
          return a;
        if (auto e = uow.Publish("credit.selection.announced", id, json{{"id", id}, {"project_code", code}, {"commitment", commitment}}.dump());
            !e.ok())
          return e;
        return json{{"id", id}, {"pool_hash", pool_hash}, {"commitment", commitment}, {"pool", best}, {"ranking", ranking}};
      });
      if (!out.ok()) return out.status();
      if (ctx.json()) {
        ctx.out() << out.value().dump() << "\n";
      } else {
        ctx.out() << out.value()["id"].get<std::string>() << "\t承诺值 / commitment " << out.value()["commitment"].get<std::string>()
                  << "\n";
        for (const auto& e : out.value()["ranking"])
          ctx.out() << (e.contains("rank") ? std::to_string(e["rank"].get<int>()) : std::string("-")) << "\t"
                    << e["uscc"].get<std::string>() << "\t" << e["name"].get<std::string>() << "\t" << e["score"].get<double>()
                    << (e.contains("excluded") ? "\t" + e["excluded"].get<std::string>() : std::string()) << "\n";
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"credit", "selection", "draw"};
    s.help = "公开比选：给出公开随机数，抽取并公开秘密值 / draw: the public entropy, the winner, the secret revealed";
    s.options = {{"id", "比选编号 / the selection's id", K::kText, true},
                 {"--entropy", "公开随机数（如当日彩票开奖号码） / the public entropy (e.g. a lottery result)", K::kText, true}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      const std::string id = ctx.args().Text("id"), entropy = ctx.args().Text("--entropy");
      if (entropy.size() > 200) return Bad("公开随机数过长", "the entropy is too long");
      Platform& p = ctx.platform();
      auto out = TransactValue<json>(p, ctx.principal(), [&](UnitOfWork& uow) -> Result<json> {
        std::optional<json> row;
        std::string secret, pool, pool_hash, state, department;
        Status q = uow.sql().Query(std::string("SELECT ") + kSelectionColumns + " FROM credit_selections WHERE id = ?", {id},
                                   [&](const SqlRow& r) {
                                     secret = r.Text(12);
                                     pool = r.Text(9);
                                     pool_hash = r.Text(10);
                                     state = r.Text(13);
                                     department = r.Text(5);
                                     row = json();
                                     return false;
                                   });
        if (!q.ok()) return q;
        if (!row) return Status::Error(StatusCode::kNotFound, "没有比选 " + id.substr(0, 40), "no selection " + id.substr(0, 40));
        if (state != "announced")
          return Status::Error(StatusCode::kFailedPrecondition, "比选 " + id + " 已抽取", "selection " + id + " was drawn already");
        if (department != "*" && !uow.principal().ActsFor(department))
          return Status::Error(StatusCode::kPermissionDenied, "只有部门 " + department + " 能抽取", "only department " + department + " draws");
        auto drawn = RunDraw(p, id, secret, entropy, pool, pool_hash);
        if (!drawn.ok()) return drawn.status();
        const SampledMember& m = drawn.value().members.front();
        const std::string winner(FrozenPool(PoolOf(pool)).uscc(m.index));
        std::string seed_hex;
        for (std::uint8_t b : drawn.value().seed) seed_hex += Hex(std::string(1, static_cast<char>(b)));
        auto n = uow.sql().Exec(
            "UPDATE credit_selections SET state = 'drawn', entropy = ?, winner = ?, ticket = ?, seed = ?, drawn_at_us = ? WHERE id = ?",
            {entropy, winner, m.ticket, seed_hex, uow.now_us(), id});
        if (!n.ok()) return n.status();
        if (auto a = uow.Audit({"credit.selection.draw", "selection", id, "", digest::Sha256Hex(winner + m.ticket)}); !a.ok()) return a;
        if (auto e = uow.Publish("credit.selection.drawn", id, json{{"id", id}, {"winner", winner}}.dump()); !e.ok()) return e;
        return json{{"id", id}, {"winner", winner}, {"ticket", m.ticket}, {"secret", secret}, {"entropy", entropy}};
      });
      if (!out.ok()) return out.status();
      if (ctx.json())
        ctx.out() << out.value().dump() << "\n";
      else
        ctx.out() << "中选 / chosen: " << out.value()["winner"].get<std::string>() << "\t秘密值 / secret "
                  << out.value()["secret"].get<std::string>() << "\n";
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec s;
    s.path = {"credit", "selection", "verify"};
    s.help = "复核公开比选：承诺值与秘密值相符，重算抽取结果 / verify a selection: the commitment, and the choice re-run";
    s.options = {{"id", "比选编号 / the selection's id", K::kText, true}};
    Status st = reg.AddCommand(s, [](CommandContext& ctx) -> Status {
      const std::string id = ctx.args().Text("id");
      Platform& p = ctx.platform();
      std::optional<json> sel;
      Status q = p.Read([&](Sql& sql) {
        return sql.Query(std::string("SELECT ") + kSelectionColumns + " FROM credit_selections WHERE id = ?", {id},
                         [&](const SqlRow& r) {
                           sel = SelectionJson(r, false);
                           return false;
                         });
      });
      if (!q.ok()) return q;
      if (!sel) return Status::Error(StatusCode::kNotFound, "没有比选 " + id.substr(0, 40), "no selection " + id.substr(0, 40));
      if ((*sel)["state"] != "drawn")
        return Status::Error(StatusCode::kFailedPrecondition, "比选 " + id + " 尚未抽取", "selection " + id + " is not drawn yet");
      std::vector<std::string> problems;
      const std::string secret = (*sel)["secret"], pool = (*sel)["pool"];
      if (digest::Sha256Hex(Unhex(secret)) != (*sel)["commitment"]) problems.push_back("承诺值不符 / the commitment does not match");
      if (digest::Sha256Hex(pool) != (*sel)["pool_hash"]) problems.push_back("备选池摘要不符 / the pool hash does not match");
      auto drawn = RunDraw(p, id, secret, (*sel)["entropy"], pool, (*sel)["pool_hash"]);
      if (!drawn.ok()) return drawn.status();
      const std::string winner(PoolOf(pool).uscc(drawn.value().members.front().index));
      if (winner != (*sel)["winner"]) problems.push_back("重算的中选者不同 / the re-run chooses another");
      if (problems.empty()) {
        ctx.out() << (ctx.json() ? json{{"verified", true}, {"winner", winner}}.dump() : "已验证 / verified: " + winner) << "\n";
        return Status::Ok();
      }
      for (const auto& pr : problems) ctx.out() << pr << "\n";
      ctx.SetExitCode(3);
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  RouteSpec s{HttpMethod::kGet, "/api/v1/selections/{id}", RouteAccess::kPublic, {},
              "公开比选及其证明 / an intermediary selection and its proof"};
  return reg.AddRoute(s, [](HttpContext& http) -> Status {
    const std::string id = http.request().path_params.at("id");
    std::optional<json> sel;
    Status q = http.platform().Read([&](Sql& sql) {
      return sql.Query(std::string("SELECT ") + kSelectionColumns + " FROM credit_selections WHERE id = ?", {id},
                       [&](const SqlRow& r) {
                         sel = SelectionJson(r, false);
                         return false;
                       });
    });
    if (!q.ok()) return q;
    if (!sel) return Status::Error(StatusCode::kNotFound, "没有比选 " + id.substr(0, 40), "no selection " + id.substr(0, 40));
    http.response().body = sel->dump();
    return Status::Ok();
  });
}

}  // namespace xj::credit
