// The life of a listing as pure functions (src/lifecycle.h) and the shipped list types
// (data/types.json): month arithmetic, proposals, expiries, exits, the daily rules, and the
// invariant "every listing in force has an end date or a named exit path" over thousands of
// random histories.
#include <catch2/catch.hpp>

#include <random>

#include "lifecycle.h"
#include "listings.h"

using namespace xj;
using namespace xj::lists;

namespace {

CivilDate D(const char* s) { return CivilDate::Parse(s).value(); }

const ListPolicy& Shipped(const std::string& code) {
  static const std::vector<ListPolicy> all = ShippedPolicies().value();
  for (const auto& p : all)
    if (p.code == code) return p;
  FAIL("no shipped list type " << code);
  return all.front();
}

}  // namespace

TEST_CASE("lists: the shipped list types pass the SDK's checks and have an exit", "[lists]") {
  auto all = ShippedPolicies();
  REQUIRE(all.ok());
  REQUIRE(all.value().size() == 7);
  for (const ListPolicy& p : all.value()) {
    INFO(p.code);
    CHECK(CheckListPolicy(p).ok());
    const bool exit_path =
        p.max_months > 0 || std::find(p.exits.begin(), p.exits.end(), kExitSourceRemoved) != p.exits.end();
    CHECK(exit_path);
  }
  CHECK(Shipped("abnormal_operations").move_to == "serious_illegal");
  CHECK(Shipped("abnormal_operations").correction_working_days == 5);
  CHECK(Shipped("serious_illegal").max_months == 36);
  CHECK(Shipped("serious_illegal").min_months == 12);
}

TEST_CASE("lists: a list type without an exit, or otherwise malformed, is refused", "[lists]") {
  ListPolicy p = Shipped("serious_illegal");
  p.max_months = 0;
  auto st = CheckListPolicy(p);
  CHECK(st.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(st.message(), Catch::Contains("exit"));
  p = Shipped("serious_illegal");
  p.code = "Bad-Code";
  CHECK_FALSE(CheckListPolicy(p).ok());
  p = Shipped("serious_illegal");
  p.exits.push_back("vanished");
  CHECK_THAT(CheckListPolicy(p).message(), Catch::Contains("vanished"));
  p = Shipped("serious_illegal");
  p.min_months = 40;
  CHECK_FALSE(CheckListPolicy(p).ok());
  p = Shipped("abnormal_operations");
  p.correction_working_days = 0;
  CHECK_FALSE(CheckListPolicy(p).ok());
  p = Shipped("abnormal_operations");
  p.move_to = p.code;
  CHECK_FALSE(CheckListPolicy(p).ok());
  p = Shipped("abnormal_operations");
  p.grounds.push_back(p.grounds.front());
  CHECK_THAT(CheckListPolicy(p).message(), Catch::Contains("twice"));
  // A types document with hostile content is refused whole.
  CHECK_FALSE(ParsePolicies("not json").ok());
  CHECK_FALSE(ParsePolicies(R"({"types": [{"code": "x"}]})").ok());
  CHECK_FALSE(ParsePolicies(R"({"types": [1]})").ok());
}

TEST_CASE("lists: months are added on the calendar, clamped to the month's end", "[lists]") {
  CHECK(AddMonths(D("2026-01-31"), 1) == D("2026-02-28"));
  CHECK(AddMonths(D("2024-01-31"), 1) == D("2024-02-29"));
  CHECK(AddMonths(D("2026-06-15"), 36) == D("2029-06-15"));
  CHECK(AddMonths(D("2026-12-31"), 1) == D("2027-01-31"));
  CHECK(AddMonths(D("2026-03-31"), -1) == D("2026-02-28"));
  CHECK(AddMonths(D("2026-01-15"), -13) == D("2024-12-15"));
  CHECK(PassedMonths("2026-06-15", 12, D("2027-06-15")));
  CHECK_FALSE(PassedMonths("2026-06-15", 12, D("2027-06-14")));
}

TEST_CASE("lists: proposals, expiries and exits follow the list type", "[lists]") {
  const ListPolicy& serious = Shipped("serious_illegal");
  CHECK(CheckProposal(serious, "enterprise", "heavy_penalty").ok());
  CHECK_THAT(CheckProposal(serious, "enterprise", "nonsense").message(), Catch::Contains("heavy_penalty"));
  CHECK_FALSE(CheckProposal(Shipped("intermediary_ban"), "enterprise", "serious_misconduct").ok());
  CHECK(ExpiryOf(serious, D("2026-06-15"), "").value() == "2029-06-15");
  CHECK_FALSE(ExpiryOf(serious, D("2026-06-15"), "2027-01-01").ok());
  const ListPolicy& red = Shipped("red_trustworthy");
  CHECK_FALSE(ExpiryOf(red, D("2026-06-15"), "").ok());
  CHECK(ExpiryOf(red, D("2026-06-15"), "2027-06-15").value() == "2027-06-15");
  CHECK_FALSE(ExpiryOf(red, D("2026-06-15"), "2030-01-01").ok());  // beyond 36 months
  CHECK_FALSE(ExpiryOf(red, D("2026-06-15"), "2026-06-15").ok());
  CHECK(ExpiryOf(Shipped("dishonest_judgment_debtors"), D("2026-06-15"), "").value().empty());

  Listing l;
  l.id = "LST-2026-000001";
  l.list = "serious_illegal";
  l.state = State::kInForce;
  l.starts_on = "2026-06-15";
  l.decided_on = "2026-06-15";
  l.expires_on = "2029-06-15";
  CHECK(InvariantProblem(serious, l).empty());
  CHECK(CheckEnd(serious, l, kExitRepaired, D("2026-12-01")).code() == StatusCode::kFailedPrecondition);
  CHECK(CheckEnd(serious, l, kExitRepaired, D("2027-06-15")).ok());
  CHECK(CheckEnd(serious, l, kExitObjection, D("2026-06-16")).ok());
  CHECK(CheckEnd(serious, l, kExitCorrected, D("2027-06-15")).code() == StatusCode::kInvalidArgument);
  CHECK(CheckEnd(serious, l, kExitExpired, D("2029-06-15")).code() == StatusCode::kFailedPrecondition);
  CHECK(CheckEnd(serious, l, kExitObjection, D("2026-06-14")).code() == StatusCode::kInvalidArgument);
  CHECK(DueOn(serious, l, D("2029-06-14")).what == Due::What::kNone);
  CHECK(DueOn(serious, l, D("2029-06-15")).what == Due::What::kExpire);
  CHECK(DueOn(serious, l, D("2030-01-01")).on == "2029-06-15");  // a late run ends it on its date

  const ListPolicy& abnormal = Shipped("abnormal_operations");
  l.list = abnormal.code;
  CHECK(DueOn(abnormal, l, D("2029-04-15")).what == Due::What::kNone);
  CHECK(DueOn(abnormal, l, D("2029-04-16")).what == Due::What::kMoveNotice);  // 60 days before
  l.notice_on = "2029-04-16";
  CHECK(DueOn(abnormal, l, D("2029-05-01")).what == Due::What::kNone);
  CHECK(DueOn(abnormal, l, D("2029-06-15")).what == Due::What::kMove);
  CHECK(CheckEnd(abnormal, l, kExitCorrected, D("2027-01-01")).code() == StatusCode::kFailedPrecondition);
  l.correction_on = "2027-01-04";
  l.correction_due = "2027-01-11";
  CHECK(CheckEnd(abnormal, l, kExitCorrected, D("2027-01-05")).ok());
  CHECK(DueOn(abnormal, l, D("2027-01-11")).what == Due::What::kCorrectionEnd);
}

// Random histories: propose, review, decide, then days pass with the daily rules and random
// requests to end the listing. After every step the invariant holds, and a listing in force
// always has an end date or the exit source_removed.
TEST_CASE("lists: every listing in force has an end date or a named exit, over thousands of random histories",
          "[lists][property]") {
  std::mt19937_64 rng(20261204);
  auto all = ShippedPolicies().value();
  int histories = 0, ended = 0, in_force_days = 0;
  std::map<std::string, int> reasons;
  for (int h = 0; h < 4000; ++h) {
    const ListPolicy& p = all[rng() % all.size()];
    Listing l;
    l.id = "LST-" + std::to_string(h);
    l.list = p.code;
    l.state = State::kProposed;
    CivilDate today = D("2026-01-01") + static_cast<int>(rng() % 365);
    REQUIRE(InvariantProblem(p, l).empty());
    if (rng() % 5 == 0) {
      l.state = State::kRejected;
      REQUIRE(InvariantProblem(p, l).empty());
      continue;
    }
    l.state = State::kReviewed;
    std::string requested;
    if (p.validity_by_decision) requested = AddMonths(today, 1 + static_cast<int>(rng() % p.max_months)).ToString();
    auto expiry = ExpiryOf(p, today, requested);
    REQUIRE(expiry.ok());
    l.state = State::kInForce;
    l.starts_on = l.decided_on = today.ToString();
    l.expires_on = expiry.value();
    ++histories;
    // Up to six years of days, in random steps.
    for (int step = 0; step < 200 && l.state == State::kInForce; ++step) {
      INFO(p.code << " " << l.starts_on << " → " << l.expires_on << " on " << today.ToString());
      const std::string problem = InvariantProblem(p, l);
      REQUIRE(problem.empty());
      REQUIRE((!l.expires_on.empty() ||
               std::find(p.exits.begin(), p.exits.end(), kExitSourceRemoved) != p.exits.end()));
      ++in_force_days;
      today = today + 1 + static_cast<int>(rng() % 40);
      const int dice = static_cast<int>(rng() % 30);
      if (dice == 0 && p.correction_working_days > 0 && l.correction_on.empty()) {
        l.correction_on = today.ToString();
        l.correction_due = (today + 7).ToString();  // the calendar's 5 working days, roughly
      } else if (dice == 1 && !p.exits.empty()) {
        const std::string exit = p.exits[rng() % p.exits.size()];
        if (CheckEnd(p, l, exit, today).ok()) {
          l.state = State::kEnded;
          l.ended_on = today.ToString();
          l.end_reason = exit;
        }
      }
      if (l.state != State::kInForce) break;
      const Due d = DueOn(p, l, today);
      switch (d.what) {
        case Due::What::kNone: break;
        case Due::What::kMoveNotice: l.notice_on = today.ToString(); break;
        case Due::What::kExpire:
        case Due::What::kCorrectionEnd:
        case Due::What::kMove:
          l.state = State::kEnded;
          l.ended_on = d.on;
          l.end_reason = d.what == Due::What::kExpire ? kExitExpired : d.what == Due::What::kMove ? kExitMoved : kExitCorrected;
          if (d.what == Due::What::kMove) l.moved_to = "LST-next";
          break;
      }
    }
    if (l.state == State::kEnded) {
      ++ended;
      ++reasons[l.end_reason];
      REQUIRE(InvariantProblem(p, l).empty());
      REQUIRE(l.ended_on >= l.starts_on);
    } else {
      // Still in force after all those days: only a list without a fixed end.
      REQUIRE(l.expires_on.empty());
    }
  }
  CHECK(histories > 3000);
  CHECK(ended > 2500);
  // Every kind of end happened somewhere.
  for (const char* r : {kExitExpired, kExitMoved, kExitCorrected, kExitRepaired, kExitObjection, kExitRevoked,
                        kExitSourceRemoved})
    {
      INFO("exit " << r);
      CHECK(reasons[r] > 0);
    }
  // A broken listing is caught.
  Listing bad;
  bad.list = "serious_illegal";
  bad.state = State::kInForce;
  bad.starts_on = bad.decided_on = "2026-01-01";
  CHECK_FALSE(InvariantProblem(Shipped("serious_illegal"), bad).empty());
  bad.expires_on = "2029-01-01";
  bad.state = State::kEnded;
  bad.ended_on = "2027-01-01";
  bad.end_reason = kExitCorrected;  // not an exit of this list
  CHECK_FALSE(InvariantProblem(Shipped("serious_illegal"), bad).empty());
}

TEST_CASE("lists: evidence references are parsed strictly", "[lists]") {
  CHECK(ParseEvidence("record:penalty/P-1").value().kind == "record");
  CHECK(ParseEvidence("result:V-1/ITEM").value().ref == "V-1/ITEM");
  CHECK_FALSE(ParseEvidence("penalty/P-1").ok());
  CHECK_FALSE(ParseEvidence("record:").ok());
  CHECK_FALSE(ParseEvidence("shell:rm -rf").ok());
  CHECK_FALSE(ParseEvidence("document:" + std::string(500, 'x')).ok());
  CHECK_FALSE(ParseEvidence(std::string("document:a\x01b")).ok());
  CHECK(MaskIdentifier("110101199003071234") == "110*************34");
}
