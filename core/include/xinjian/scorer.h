// Scoring engines: what turns a subject's credit records into a credit score with every point
// explained (公共信用评价), registered by plugins (capability "scorer", host API 11).
//
// A scoring model is a data file (the credit plugin ships them in plugins/credit/data/models/,
// docs/credit.md). The file names its engine ("engine": "xj-points-v1" for the credit plugin's
// own points engine); the credit plugin asks the host for that engine (Platform::FindScorer),
// compiles the file with it once, and scores each subject with the compiled model. A plugin
// that brings another way of scoring registers an engine under a new name:
//
//   class MyEngine final : public xj::Scorer {
//     std::string Description() const override { return "我的评分引擎 / my scoring engine"; }
//     xj::Result<std::shared_ptr<const xj::ScoringModel>> Compile(const std::string& json) const override { ... }
//   };
//   static xj::Status Init(xj::Registrar& reg) {
//     return reg.AddScorer("my-engine-v1", std::make_unique<MyEngine>());
//   }
//   XJ_PLUGIN(Init)
//
// and declares "scorer" in its manifest's capabilities.
//
// The contract every engine keeps (the credit plugin checks it on every score and refuses a
// score that breaks it):
//   - points are integers in hundredths of a point (81250 is 812.50 points), so that sums are
//     exact;
//   - ScoreResult::points == ScoreResult::base + the sum of every line's points, always: a cap,
//     a decay or a floor is a line of its own (or is already applied to the line's points and
//     named in its note), never a silent adjustment;
//   - the grade is one of the model's grades; a veto (a rule that gives the lowest grade
//     whatever the points) changes the grade, not the points, and is named in `vetoes`;
//   - the same input gives the same result (no clock, no randomness: "as of" is an input).
//
// Thread safety: Compile and ScoringModel::Score are called from several threads at once
// (commands, jobs and subscribers run concurrently in `xinjian serve`); a compiled model is
// immutable.
//
// The data layout of these structs is part of the host API: changing it changes
// kHostApiVersion (plugin.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "xinjian/status.h"

namespace xj {

inline constexpr const char* kCapabilityScorer = "scorer";

// One credit record as a model sees it (信用信息). The credit plugin fills it from its records.
struct CreditFact {
  std::string id;            // the record's id, named by the breakdown lines it counts in
  std::string kind;          // record kind: "penalty", "honour", "inspection_finding", "annual_report",
                             // "commitment", "complaint", "court_dishonest", "intermediary_evaluation", …
  std::string severity;      // "minor" | "general" | "serious" (轻微 / 一般 / 严重)
  std::string category;      // the kind's own category: a penalty's kind ("warning", "fine", …), an
                             // honour's level ("county" … "national"), a commitment's state, …
  std::string occurred_on;   // YYYY-MM-DD: the decision or the event
  std::string public_until;  // YYYY-MM-DD: the last day of its publicity, "" when never public
  double value = 0;          // the kind's number: a fine in yuan, an evaluation's points, …
  bool withdrawn = false;    // revoked or withdrawn (撤销): counts for nothing
  // Further facts of the kind, as pairs ("heavy" → "1", "role" → "client"), for filters.
  std::vector<std::pair<std::string, std::string>> attributes;

  // The value of attribute `key`, "" when absent.
  const std::string& Attribute(const std::string& key) const {
    static const std::string kEmpty;
    for (const auto& [k, v] : attributes)
      if (k == key) return v;
    return kEmpty;
  }
};

// What a model scores: one subject as of a date.
struct ScoreInput {
  std::string uscc;
  std::string subject_kind;  // "enterprise" | "individual" | "intermediary" | "social_org" | "public_institution"
  std::string as_of;         // YYYY-MM-DD: records after it do not exist yet; decay counts to it
  std::vector<CreditFact> records;
  std::vector<std::string> listings;  // the list types the subject is on, in force as of `as_of`
};

// One line of the breakdown.
struct ScoreLine {
  std::string dimension;   // the model's dimension id ("compliance")
  std::string indicator;   // the model's indicator id ("penalty_serious"), or "cap:<dimension>"…
  std::string label_zh, label_en;
  std::int64_t points = 0;              // hundredths, signed: what this line adds to the score
  std::vector<std::string> record_ids;  // the records behind it
  // What each of record_ids contributed (hundredths, after its decay), in the same order; empty
  // when the line is not a sum over records (a band of an average, a cap).
  std::vector<std::int64_t> record_points;
  std::string note;                     // how it was computed ("3 × -50.00, decay 50 %")
};

struct ScoreResult {
  std::int64_t base = 0;    // hundredths: the points every subject starts from
  std::int64_t points = 0;  // hundredths: base + the sum of lines[i].points
  std::string grade;        // the grade's code ("excellent")
  std::string grade_zh, grade_en;
  std::vector<ScoreLine> lines;
  std::vector<std::string> vetoes;  // the veto rules that applied, by id
};

struct ScoringModelInfo {
  std::string name;                        // "enterprise-default"
  std::string version;                     // "2026.1"
  std::vector<std::string> subject_kinds;  // what it applies to
  std::int64_t max_points = 0;             // hundredths (100000 for 1000 points)
  // The grades, best first: code, zh, en.
  struct Grade {
    std::string code, zh, en;
  };
  std::vector<Grade> grades;
};

// A compiled model. Immutable.
class ScoringModel {
 public:
  virtual ~ScoringModel() = default;
  virtual const ScoringModelInfo& info() const = 0;
  // Scores one subject. kInvalidArgument when the input's subject kind is not one the model
  // applies to; otherwise OK with the whole result.
  virtual Status Score(const ScoreInput& input, ScoreResult* out) const = 0;
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  // One line, "中文 / English", shown by `xinjian plugins list`.
  virtual std::string Description() const = 0;
  // Compiles a model file (JSON text). kInvalidArgument naming the problem (the field's path
  // and why, in Chinese and English) for a file the engine cannot use.
  virtual Result<std::shared_ptr<const ScoringModel>> Compile(const std::string& model_json) const = 0;
};

// The sum the contract promises: base + every line. The credit plugin compares it with points.
inline std::int64_t SumOfLines(const ScoreResult& r) {
  std::int64_t s = r.base;
  for (const ScoreLine& l : r.lines) s += l.points;
  return s;
}

}  // namespace xj
