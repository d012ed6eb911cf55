// xinjian bench credit (docs/credit.md, "Speed"): a full recompute of every score with its
// breakdown stored, beside a same-run peer that computes the same scores as one SQL statement
// per indicator (as the studied Oracle-procedure systems do) and writes them; then how soon a
// single new record shows in its subject's score.
//
// Setup (reused when the folder already holds it), by running `xinjian` itself per backend:
// `init`, one department, N generated subjects (sorted by USCC) imported with `xinjian import`,
// then `bench credit-fill`: M generated records (kinds, categories and dates drawn from a fixed
// seed, each completed by the record rules: severity, publicity) copied into credit_records in
// units of 100,000 rows, and the bench model activated: the shipped enterprise-default model
// applied to every subject kind ("bench-all"), so that the peer needs one model. The measured
// run, `bench credit-run`, is a process of its own with the clock fixed (--now), so every run
// scores the same:
//   ours: the scores and their history emptied, then `credit recompute` (steps of 5,000
//     subjects: one range read of the records, the engine, a bulk write of the changed scores
//     with their breakdowns and a history row each), timed;
//   the peer: one INSERT … SELECT … GROUP BY per indicator over credit_records (points by
//     category or severity, decay by age, the indicator's bounds), one per dimension bound,
//     the total with its bounds and the grade bands, one UPDATE per veto, into a table of
//     its own, in one transaction, timed;
//   both compared subject by subject (points and grade; the run fails on a difference);
//   then --latency-samples single records, each written with its subject's rescoring in one
//   unit of work as the import and the service write them: the time until the commit, after
//   which the score (read back and checked) names the record; p50 and p99. The sample
//   records are withdrawn at the end, so the next run starts from the same data.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "credit.h"
#include "engine.h"
#include "models_data.h"
#include "xinjian/bench.h"
#include "xinjian/command.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace xj::credit {
namespace {

using nlohmann::json;

constexpr const char* kBenchNow = "2026-06-15T10:00:00";
constexpr const char* kBenchToday = "2026-06-15";

Status Failed(const std::string& what) {
  return Status::Error(StatusCode::kInternal, "基准测试失败：" + what, "the benchmark failed: " + what);
}

// The bench model: enterprise-default for every subject kind.
std::string BenchModel() {
  json m = json::parse(kModelEnterprise);
  m["name"] = "bench-all";
  m["version"] = "bench.1";
  m["subject_kinds"] = {"enterprise", "individual", "intermediary", "social_org", "public_institution"};
  return m.dump();
}

// ---- The peer: the same scores in SQL, one statement per indicator. --------------------------

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? "''" : std::string(1, c);
  return out + "'";
}

std::string InList(const json& a) {
  std::string s;
  for (const auto& v : a) s += (s.empty() ? "" : ", ") + Quote(v.get<std::string>());
  return "(" + s + ")";
}

std::int64_t H(const json& v) { return static_cast<std::int64_t>(std::llround(v.get<double>() * 100)); }

struct PeerSql {
  bool pg = false;
  std::string as_of;
  std::string Age() const {
    return pg ? "(DATE " + Quote(as_of) + " - CAST(occurred_on AS DATE))"
              : "CAST(julianday(" + Quote(as_of) + ") - julianday(occurred_on) AS INTEGER)";
  }
  std::string Max(const std::string& a, const std::string& b) const {
    return (pg ? "GREATEST(" : "MAX(") + a + ", " + b + ")";
  }
  std::string Min(const std::string& a, const std::string& b) const { return (pg ? "LEAST(" : "MIN(") + a + ", " + b + ")"; }
  // The WHERE terms of a filter (what the engine's Filter::Matches says), or an error for a part
  // the peer does not write.
  Result<std::string> Where(const json& f) const {
    std::string w = "withdrawn_on IS NULL AND occurred_on <= " + Quote(as_of);
    if (f.contains("kind")) w += " AND kind IN " + InList(f["kind"]);
    if (f.contains("severity")) w += " AND severity IN " + InList(f["severity"]);
    if (f.contains("category")) w += " AND category IN " + InList(f["category"]);
    if (f.contains("in_publicity"))
      w += f["in_publicity"].get<bool>() ? " AND public_until IS NOT NULL AND public_until >= " + Quote(as_of)
                                         : " AND (public_until IS NULL OR public_until < " + Quote(as_of) + ")";
    if (f.contains("within_days")) w += " AND " + Age() + " <= " + std::to_string(f["within_days"].get<int>());
    if (f.contains("attributes")) {
      for (auto it = f["attributes"].begin(); it != f["attributes"].end(); ++it) {
        if (it.key() != "heavy") return Failed("the peer writes no attribute filter but heavy");
        w += " AND heavy = " + std::string(it.value() == "1" ? "1" : "0");
      }
    }
    return w;
  }
};

// The statements of the peer for `model` (purpose credit, engine xj-points-v1).
Result<std::vector<std::string>> PeerStatements(const json& model, bool pg, const std::string& as_of) {
  PeerSql q{pg, as_of};
  std::vector<std::string> out = {"DELETE FROM credit_bench_peer_lines", "DELETE FROM credit_bench_peer"};
  for (const json& d : model["dimensions"]) {
    for (const json& in : d["indicators"]) {
      if (in.value("aggregate", std::string("count")) != "count" || in.contains("when_none"))
        return Failed("the peer writes count indicators only");
      auto where = q.Where(in["filter"]);
      if (!where.ok()) return where.status();
      std::string points = "CASE";
      if (in.contains("by_category"))
        for (auto it = in["by_category"].begin(); it != in["by_category"].end(); ++it)
          points += " WHEN category = " + Quote(it.key()) + " THEN " + std::to_string(H(it.value()));
      if (in.contains("by_severity"))
        for (auto it = in["by_severity"].begin(); it != in["by_severity"].end(); ++it)
          points += " WHEN severity = " + Quote(it.key()) + " THEN " + std::to_string(H(it.value()));
      const std::string plain = std::to_string(in.contains("points") ? H(in["points"]) : 0);
      points = points == "CASE" ? plain : points + " ELSE " + plain + " END";
      std::string decay = "100";
      if (in.contains("decay")) {
        decay = "CASE";
        for (const json& s : in["decay"])
          decay += s.contains("within_days")
                       ? " WHEN " + q.Age() + " <= " + std::to_string(s["within_days"].get<int>()) + " THEN " +
                             std::to_string(s["percent"].get<int>())
                       : " ELSE " + std::to_string(s["percent"].get<int>());
        if (decay.find(" ELSE ") == std::string::npos) decay += " ELSE 100";
        decay += " END";
      }
      std::string sum = "SUM(((" + points + ") * (" + decay + ")) / 100)";
      if (in.contains("min")) sum = q.Max(sum, std::to_string(H(in["min"])));
      if (in.contains("max")) sum = q.Min(sum, std::to_string(H(in["max"])));
      out.push_back("INSERT INTO credit_bench_peer_lines (uscc, dimension, points) SELECT uscc, " +
                    Quote(d["id"].get<std::string>()) + ", " + sum + " FROM credit_records WHERE " + where.value() +
                    " GROUP BY uscc");
    }
  }
  // Dimensions with their bounds, the total with the model's.
  std::string dim = "CASE";
  for (const json& d : model["dimensions"]) {
    std::string v = "SUM(points)";
    if (d.contains("min")) v = q.Max(v, std::to_string(H(d["min"])));
    if (d.contains("max")) v = q.Min(v, std::to_string(H(d["max"])));
    dim += " WHEN dimension = " + Quote(d["id"].get<std::string>()) + " THEN " + v;
  }
  dim += " END";
  const std::string base = std::to_string(H(model["base"])), lo = std::to_string(model.contains("min") ? H(model["min"]) : 0),
                    hi = std::to_string(H(model["max"]));
  std::string grade = "CASE";
  for (const json& g : model["grades"])
    grade += " WHEN points >= " + std::to_string(H(g["min"])) + " THEN " + Quote(g["code"].get<std::string>());
  grade += " END";
  out.push_back("INSERT INTO credit_bench_peer (uscc, points, grade) SELECT s.uscc, " +
                q.Min(q.Max(base + " + COALESCE(t.total, 0)", lo), hi) +
                ", '' FROM subjects s LEFT JOIN (SELECT uscc, SUM(dim_points) AS total FROM (SELECT uscc, " + dim +
                " AS dim_points FROM credit_bench_peer_lines GROUP BY uscc, dimension) x GROUP BY uscc) t ON t.uscc = s.uscc");
  out.push_back("UPDATE credit_bench_peer SET grade = " + grade);
  const std::string lowest = model["grades"].back()["code"].get<std::string>();
  for (const json& v : model.value("vetoes", json::array())) {
    if (!v.contains("filter")) continue;  // a listing: the bench has none
    auto where = q.Where(v["filter"]);
    if (!where.ok()) return where.status();
    out.push_back("UPDATE credit_bench_peer SET grade = " + Quote(lowest) +
                  " WHERE uscc IN (SELECT uscc FROM credit_records WHERE " + where.value() + ")");
  }
  return out;
}

// ---- Fill. -----------------------------------------------------------------------------------

Status Fill(Credit* c, CommandContext& ctx, std::int64_t records, std::int64_t seed) {
  Platform& platform = ctx.platform();
  Scoring scoring = c->On(platform);
  auto rules = c->Rules();
  if (!rules.ok()) return rules.status();
  auto have = ReadValue<std::int64_t>(platform, [](Sql& sql) { return sql.QueryInt("SELECT COUNT(*) FROM credit_records"); });
  if (!have.ok()) return have.status();
  const Principal who = Principal::System("bench");
  if (have.value() != records) {
    std::vector<std::string> usccs;
    Status st = platform.Read([&](Sql& sql) {
      return sql.Query("SELECT uscc FROM subjects ORDER BY uscc", {}, [&](const SqlRow& r) {
        usccs.push_back(r.Text(0));
        return true;
      });
    });
    if (!st.ok()) return st;
    if (usccs.empty()) return Failed("no subjects");
    st = platform.RunInTransaction(who, [](UnitOfWork& uow) -> Status {
      for (const char* t : {"credit_records", "credit_scores", "credit_score_history"}) {
        auto n = uow.sql().Exec(std::string("DELETE FROM ") + t);
        if (!n.ok()) return n.status();
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
    struct KindMix {
      const char* kind;
      int weight;
      std::vector<const char*> categories;
    };
    const std::vector<KindMix> mix = {
        {"penalty", 30, {"warning", "fine", "fine", "fine", "confiscation", "suspension", "license_revoked"}},
        {"inspection_finding", 30, {"no_problem", "no_problem", "no_problem", "corrected", "unreachable", "false_information"}},
        {"annual_report", 20, {"filed", "filed", "filed", "late", "missed"}},
        {"commitment", 8, {"made", "kept", "kept", "breached"}},
        {"honour", 5, {"county", "city", "province", "national"}},
        {"complaint", 6, {"upheld"}},
        {"court_dishonest", 1, {"listed"}}};
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed));
    const CivilDate today = CivilDate::Parse(kBenchToday).value();
    std::int64_t written = 0;
    const auto t0 = std::chrono::steady_clock::now();
    while (written < records) {
      const std::int64_t n = std::min<std::int64_t>(100000, records - written);
      st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
        auto w = uow.sql().BulkInsert(
            "credit_records", {"kind", "ref", "uscc", "category", "severity", "occurred_on", "public_from", "public_until",
                               "is_public", "value", "heavy", "authority", "basis", "title", "attributes", "withdrawn_on",
                               "withdrawn_reason", "source", "digest", "created_at_us", "updated_at_us"});
        if (!w.ok()) return w.status();
        for (std::int64_t i = 0; i < n; ++i) {
          int pick = static_cast<int>(rng() % 100);
          const KindMix* k = &mix.back();
          for (const auto& m : mix) {
            if (pick < m.weight) {
              k = &m;
              break;
            }
            pick -= m.weight;
          }
          RecordInput in;
          in.uscc = usccs[rng() % usccs.size()];
          in.kind = k->kind;
          in.ref = "BENCH-" + std::to_string(written + i);
          in.category = k->categories[rng() % k->categories.size()];
          in.occurred_on = CivilDate::FromDays(today.days() - static_cast<std::int32_t>(rng() % 1460)).ToString();
          in.authority = "基准测试局";
          in.basis = "基准测试依据";
          if (in.kind == "penalty") in.value = std::to_string(rng() % 3 ? 2000 + rng() % 8000 : 20000 + rng() % 200000);
          if (in.kind == "penalty" && rng() % 20 == 0) in.heavy = "1";
          auto r = NormaliseRecord(*c->kinds, rules.value(), in);
          if (!r.ok()) return r.status();
          const CreditRecord& rec = r.value();
          if (auto s = w.value()->Add({rec.kind, rec.ref, rec.uscc, rec.category, rec.severity, rec.occurred_on,
                                       Nullable(rec.public_from), Nullable(rec.public_until), rec.PublicOn(kBenchToday) ? 1 : 0,
                                       rec.value, rec.heavy ? 1 : 0, rec.authority, rec.basis, rec.title, "{}", SqlValue(),
                                       SqlValue(), "bench", rec.Digest(), uow.now_us(), uow.now_us()});
              !s.ok())
            return s;
        }
        return w.value()->Finish();
      });
      if (!st.ok()) return st;
      written += n;
      ctx.err() << "\r记录 / records " << written << " / " << records << " (" << static_cast<int>(bench::SecondsSince(t0))
                << " s)" << std::flush;
    }
    ctx.err() << "\n";
  }
  // The bench model, active for every kind.
  return platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    if (auto s = scoring.EnsureModels(uow); !s.ok()) return s;
    auto added = scoring.AddModel(uow, BenchModel());
    if (!added.ok()) return added.status();
    return scoring.Activate(uow, "bench-all", "bench.1").status();
  });
}

// ---- The measured run. -----------------------------------------------------------------------

Status Run(Credit* c, CommandContext& ctx, std::int64_t samples) {
  Platform& platform = ctx.platform();
  Scoring scoring = c->On(platform);
  std::ostream& out = ctx.out();
  auto dialect = platform.Dialect();
  if (!dialect.ok()) return dialect.status();
  const bool pg = dialect.value() == SqlDialect::kPostgresql;
  const std::string backend = pg ? "PostgreSQL" : "SQLite";
  const Principal who = Principal::System("bench");
  auto counts = ReadValue<std::pair<std::int64_t, std::int64_t>>(platform, [](Sql& sql) -> Result<std::pair<std::int64_t, std::int64_t>> {
    auto s = sql.QueryInt("SELECT COUNT(*) FROM subjects");
    if (!s.ok()) return s.status();
    auto r = sql.QueryInt("SELECT COUNT(*) FROM credit_records");
    if (!r.ok()) return r.status();
    return std::make_pair(s.value(), r.value());
  });
  if (!counts.ok()) return counts.status();
  const std::string today = scoring.TodayOf(platform.NowMicros());
  // Ours.
  Status st = platform.RunInTransaction(who, [](UnitOfWork& uow) -> Status {
    for (const char* t : {"DELETE FROM credit_scores", "DELETE FROM credit_score_history", "DELETE FROM credit_runs"}) {
      auto n = uow.sql().Exec(t);
      if (!n.ok()) return n.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  auto t0 = std::chrono::steady_clock::now();
  Scoring::RecomputeOptions o;
  o.restart = true;
  auto ours = scoring.Recompute(who, o, &ctx.err());
  if (!ours.ok()) return ours.status();
  const double ours_s = bench::SecondsSince(t0);
  // The peer.
  const json model = json::parse(BenchModel());
  auto stmts = PeerStatements(model, pg, today);
  if (!stmts.ok()) return stmts.status();
  st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    for (const char* ddl : {"DROP TABLE IF EXISTS credit_bench_peer_lines", "DROP TABLE IF EXISTS credit_bench_peer",
                            "CREATE TABLE IF NOT EXISTS credit_bench_peer_lines (uscc TEXT NOT NULL, dimension TEXT NOT NULL, "
                            "points BIGINT NOT NULL)",
                            "CREATE TABLE IF NOT EXISTS credit_bench_peer (uscc TEXT PRIMARY KEY, points BIGINT NOT NULL, "
                            "grade TEXT NOT NULL)"}) {
      auto n = uow.sql().Exec(ddl);
      if (!n.ok()) return n.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  t0 = std::chrono::steady_clock::now();
  st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    for (const std::string& s : stmts.value()) {
      auto n = uow.sql().Exec(s);
      if (!n.ok()) return n.status();
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  const double peer_s = bench::SecondsSince(t0);
  // The same scores?
  auto diff = ReadValue<std::int64_t>(platform, [](Sql& sql) {
    return sql.QueryInt(
        "SELECT COUNT(*) FROM credit_bench_peer p LEFT JOIN credit_scores s ON s.uscc = p.uscc "
        "WHERE s.uscc IS NULL OR s.points <> p.points OR s.grade <> p.grade");
  });
  if (!diff.ok()) return diff.status();
  // A new record, visible in its subject's score.
  std::vector<std::string> usccs;
  st = platform.Read([&](Sql& sql) {
    return sql.Query("SELECT uscc FROM subjects ORDER BY uscc", {}, [&](const SqlRow& r) {
      usccs.push_back(r.Text(0));
      return true;
    });
  });
  if (!st.ok()) return st;
  auto rules = c->Rules();
  if (!rules.ok()) return rules.status();
  std::mt19937_64 rng(4242);
  std::vector<double> ms;
  std::vector<CreditRecord> written;
  for (std::int64_t i = 0; i < samples; ++i) {
    RecordInput in;
    in.uscc = usccs[rng() % usccs.size()];
    in.kind = "penalty";
    in.ref = "BENCH-LATENCY-" + std::to_string(i);
    in.category = "fine";
    in.occurred_on = today;
    in.value = "5000";
    in.authority = "基准测试局";
    in.basis = "基准测试依据";
    auto r = NormaliseRecord(*c->kinds, rules.value(), in);
    if (!r.ok()) return r.status();
    CreditRecord rec = std::move(r).value();
    rec.source = "bench";
    const auto t = std::chrono::steady_clock::now();
    st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
      UpsertCounts cnt;
      std::set<std::string> touched;
      if (auto s = UpsertRecords(uow, {rec}, today, &cnt, &touched); !s.ok()) return s;
      return scoring.Rescore(uow, touched).status();
    });
    if (!st.ok()) return st;
    ms.push_back(bench::SecondsSince(t) * 1000);
    auto seen = ReadValue<std::optional<StoredScore>>(platform, [&](Sql& sql) { return scoring.Stored(sql, rec.uscc); });
    if (!seen.ok()) return seen.status();
    if (!seen.value() || seen.value()->breakdown.dump().find(rec.Id()) == std::string::npos)
      return Failed("the new record " + rec.Id() + " is not in its subject's score");
    written.push_back(rec);
  }
  // The samples withdrawn, their subjects rescored: the next run starts from the same data.
  st = platform.RunInTransaction(who, [&](UnitOfWork& uow) -> Status {
    std::set<std::string> touched;
    for (const auto& r : written) {
      auto n = uow.sql().Exec("DELETE FROM credit_records WHERE kind = ? AND ref = ?", {r.kind, r.ref});
      if (!n.ok()) return n.status();
      touched.insert(r.uscc);
    }
    return scoring.Rescore(uow, touched).status();
  });
  if (!st.ok()) return st;
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  char line[512];
  out << "\n| " << backend << " | subjects | records | seconds | ratio to peer |\n|---|---:|---:|---:|---:|\n";
  std::snprintf(line, sizeof line, "| ours: recompute, breakdowns and history stored | %lld | %lld | %.2f | %.2f |\n",
                static_cast<long long>(counts->first), static_cast<long long>(counts->second), ours_s, ours_s / peer_s);
  out << line;
  std::snprintf(line, sizeof line, "|   ours, of which: reading the records %.2f, the engine %.2f, writing (with the commits) %.2f | | | | |\n",
                ours.value().load_s, ours.value().score_s, ours.value().write_s);
  out << line;
  std::snprintf(line, sizeof line, "| peer: one SQL statement per indicator (%zu statements), scores only | %lld | %lld | %.2f | 1.00 |\n",
                stmts.value().size(), static_cast<long long>(counts->first), static_cast<long long>(counts->second), peer_s);
  out << line;
  std::snprintf(line, sizeof line,
                "subjects whose points or grade differ between ours and the peer: %lld\n"
                "a new record visible in its subject's score (%lld samples): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                static_cast<long long>(diff.value()), static_cast<long long>(samples), pct(0.50), pct(0.99),
                ms.empty() ? 0.0 : ms.back());
  out << line << std::flush;
  if (diff.value() != 0) return Failed(std::to_string(diff.value()) + " subjects differ from the peer");
  return Status::Ok();
}

}  // namespace

Status RegisterBench(Registrar& reg, Credit* credit) {
  {
    CommandSpec spec;
    spec.path = {"bench", "credit"};
    spec.help = "全量重算信用评分 vs 逐指标 SQL；新记录生效的延迟 / a full recompute vs SQL per indicator; new-record latency";
    spec.options = {{"--subjects", "主体数 / subjects", OptionKind::kInteger, false, "1000000"},
                    {"--records", "信用记录数 / credit records", OptionKind::kInteger, false, "5000000"},
                    {"--seed", "随机种子 / seed", OptionKind::kInteger, false, "15"},
                    {"--dir", "工作目录，数据在其中复用 / work folder; its data is reused", OptionKind::kText, false,
                     "bench-credit"},
                    {"--pg", "同时测 PostgreSQL（创建数据库 xj_bench_credit）/ also on this PostgreSQL server (env XINJIAN_BENCH_PG)",
                     OptionKind::kText},
                    {"--latency-samples", "新记录延迟的样本数 / samples of the new-record latency", OptionKind::kInteger,
                     false, "200"}};
    spec.json = false;
    spec.needs_database = false;
    auto st = reg.AddCommand(spec, [](CommandContext& ctx) -> Status {
      namespace fs = std::filesystem;
      std::ostream& out = ctx.out();
      const std::int64_t subjects = ctx.args().Int("--subjects"), records = ctx.args().Int("--records"),
                         seed = ctx.args().Int("--seed"), samples = ctx.args().Int("--latency-samples");
      if (subjects < 100 || subjects > 100000000 || records < 0 || records > 1000000000 || samples < 1 || samples > 100000)
        return Status::Error(StatusCode::kInvalidArgument, "参数超出范围", "an option is out of range");
      fs::create_directories(ctx.args().Text("--dir"));
      const std::string dir = fs::absolute(ctx.args().Text("--dir")).string();
      const std::string self = bench::SelfExecutable();
      const std::string tag = std::to_string(subjects) + "-" + std::to_string(seed);
      std::vector<std::pair<std::string, std::string>> backends{{"sqlite:" + dir + "/credit.db", dir + "/.loaded-sqlite-" + tag}};
      std::string pg = ctx.args().Text("--pg");
      if (pg.empty())
        if (const char* env = std::getenv("XINJIAN_BENCH_PG")) pg = env;
      if (!pg.empty()) {
        const std::string name = "xj_bench_credit";
        const std::string marker = dir + "/.loaded-pg-" + tag;
        if (!fs::exists(marker)) {
          bench::RunEchoed(out, {"psql", "-q", "-X", pg, "-c", "DROP DATABASE IF EXISTS " + name});
          if (!bench::RunEchoed(out, {"psql", "-q", "-X", pg, "-c", "CREATE DATABASE " + name}))
            return Status::Error(StatusCode::kUnavailable, "无法创建 PostgreSQL 数据库 " + name,
                                 "cannot create the PostgreSQL database " + name);
        }
        backends.emplace_back(pg.substr(0, pg.rfind('/') + 1) + name, marker);
      }
      out << "准备数据 / preparing the data in " << dir << " (reused when present)\n";
      const std::string csv = dir + "/subjects.csv", deps = dir + "/departments.csv";
      if (!fs::exists(csv)) {
        const std::string raw = dir + "/subjects-unsorted.csv";
        if (!bench::RunEchoed(out, {self, "gen", "subjects", "--count", std::to_string(subjects), "--seed",
                                    std::to_string(seed), "-o", raw}) ||
            !bench::RunEchoed(out, {"sh", "-c", "(head -n 1 \"$0\" && tail -n +2 \"$0\" | LC_ALL=C sort -S 1G) > \"$1\" && rm \"$0\"",
                                    raw, csv}))
          return Failed("gen subjects");
      }
      std::ofstream(deps) << "code,name,level,jurisdiction\nSCJG,市场监督管理局,province,33\n";
      for (const auto& [url, marker] : backends) {
        if (!fs::exists(marker)) {
          if (!bench::RunEchoed(out, {self, "--db", url, "init"}) ||
              !bench::RunEchoed(out, {self, "--db", url, "import", "departments", deps, "--json", "--no-dispatch"}) ||
              !bench::RunEchoed(out, {self, "--db", url, "import", "subjects", csv, "--json", "--no-dispatch"}))
            return Failed("the directory of " + url);
          std::ofstream(marker) << url << "\n";
        }
        if (!bench::RunEchoed(out, {self, "--now", kBenchNow, "--db", url, "--actor", "bench", "bench", "credit-fill",
                                    "--records", std::to_string(records), "--seed", std::to_string(seed)}))
          return Failed("filling " + url);
        if (url.rfind("postgres", 0) == 0)
          // As autovacuum soon would after millions of inserts: the visibility map lets the
          // recompute read the records by an index-only scan.
          // Both sides start from empty, vacuumed tables (the run empties them again: on SQLite that is all).
          bench::RunEchoed(out, {"psql", "-q", "-X", url, "-c", "DELETE FROM credit_scores", "-c",
                                 "DELETE FROM credit_score_history", "-c", "DELETE FROM credit_runs", "-c",
                                 "DROP TABLE IF EXISTS credit_bench_peer", "-c", "DROP TABLE IF EXISTS credit_bench_peer_lines",
                                 "-c", "VACUUM ANALYZE credit_records", "-c", "VACUUM ANALYZE credit_scores", "-c",
                                 "VACUUM ANALYZE credit_score_history", "-c", "VACUUM ANALYZE subjects"});
        if (!bench::RunEchoed(out, {self, "--now", kBenchNow, "--db", url, "--actor", "bench", "bench", "credit-run",
                                    "--latency-samples", std::to_string(samples)}))
          return Failed("the measured run on " + url);
      }
      return Status::Ok();
    });
    if (!st.ok()) return st;
  }
  {
    CommandSpec spec;
    spec.path = {"bench", "credit-fill"};
    spec.help = "bench credit 的数据：生成的信用记录与基准模型 / bench credit's data: generated records and the bench model";
    spec.options = {{"--records", "信用记录数 / records", OptionKind::kInteger, false, "5000000"},
                    {"--seed", "随机种子 / seed", OptionKind::kInteger, false, "15"}};
    spec.json = false;
    auto st = reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
      return Fill(credit, ctx, ctx.args().Int("--records"), ctx.args().Int("--seed"));
    });
    if (!st.ok()) return st;
  }
  CommandSpec spec;
  spec.path = {"bench", "credit-run"};
  spec.help = "bench credit 的一次测量 / one measured run of bench credit";
  spec.options = {{"--latency-samples", "新记录延迟的样本数 / samples", OptionKind::kInteger, false, "200"}};
  spec.json = false;
  return reg.AddCommand(spec, [credit](CommandContext& ctx) -> Status {
    return Run(credit, ctx, ctx.args().Int("--latency-samples"));
  });
}

}  // namespace xj::credit
