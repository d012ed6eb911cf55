// The specification of a draw task, as `xinjian task create --spec FILE.json` reads it.
// schemas/task-spec.schema.json describes the same format for other tools; docs/draw.md
// explains each field. Parsing validates everything that can be checked without the
// database (types, bounds, control characters, percentages); the task service checks the
// rest (departments, items, ratio bounds, teams) when it creates the task.
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "draw_v1.h"
#include "xinjian/directory.h"
#include "xinjian/status.h"

namespace xj::draw {

// The entropy source of a spec that names none (and of every task created before entropy
// sources were plugins): an operator enters the published value.
inline constexpr const char* kDefaultEntropySource = "manual";

// What the pool is split by. kLabel takes the first of `strata_labels` the subject carries
// (others: stratum "other"); kRegion the county (6 digits) or, with region_digits 4, the
// prefecture; kRiskClass A/B/C/D ("none" for subjects without a class); kListing the first of
// `strata_listings` (list codes) the subject is on now (others: "other").
enum class StrataKind { kNone, kRiskClass, kRegion, kLabel, kListing };
const char* StrataName(StrataKind k);

struct TaskFilters {
  std::vector<std::string> regions;     // GB/T 2260 prefixes (2-6 digits); empty = the jurisdiction
  std::vector<std::string> types;       // subject types; empty = all
  std::vector<std::string> industries;  // GB/T 4754 code prefixes; empty = all
  std::vector<std::string> labels;      // the subject carries at least one; empty = any
  // The lists (list codes, xinjian/list_policy.h) the subject is on now: on at least one of
  // `listings` (empty = any), on none of `not_listings`.
  std::vector<std::string> listings, not_listings;
  std::string registered_before;        // YYYY-MM-DD, exclusive; empty = no limit
};

// Which open tasks (drawn, not yet revealed) keep their selected subjects out of a new pool.
//   kOwn (the default; JSON "own" or true): tasks of the same department(s) (for a joint task,
//       the initiator and the participants) and tasks sharing one of its items. Subjects
//       picked by another department for its own items stay drawable: the same subject drawn
//       by two departments in one period is what `visits merge` turns into one joint visit.
//   kAll (JSON "all"): every department's open tasks, the stricter rule.
//   kNone (JSON "none" or false): no task's.
enum class OpenTasks { kNone, kOwn, kAll };
const char* OpenTasksName(OpenTasks o);

struct TaskExclusions {
  // Subjects drawn for one of the task's items within this many days before the announce are
  // left out; nullopt = since 1 January of the announce's year (the default); 0 = none.
  std::optional<std::uint32_t> same_item_within_days;
  OpenTasks open_tasks = OpenTasks::kOwn;
};

struct TaskConflicts {
  bool declared_relations = true;   // relations table (回避)
  bool previous_inspector = true;   // who inspected the subject last time for a shared item
  bool same_office = false;         // 所所交叉: no officer inspects subjects of his own area
};

struct TaskSpec {
  std::string id;  // empty: the service assigns <department>-<YYYY>-<NNNN>
  std::string title;
  std::string department;                  // the initiating department (发起部门)
  std::vector<std::string> items;          // of the department and the participants
  // A joint task (部门联合抽查): the participating departments (参与部门), each bringing at
  // least one item and one team slot. Empty for a task of one department.
  std::vector<std::string> participants;
  // Which subjects a joint task's pool holds: those in the scope of every item (the default)
  // or of any item (each then visited only for the items that apply to it).
  enum class Scope { kAllItems, kAnyItem } scope = Scope::kAllItems;
  TaskFilters filters;
  TaskExclusions exclusions;
  StrataKind strata = StrataKind::kNone;
  std::vector<std::string> strata_labels;  // for kLabel
  std::vector<std::string> strata_listings;  // for kListing
  int region_digits = 6;                   // for kRegion: 4 or 6
  Rule rule;                               // ratio (ppm) or count
  std::string rule_preset;                 // the preset's name when the rule came from one
  std::vector<Slot> slots;                 // team slots, groups = department codes
  std::optional<Slot> expert_slot;         // experts join on top of the required officers
  TaskConflicts conflicts;
  // The entropy: which source provides the public value (an entropy source plugin,
  // xinjian/entropy.h: "manual" by default, "none"…) and the public description of that
  // value, printed in the notice ("中国福利彩票 3D 第 2026321 期开奖号码"; required for
  // manual). JSON: "entropy": {"source": "manual", "description": "…"}; the older
  // "entropy_source": "…" is the same as {"source": "manual", "description": "…"}.
  std::string entropy_source;                            // the description
  std::string entropy_source_name = kDefaultEntropySource;  // the source's registered name
  std::string sampler = std::string(kAlgorithm);
  std::string replaces;                    // the task this one replaces, if any
  std::string replace_reason;
  std::string due_date;                    // YYYY-MM-DD, optional
};

// Named ratio presets (plugins/draw/data/ratio-presets.json, compiled in): strata kind and
// ratios.
struct RatioPreset {
  StrataKind strata = StrataKind::kNone;
  RatioRule rule;
  std::string source;
};
using RatioPresets = std::map<std::string, RatioPreset>;
// The presets shipped in the binary.
const RatioPresets& BuiltinRatioPresets();

struct SpecOptions {
  const RatioPresets* presets = nullptr;  // default BuiltinRatioPresets()
  // The GB/T 2260 codes filters.regions must name (Platform::Regions()); nullptr: only their
  // form is checked here, and CreateTask checks the codes on the platform.
  const RegionCodes* regions = nullptr;
  std::string default_preset = "henan-2020";  // used when strata is risk_class and no rule is given
  std::uint32_t min_team_size = 2;            // 行政处罚法 art. 42
};

// Parses and validates a task spec. Errors are kInvalidArgument naming the field
// ("filters.regions[2]: ...") in Chinese and English. Input above 1 MiB is refused. The
// region codes of filters.regions are checked against options.regions when it is set.
Result<TaskSpec> ParseTaskSpec(const std::string& json_text, const SpecOptions& options = {});

// kInvalidArgument naming the first of `regions` (filters.regions: 2-, 4- or 6-digit
// prefixes) that is no GB/T 2260 code in `codes` ("filters.regions[2]: no such region…").
Status CheckRegionCodes(const std::vector<std::string>& regions, const RegionCodes& codes);

// The normalised spec as JSON text (stable key order): what is stored with the task and shown.
std::string SpecToJson(const TaskSpec& spec);
// The department and the participants.
std::vector<std::string> TaskDepartments(const TaskSpec& spec);

}  // namespace xj::draw
