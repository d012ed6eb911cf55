// See lifecycle.h.
#include "lifecycle.h"

#include <algorithm>

namespace xj::lists {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

Status Precondition(const std::string& zh, const std::string& en) {
  return Status::Error(StatusCode::kFailedPrecondition, zh, en);
}

}  // namespace

const char* StateName(State s) {
  switch (s) {
    case State::kProposed: return "proposed";
    case State::kReviewed: return "reviewed";
    case State::kInForce: return "in_force";
    case State::kEnded: return "ended";
    case State::kRejected: return "rejected";
  }
  return "?";
}

const char* StateZh(State s) {
  switch (s) {
    case State::kProposed: return "待初审";
    case State::kReviewed: return "待审核";
    case State::kInForce: return "列入中";
    case State::kEnded: return "已移出";
    case State::kRejected: return "未列入";
  }
  return "?";
}

std::optional<State> ParseState(const std::string& s) {
  for (State x : {State::kProposed, State::kReviewed, State::kInForce, State::kEnded, State::kRejected})
    if (s == StateName(x)) return x;
  return std::nullopt;
}

CivilDate AddMonths(CivilDate d, int months) {
  int y = d.year(), m = d.month() + months;
  y += (m - 1) / 12;
  m = (m - 1) % 12 + 1;
  if (m <= 0) {
    m += 12;
    --y;
  }
  for (int day = d.day(); day >= 28; --day) {
    auto r = CivilDate::FromYmd(y, m, day);
    if (r.ok()) return r.value();
  }
  return CivilDate::FromYmd(y, m, d.day()).value();
}

bool PassedMonths(const std::string& starts_on, int months, CivilDate on) {
  auto s = CivilDate::Parse(starts_on);
  if (!s.ok()) return false;
  return AddMonths(s.value(), months) <= on;
}

Status CheckProposal(const ListPolicy& p, const std::string& subject_type, const std::string& ground) {
  bool known = false;
  std::string grounds;
  for (const ListGround& g : p.grounds) {
    known = known || g.code == ground;
    grounds += (grounds.empty() ? "" : ", ") + g.code;
  }
  if (!known)
    return Status::Error(StatusCode::kInvalidArgument,
                         "“" + p.name_zh + "”没有列入事由 “" + ground.substr(0, 60) + "”（可用：" + grounds + "）",
                         "the " + p.name_en + " has no ground '" + ground.substr(0, 60) + "' (grounds: " + grounds + ")");
  if (!p.subject_types.empty() && !Has(p.subject_types, subject_type)) {
    std::string types;
    for (const auto& t : p.subject_types) types += (types.empty() ? "" : ", ") + t;
    return Status::Error(StatusCode::kInvalidArgument,
                         "“" + p.name_zh + "”不能列入类型为 " + subject_type + " 的主体（可列入：" + types + "）",
                         "the " + p.name_en + " cannot list a subject of type " + subject_type + " (allowed: " + types + ")");
  }
  return Status::Ok();
}

Result<std::string> ExpiryOf(const ListPolicy& p, CivilDate starts, const std::string& requested) {
  const std::string max_text = p.max_months > 0 ? AddMonths(starts, p.max_months).ToString() : std::string();
  if (!p.validity_by_decision) {
    if (!requested.empty())
      return Status::Error(StatusCode::kInvalidArgument,
                           "“" + p.name_zh + "”的期限由规定确定（" + std::to_string(p.max_months) + " 个月），不能另定截止日期",
                           "the " + p.name_en + " has a period set by the rules (" + std::to_string(p.max_months) +
                               " months); an end date cannot be given");
    return max_text;
  }
  if (requested.empty())
    return Status::Error(StatusCode::kInvalidArgument, "“" + p.name_zh + "”的有效期由列入部门确定：须给出截止日期（--ends）",
                         "the " + p.name_en + "'s validity is set by the listing department: give the end date (--ends)");
  auto end = CivilDate::Parse(requested);
  if (!end.ok()) return end.status();
  if (end.value() <= starts)
    return Status::Error(StatusCode::kInvalidArgument, "截止日期须晚于列入日期 " + starts.ToString(),
                         "the end date must be after the start " + starts.ToString());
  if (p.max_months > 0 && end.value() > AddMonths(starts, p.max_months))
    return Status::Error(StatusCode::kInvalidArgument,
                         "有效期不能超过 " + std::to_string(p.max_months) + " 个月（至迟 " + max_text + "）",
                         "the validity cannot exceed " + std::to_string(p.max_months) + " months (" + max_text + " at the latest)");
  return end.value().ToString();
}

Status CheckEnd(const ListPolicy& p, const Listing& l, const std::string& exit, CivilDate on) {
  if (l.state != State::kInForce)
    return Precondition("名单记录 " + l.id + " 处于“" + StateZh(l.state) + "”状态，只能移出列入中的记录",
                        "listing " + l.id + " is " + StateName(l.state) + "; only a listing in force can end");
  if (exit == kExitExpired || exit == kExitMoved)
    return Precondition("期满移出和转入由每日规则执行，不能手工办理", "expiry and moves are done by the daily rules, not by hand");
  if (!Has(p.exits, exit)) {
    std::string exits;
    for (const auto& e : p.exits)
      if (e != kExitMoved) exits += (exits.empty() ? "" : ", ") + e;
    return Status::Error(StatusCode::kInvalidArgument,
                         "“" + p.name_zh + "”没有移出方式 “" + exit.substr(0, 40) + "”（可用：" + exits + "）",
                         "the " + p.name_en + " has no exit '" + exit.substr(0, 40) + "' (exits: " + exits + ")");
  }
  auto starts = CivilDate::Parse(l.starts_on);
  if (starts.ok() && on < starts.value())
    return Status::Error(StatusCode::kInvalidArgument, "移出日期不能早于列入日期 " + l.starts_on,
                         "the end cannot be before the start " + l.starts_on);
  if (exit == kExitRepaired) {
    const int months = p.repair_after_months > 0 ? p.repair_after_months : p.min_months;
    if (months > 0 && !PassedMonths(l.starts_on, months, on))
      return Precondition("列入满 " + std::to_string(months) + " 个月后方可申请信用修复（列入日期 " + l.starts_on + "）",
                          "credit repair is possible only " + std::to_string(months) + " months after the start (" +
                              l.starts_on + ")");
  }
  if (exit == kExitCorrected && l.correction_on.empty())
    return Precondition("须先确认改正（lists correct）", "confirm the correction first (lists correct)");
  return Status::Ok();
}

Due DueOn(const ListPolicy& p, const Listing& l, CivilDate today) {
  Due d;
  if (l.state != State::kInForce) return d;
  if (!l.correction_due.empty() && l.correction_due <= today.ToString()) {
    d.what = Due::What::kCorrectionEnd;
    d.on = l.correction_due;
    return d;
  }
  if (!l.expires_on.empty()) {
    if (l.expires_on <= today.ToString()) {
      d.what = p.move_to.empty() ? Due::What::kExpire : Due::What::kMove;
      d.on = l.expires_on;
      return d;
    }
    if (!p.move_to.empty() && l.notice_on.empty() && p.move_notice_days > 0) {
      auto exp = CivilDate::Parse(l.expires_on);
      if (exp.ok() && exp.value() - today <= p.move_notice_days) {
        d.what = Due::What::kMoveNotice;
        d.on = today.ToString();
      }
    }
  }
  return d;
}

std::string InvariantProblem(const ListPolicy& p, const Listing& l) {
  switch (l.state) {
    case State::kInForce:
      if (l.starts_on.empty() || l.decided_on.empty()) return "in force without a start or a decision";
      if (l.expires_on.empty() && !Has(p.exits, kExitSourceRemoved)) return "in force without an end date or an exit path";
      if (!l.ended_on.empty() || !l.end_reason.empty()) return "in force with an end";
      if (!l.expires_on.empty() && l.expires_on <= l.starts_on) return "expires before it starts";
      return "";
    case State::kEnded: {
      if (l.ended_on.empty() || l.starts_on.empty()) return "ended without dates";
      if (l.ended_on < l.starts_on) return "ended before it started";
      const bool allowed = Has(p.exits, l.end_reason) || (l.end_reason == kExitExpired && p.max_months > 0) ||
                           (l.end_reason == kExitMoved && !p.move_to.empty());
      if (!allowed) return "ended by '" + l.end_reason + "', which the policy does not allow";
      if (l.end_reason == kExitMoved && l.moved_to.empty()) return "moved without a successor";
      return "";
    }
    case State::kRejected:
      if (!l.starts_on.empty() || !l.ended_on.empty()) return "rejected but has dates in force";
      return "";
    case State::kProposed:
    case State::kReviewed:
      if (!l.starts_on.empty() || !l.ended_on.empty()) return "not decided but has dates in force";
      return "";
  }
  return "unknown state";
}

}  // namespace xj::lists
