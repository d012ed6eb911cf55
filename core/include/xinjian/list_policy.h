// List types as data (名单类型): the capability "list_policy" (host API 12).
//
// A list policy says what one kind of list is: who may be put on it and on what grounds, under
// which legal basis, by which authority, for how long, how a listing leaves it, and what of it
// the public sees. The lists plugin (plugins/lists) runs listings of every registered type
// through their life (proposed → reviewed → in force → ended); a plugin adds a list type by
// registering a policy, without touching the lists plugin or the core:
//
//   xj::ListPolicy p;
//   p.code = "tax_arrears";
//   p.name_zh = "欠税名单"; p.name_en = "tax arrears list";
//   p.kind = xj::ListKind::kBlack;
//   p.grounds = {{"arrears", "欠缴税款", "tax in arrears", "《税收征收管理法》第四十五条"}};
//   p.legal_basis = "《税收征收管理法》"; p.authority_zh = "税务机关"; p.authority_en = "the tax office";
//   p.max_months = 12;
//   p.exits = {xj::kExitExpired, xj::kExitRepaired, xj::kExitObjection, xj::kExitRevoked};
//   return reg.AddListPolicy(std::make_unique<xj::ListPolicy>(p));
//
// The contract every policy keeps, checked by CheckListPolicy when it is registered: a
// listing always has an exit. Either the policy has a maximum duration (max_months > 0: the
// listing expires, or moves on, by itself), or it names an exit path that needs nobody's
// goodwill (kExitSourceRemoved: the source that listed it, such as the courts' data, no longer
// does). Existing systems only ever added to lists; this one may not.
//
// Thread safety: a ListPolicy is a plain value; the host keeps the registered ones for the
// life of the process (Platform::FindListPolicy) and they may be read from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityListPolicy = "list_policy";

// What a list means for the subject on it.
enum class ListKind {
  kRed,       // 红名单 (守信激励): rewards
  kBlack,     // 黑名单 (严重失信): punishment
  kAbnormal,  // 经营异常名录: a warning list, with its own measures
};

inline const char* ListKindName(ListKind k) {
  switch (k) {
    case ListKind::kRed: return "red";
    case ListKind::kBlack: return "black";
    case ListKind::kAbnormal: return "abnormal";
  }
  return "?";
}

// The ways a listing ends (ListPolicy::exits). A listing's end always names one of them.
inline constexpr const char* kExitExpired = "expired";                  // its period ran out (期满移出)
inline constexpr const char* kExitRepaired = "repaired";                // credit repair approved (信用修复)
inline constexpr const char* kExitCorrected = "corrected";              // the cause corrected (异常名录: 改正后移出)
inline constexpr const char* kExitObjection = "objection";              // revoked after an objection (异议撤销)
inline constexpr const char* kExitPenaltyRevoked = "penalty_revoked";   // the underlying penalty revoked
inline constexpr const char* kExitMoved = "moved";                      // moved to another list (转入)
inline constexpr const char* kExitRevoked = "revoked";                  // revoked by the deciding authority (撤销)
inline constexpr const char* kExitSourceRemoved = "source_removed";     // the source (courts' data) no longer lists it
inline constexpr const char* kExitReplaced = "replaced";                // a new grade or decision replaced it

inline const std::vector<std::string>& KnownListExits() {
  static const std::vector<std::string> k{kExitExpired,  kExitRepaired, kExitCorrected,     kExitObjection,
                                          kExitPenaltyRevoked, kExitMoved, kExitRevoked, kExitSourceRemoved,
                                          kExitReplaced};
  return k;
}

// One ground a subject may be listed on (列入事由), with its legal basis.
struct ListGround {
  std::string code;  // [a-z][a-z0-9_]*, unique within the policy
  std::string zh, en;
  std::string legal_basis;
};

struct ListPolicy {
  // [a-z][a-z0-9_]*, at most 48 characters, unique among all policies ("abnormal_operations").
  std::string code;
  std::string name_zh, name_en;
  ListKind kind = ListKind::kBlack;
  // The subject types (directory.h kSubjectTypes) that may be listed; empty for any.
  std::vector<std::string> subject_types;
  std::vector<ListGround> grounds;  // at least one
  std::string legal_basis;          // of the list itself
  std::string authority_zh, authority_en;  // who decides (决定机关)
  // Durations in months from the start of the listing. min_months: no early exit (repair)
  // before it, 0 for none. max_months: the listing ends by itself (kExitExpired, or moves on
  // when move_to is set) when it is reached, 0 for no fixed maximum (then the policy must name
  // kExitSourceRemoved among its exits). validity_by_decision: the deciding authority sets
  // each listing's end (red lists), within max_months.
  int min_months = 0;
  int max_months = 0;
  bool validity_by_decision = false;
  // How a listing may end (the kExit… names above); kExitExpired is implied by max_months.
  std::vector<std::string> exits;
  // kExitCorrected: the listing ends within this many working days after the correction is
  // confirmed (经营异常名录: 5); 0 when the policy has no correction exit.
  int correction_working_days = 0;
  // Repair (信用修复) is possible after this many months (0: after min_months).
  int repair_after_months = 0;
  // Moves on: a listing still in force after move_after_months moves to list move_to (with a
  // notice move_notice_days before). Empty move_to for none.
  std::string move_to;
  int move_after_months = 0;
  int move_notice_days = 0;
  // Public: whether listings in force are published (name, USCC, reason, basis, authority,
  // decision number, dates, status), and for how many months after its end an ended listing
  // stays on the public pages (0: gone when it ends). Natural persons are never published.
  bool is_public = true;
  int ended_public_months = 0;
  // How listings come about: "decision" (a supervisor proposes, 初审 and 审核 decide), "rule"
  // (the platform proposes on a rule, a supervisor reviews), "import" (taken from another
  // authority's data, in force at once: 失信被执行人), "grade" (follows a credit grade).
  std::string source = "decision";
};

// The checks AddListPolicy runs (and anyone may run on a policy read from data). The rules: a code of
// [a-z][a-z0-9_]* up to 48 characters; both names; a known kind; at least one ground, each with
// a code of the same form (no code twice), both texts and a legal basis; the list's legal basis
// and authority; 0 <= min_months <= max_months when max_months > 0, at most 1200; known exit
// names, none twice; kExitCorrected exactly when correction_working_days > 0 (at most 60);
// an exit: max_months > 0 or kExitSourceRemoved; move_to with move_after_months > 0 and
// kExitMoved among the exits, and not the policy itself; a known source; known subject types
// ("natural_person" too: credit lists may hold natural persons, never published).
// kInvalidArgument naming the policy and the problem.

inline Status CheckListPolicy(const ListPolicy& p) {
  auto bad = [&](const std::string& zh, const std::string& en) {
    return Status::Error(StatusCode::kInvalidArgument, "名单类型 “" + p.code + "”：" + zh,
                         "list type '" + p.code + "': " + en);
  };
  auto code_ok = [](const std::string& c) {
    if (c.empty() || c.size() > 48 || !(c[0] >= 'a' && c[0] <= 'z')) return false;
    for (char ch : c)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
    return true;
  };
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    for (const auto& x : v)
      if (x == s) return true;
    return false;
  };
  if (!code_ok(p.code)) return bad("代码须为小写字母开头的小写字母、数字和下划线，至多 48 个字符", "the code must be [a-z][a-z0-9_]*, at most 48 characters");
  if (p.name_zh.empty() || p.name_en.empty()) return bad("缺少中文或英文名称", "a Chinese and an English name are required");
  if (p.kind != ListKind::kRed && p.kind != ListKind::kBlack && p.kind != ListKind::kAbnormal)
    return bad("名单性质未知", "unknown kind");
  if (p.grounds.empty()) return bad("至少须有一项列入事由", "at least one ground is required");
  std::vector<std::string> seen;
  for (const ListGround& g : p.grounds) {
    if (!code_ok(g.code)) return bad("事由代码 “" + g.code + "” 格式无效", "the ground code '" + g.code + "' is malformed");
    if (has(seen, g.code)) return bad("事由代码 “" + g.code + "” 重复", "the ground code '" + g.code + "' is given twice");
    seen.push_back(g.code);
    if (g.zh.empty() || g.en.empty() || g.legal_basis.empty())
      return bad("事由 “" + g.code + "” 须有中英文说明和法律依据", "the ground '" + g.code + "' needs both texts and a legal basis");
  }
  if (p.legal_basis.empty()) return bad("缺少法律依据", "a legal basis is required");
  if (p.authority_zh.empty() || p.authority_en.empty()) return bad("缺少决定机关", "a deciding authority is required");
  if (p.min_months < 0 || p.max_months < 0 || p.min_months > 1200 || p.max_months > 1200 ||
      (p.max_months > 0 && p.min_months > p.max_months))
    return bad("期限须满足 0 ≤ 最短 ≤ 最长 ≤ 1200 个月", "durations must satisfy 0 <= minimum <= maximum <= 1200 months");
  seen.clear();
  for (const std::string& e : p.exits) {
    if (!has(KnownListExits(), e)) return bad("未知的移出方式 “" + e + "”", "unknown exit '" + e + "'");
    if (has(seen, e)) return bad("移出方式 “" + e + "” 重复", "the exit '" + e + "' is given twice");
    seen.push_back(e);
  }
  if (has(p.exits, kExitCorrected) != (p.correction_working_days > 0) || p.correction_working_days > 60)
    return bad("改正移出须有 1 至 60 个工作日的期限，反之亦然", "the exit 'corrected' needs correction_working_days from 1 to 60, and the other way round");
  if (p.max_months <= 0 && !has(p.exits, kExitSourceRemoved))
    return bad("名单必须有出口：须有最长期限，或以来源撤销（source_removed）为移出方式", "a list must have an exit: a maximum duration, or the exit 'source_removed'");
  if (!p.move_to.empty()) {
    if (p.move_to == p.code || !code_ok(p.move_to) || p.move_after_months <= 0 || !has(p.exits, kExitMoved) ||
        p.move_notice_days < 0 || p.move_notice_days > 365)
      return bad("转入规则须指向另一名单，有期限，并以 moved 为移出方式", "a move needs another list, a period and the exit 'moved'");
  } else if (p.move_after_months != 0 || has(p.exits, kExitMoved)) {
    return bad("有转入期限或 moved 移出方式，但没有转入名单", "a move period or the exit 'moved' without move_to");
  }
  if (p.repair_after_months < 0 || p.ended_public_months < 0 || p.ended_public_months > 120)
    return bad("修复期限或移出后公示期无效", "invalid repair period or publicity after the end");
  if (p.source != "decision" && p.source != "rule" && p.source != "import" && p.source != "grade")
    return bad("来源须为 decision、rule、import 或 grade", "the source must be decision, rule, import or grade");
  static const char* kTypes[] = {"enterprise", "individual", "intermediary", "social_org", "public_institution",
                                 "natural_person"};
  for (const std::string& t : p.subject_types) {
    bool known = false;
    for (const char* k : kTypes) known = known || t == k;
    if (!known) return bad("未知的主体类型 “" + t + "”", "unknown subject type '" + t + "'");
  }
  return Status::Ok();
}

}  // namespace xj
