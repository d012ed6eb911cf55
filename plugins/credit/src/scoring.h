// Scores with their breakdowns (公共信用评价), scoring models as data, risk classes and the
// intermediaries' grades (docs/credit.md). On the SDK alone: the engines come from
// Platform::FindScorer (the plugin's own "xj-points-v1" and any other plugin's).
#pragma once

#include <xinjian/platform.h>
#include <xinjian/scorer.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "records.h"

namespace xj::credit {

struct ModelRow {
  std::string name, version, purpose, engine, body, digest, state;
  std::vector<std::string> subject_kinds;
  std::int64_t activated_at_us = 0;
  std::string activated_by;
};

// A model file read and compiled: what `models add`, `simulate` and the shipped models go
// through. kInvalidArgument naming the problem.
struct LoadedModel {
  ModelRow row;
  std::shared_ptr<const ScoringModel> model;
};

// One subject's score, as stored (or computed by a simulation).
struct StoredScore {
  std::string uscc, subject_kind, model, model_version, as_of, grade;
  std::int64_t points = 0;
  std::int64_t at_us = 0;
  nlohmann::json breakdown;  // {"base", "points", "grade", "grade_zh", "grade_en", "vetoes", "lines": […]}
  std::string body;          // the breakdown as stored (JSON text): what is written and digested
};

// The breakdown of a result as stored (and printed by `credit explain --json`), as JSON text
// written directly (a recompute makes a million of them): {"base", "points", "grade", "grade_zh",
// "grade_en", "vetoes", "lines": [{"dimension", "indicator", "zh", "en", "points", "records",
// "record_points", "note"}]}.
// Stored breakdowns leave the lines' labels out (`labels` false): they are the same for every
// subject of a model version, and kept once in credit_model_labels (Stored puts them back).
std::string BreakdownText(const ScoreResult& r, bool labels = true);

// The labels of the lines of a model version: "model\tversion\tindicator" => (zh, en).
using LabelMap = std::map<std::string, std::pair<std::string, std::string>>;

// Compiled models, shared by every Scoring of the process (keyed by name, version and digest).
struct ModelCache {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const LoadedModel>> compiled;
};

// The scoring on one platform: the one a command, a job, a request or a subscriber runs on
// (its clock, its database, its engines). Cheap to make: the compiled models live in the
// shared cache.
class Scoring {
 public:
  Scoring(Platform& platform, std::shared_ptr<ModelCache> cache) : platform_(platform), cache_(std::move(cache)) {}

  // Reads and compiles a model file's text with its engine. purpose from the file ("credit"
  // when absent).
  Result<LoadedModel> LoadModel(const std::string& body) const;

  // The shipped models (data/models/) added when missing, and for each purpose and subject
  // kind without an active model, the shipped one activated (as `who`). Cheap when done.
  Status EnsureModels(UnitOfWork& uow);

  // Every stored model, by purpose, name and version.
  Result<std::vector<ModelRow>> Models(Sql& sql) const;
  // Adds a model file as a new version ('available'). kAlreadyExists when (name, version)
  // exists with another body; nothing changes when it exists with the same body.
  Result<ModelRow> AddModel(UnitOfWork& uow, const std::string& body);
  // Activates (name, version): the active models of its purpose covering its subject kinds
  // are retired; audited ("credit.model.activate"), event "credit.model.activated". Only an
  // admin (kPermissionDenied otherwise). Does not rescore: `credit recompute` does.
  Result<ModelRow> Activate(UnitOfWork& uow, const std::string& name, const std::string& version);

  // The active model of `purpose` for a subject kind, compiled (cached by name and version),
  // or nullptr when none is active.
  Result<std::shared_ptr<const LoadedModel>> ActiveModel(Sql& sql, const std::string& purpose,
                                                         const std::string& subject_kind);

  // Scores one subject as of `as_of` with `model` (the active one of `purpose` when null),
  // without writing. kNotFound when the subject is not in the directory.
  Result<StoredScore> Compute(Sql& sql, const std::string& uscc, const std::string& as_of,
                              const std::string& purpose = "credit", const LoadedModel* model = nullptr);

  // Rescores subjects inside `uow` (a record changed): writes the current score and a history
  // row when the score or its breakdown changed, and the event "credit.grade.changed" when the
  // grade did. Subjects not in the directory are skipped. Returns how many scores changed.
  Result<std::int64_t> Rescore(UnitOfWork& uow, const std::set<std::string>& usccs);

  // Recomputes every score (of one subject kind, or all), in steps of `step` subjects, each a
  // unit of work; resumable: the run "recompute:<kind|all>" keeps the last USCC done, and a
  // new call goes on from it until the run is done (then `restart` starts a new one).
  struct RecomputeOptions {
    std::string kind;  // "" = all
    std::int64_t step = 5000;
    bool restart = false;
    std::function<bool()> cancelled;  // a job's Cancelled
    std::function<Status(const UnitOfWorkFn&)> run_unit;  // a job's RunInTransaction; platform's otherwise
  };
  struct RecomputeSummary {
    std::int64_t subjects = 0, changed = 0, steps = 0;
    bool resumed = false, done = false;
    std::string as_of;
    // Where the time went (a recompute): reading the records, the engine, writing the scores.
    double load_s = 0, score_s = 0, write_s = 0;
  };
  Result<RecomputeSummary> Recompute(const Principal& who, const RecomputeOptions& options, std::ostream* progress);

  // What a model would change: the grade distribution of every scored subject now and under
  // `candidate`, and the subjects that would move most. Writes nothing.
  struct Simulation {
    std::string model, version, current_model;
    std::map<std::string, std::int64_t> now, then;  // grade code => subjects
    std::vector<ScoringModelInfo::Grade> grades;
    struct Mover {
      std::string uscc, grade_now, grade_then;
      std::int64_t points_now = 0, points_then = 0;
    };
    std::vector<Mover> movers;  // the largest |points_then - points_now| first
    std::int64_t subjects = 0, changed_grade = 0;
  };
  Result<Simulation> Simulate(const std::string& model_body, std::size_t top);

  // The stored score, or the score as of a date from the history. nullopt when none.
  Result<std::optional<StoredScore>> Stored(Sql& sql, const std::string& uscc, const std::string& as_of = "");

  // The risk classification of every enterprise for `month` (YYYY-MM): the risk model's grade
  // (A-D) of each, kept per month, and the directory's risk_class set to it
  // (Platform::SetRiskClasses). Resumable like Recompute. Returns the subjects classified.
  Result<std::int64_t> ClassifyRisk(const Principal& who, const std::string& month, const RecomputeOptions& options,
                                    std::ostream* progress);

  // The yearly intermediary grades (A / B / C) for `year`, as of its last day (or today when
  // earlier). Returns the intermediaries graded.
  Result<std::int64_t> GradeIntermediaries(const Principal& who, int year, const RecomputeOptions& options,
                                           std::ostream* progress);

  // Today's date in Asia/Shanghai for a unit (its instant).
  std::string TodayOf(std::int64_t at_us) const;

  Platform& platform() { return platform_; }

 private:
  struct Subject {
    std::string uscc, kind;
    std::vector<CreditFact> facts;  // its records as the engine sees them, by (occurred_on, id)
    std::vector<std::string> listings;  // the lists it is on now (the directory's listings column)
  };
  // Loads subjects (kind from the directory) and their records, by USCC.
  Status LoadSubjects(Sql& sql, const std::vector<std::string>& usccs, std::vector<Subject>* out);
  // The same for a run of subjects in USCC order (a step of a pass): their records in one range
  // query. `subjects` holds (uscc, kind), sorted.
  Status LoadRun(Sql& sql, std::vector<Subject>* subjects);
  // The scores of a batch of loaded subjects with the active models of `purpose`.
  // Consumes the subjects' facts. With `labels`: the bodies in the stored form (without the
  // lines' labels) and the labels met, for WriteScores.
  Status ScoreBatch(Sql& sql, const std::string& purpose, std::vector<Subject>& subjects,
                    const std::string& as_of, std::vector<StoredScore>* out, LabelMap* labels = nullptr);
  // Writes the scores that changed (and their history rows, and grade events), and the labels
  // of their model versions not stored yet. `sorted_run`: the scores are of a run of subjects in
  // USCC order (a step), read and written in bulk.
  Status WriteScores(UnitOfWork& uow, std::vector<StoredScore>& scores, std::int64_t* changed, const LabelMap& labels,
                     bool sorted_run = false);
  Result<std::shared_ptr<const LoadedModel>> CompiledRow(const ModelRow& row);
  // A resumable pass over the subjects (of the directory, by USCC) in steps.
  // A step gets the next subjects (USCC and kind, in USCC order, records not loaded).
  using StepFn = std::function<Status(UnitOfWork&, std::vector<Subject>& subjects, std::int64_t* changed)>;
  Result<RecomputeSummary> RunSteps(const Principal& who, const std::string& run_id, const std::string& where,
                                    const RecomputeOptions& options, const StepFn& fn, std::ostream* progress);

  Platform& platform_;
  std::shared_ptr<ModelCache> cache_;
};

}  // namespace xj::credit
