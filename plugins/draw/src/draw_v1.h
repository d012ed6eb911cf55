// xj-draw-v1: the verifiable random draw of the 双随机、一公开 inspections.
//
// The normative description is docs/draw-v1.md, with its test vectors in docs/draw-v1/vectors;
// docs/draw.md explains it in plain words. This file holds only the pure
// algorithm: no database, no files except WriteProofFolder, no plugin registration. Given the
// same inputs every function returns byte-identical results, and tools/verify_draw.py (Python,
// standard library only) recomputes all of it from a proof folder.
//
// Conventions of this header:
// - Every function is a pure function of its arguments (WriteProofFolder also writes files).
//   None keeps state between calls, so all of them may be called from any number of threads at
//   once on distinct or shared const arguments.
// - Expected failures (bad ids, duplicate subjects, a rule that does not cover a stratum, a
//   subject that cannot be staffed) are returned as a non-OK xj::Status, never thrown. The
//   messages are bilingual ("中文 / English") and name the offending id. The only exceptions
//   are std::bad_alloc, std::runtime_error when OpenSSL itself fails, and the
//   std::invalid_argument of Select for a broken precondition.
// - Ids (USCC, inspector id, task id, group name, stratum label) are UTF-8 byte strings and
//   are compared as bytes (unsigned), which is what the spec's "sorted by bytes" means.
// - Hashes and tickets are 32 raw bytes (Digest); the hex forms are lowercase.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "xinjian/sampler.h"
#include "xinjian/status.h"

namespace xj::draw {

// The algorithm name written in notices and proofs.
inline constexpr std::string_view kAlgorithm = "xj-draw-v1";

// A SHA-256 value: a ticket, a seed or a file hash. Compared as a 256-bit big-endian integer,
// which is what std::array's lexicographic operator< does on unsigned bytes.
using Digest = std::array<std::uint8_t, 32>;

// ---------------------------------------------------------------------------------------------
// Hashing and hex helpers.

// SHA-256 of `bytes`. The digest algorithm is fetched from OpenSSL once per process.
// Throws std::runtime_error only if OpenSSL fails (out of memory, no default provider).
Digest Sha256(std::string_view bytes);

// Lowercase hexadecimal of raw bytes (of a Digest, or of any byte string).
std::string ToHex(const Digest& d);
std::string ToHex(std::string_view bytes);

// Decodes hexadecimal (either case) into bytes. Returns kInvalidArgument for an odd length or a
// non-hex character.
Result<std::string> FromHex(std::string_view hex);

// Returns OK when `id` is non-empty (unless `allow_empty`) and contains no byte below 0x20 and
// no 0x7F (tab, newline and every other control character). Otherwise returns
// kInvalidArgument whose message names `what` (e.g. "uscc") and the id.
Status ValidateId(std::string_view what, std::string_view id, bool allow_empty = false);

// ---------------------------------------------------------------------------------------------
// 1. The pool and the commitment.

// One eligible subject of a task: its USCC and its stratum label (empty when unstratified).
struct PoolEntry {
  std::string uscc;
  std::string stratum;
  friend bool operator==(const PoolEntry&, const PoolEntry&) = default;
};

// Validates and sorts a pool into canonical order (by uscc bytes). Takes the entries by value
// and returns them sorted. Returns kInvalidArgument when a uscc is empty or has a control
// character, when a stratum label has a control character, or when a uscc appears twice (the
// message names the first duplicate).
Result<std::vector<PoolEntry>> CanonicalPool(std::vector<PoolEntry> entries);

// The canonical pool file: one line "uscc\tstratum\n" per entry, in the order given. The
// caller passes the output of CanonicalPool; this function does not sort or validate.
std::string PoolFile(const std::vector<PoolEntry>& canonical_pool);

// hex(H(PoolFile(canonical_pool))).
std::string PoolHash(const std::vector<PoolEntry>& canonical_pool);

// commitment = hex(H(secret)), `secret` being the raw secret bytes (32 in production).
std::string Commitment(std::string_view secret);

// seed = H("xj-draw-v1\n" || task_id || "\n" || pool_hash || "\n" || hex(secret) || "\n" ||
// entropy). `secret` is raw bytes; `pool_hash` and the result's hex are lowercase hex.
// Does not validate its inputs (Draw does).
Digest Seed(std::string_view task_id, std::string_view pool_hash, std::string_view secret,
            std::string_view entropy);

// ---------------------------------------------------------------------------------------------
// 2. Tickets, allocation and selection.

// ticket = H(seed || uscc) for every entry of `pool`, in the same order. One output vector is
// allocated and nothing per subject: the seed is absorbed once into a SHA-256 midstate that is
// copied for each subject, so an 18-byte uscc costs one SHA-256 compression.
std::vector<Digest> Tickets(const Digest& seed, const std::vector<PoolEntry>& pool);

// The ratio rule. ppm maps a stratum label to parts per million (0 … 1 000 000); the label "*"
// is the default for strata not listed. min and max are optional per stratum (no "*").
struct RatioRule {
  std::map<std::string, std::uint32_t> ppm;
  std::map<std::string, std::uint64_t> min;
  std::map<std::string, std::uint64_t> max;
};

// The count rule: `count` subjects in total (capped at the pool size), shared among the
// strata by largest remainder.
struct CountRule {
  std::uint64_t count = 0;
};

using Rule = std::variant<RatioRule, CountRule>;

// Stratum label -> number of subjects (N_s, or k_s in an allocation). Ordered by label bytes.
using StratumCounts = std::map<std::string, std::uint64_t>;

// Counts the pool members of each stratum (N_s). Strata with no members do not appear.
StratumCounts StratumSizes(const std::vector<PoolEntry>& pool);

// Computes k_s for every stratum present in `sizes` (strata of size 0 may be passed and get 0).
// Ratio: k = ceil(N × ppm / 1e6); k = max(k, min); k = min(k, max, N).
// Count: k = min(count, N), base = k×N_s div N, leftovers by remainder descending then label.
// Returns kInvalidArgument when a ratio rule gives no ppm for a stratum and has no "*", when a
// ppm exceeds 1 000 000, or when a label in the rule has a control character.
Result<StratumCounts> Allocate(const Rule& rule, const StratumCounts& sizes);

// One chosen subject. rank is 1-based draw order; index is its position in the pool.
struct Selected {
  std::uint64_t rank = 0;
  std::uint32_t index = 0;
  std::string uscc;
  std::string stratum;
  Digest ticket{};
};

struct Selection {
  std::vector<Selected> members;  // draw order: ticket ascending across strata
  std::string file;               // "rank\tuscc\tstratum\thex(ticket)\n" per member
  std::string hash;               // hex(H(file))
};

// Selects, in each stratum s, the allocation[s] members with the smallest tickets (ties, which
// SHA-256 makes practically impossible, go to the lower pool index), then orders all chosen
// members by ticket. `tickets` must be Tickets(seed, pool); a different length is a
// programming error and throws std::invalid_argument. Strata
// missing from `allocation` get 0; an allocation above N_s is capped at N_s. Runs in
// O(N + Σ k_s log k_s) expected time using std::nth_element per stratum.
Selection Select(const std::vector<PoolEntry>& pool, const std::vector<Digest>& tickets,
                 const StratumCounts& allocation);

// ---------------------------------------------------------------------------------------------
// 3. Team assignment.

// One slot of a team: `count` members of `group`, in order.
struct Slot {
  std::string group;
  std::uint32_t count = 0;
  friend bool operator==(const Slot&, const Slot&) = default;
};

struct TeamInputs {
  // group name -> its eligible inspector ids (the order given does not matter).
  std::map<std::string, std::vector<std::string>> groups;
  // The ordered slots of every team, e.g. {{"SCJG", 2}} or {{"SCJG",1},{"WJW",1}}.
  std::vector<Slot> slots;
  // (uscc, inspector id) pairs that must not meet.
  std::set<std::pair<std::string, std::string>> conflicts;
};

struct Assignment {
  std::vector<std::vector<std::string>> teams;  // parallel to Selection::members; [0] is the lead
  std::string file;                             // "uscc\tid1,id2,…\n" per subject in draw order
  std::string hash;                             // hex(H(file))
};

// Checks the team inputs: every group name, inspector id and conflict id is a valid id, no
// inspector is listed twice in one group, every slot names a known group. Returns
// kInvalidArgument naming the offending id otherwise.
Status ValidateTeamInputs(const TeamInputs& inputs);

// Builds the teams of `selection` following the per-group streams and deferred lists of the
// spec (section 7). Validates `inputs` first (see ValidateTeamInputs). When some subjects
// cannot be staffed (a group has fewer than `count` members that are neither in conflict with
// the subject nor already on its team), every subject is still processed and the returned
// kFailedPrecondition status lists ALL failing (uscc, group) pairs in draw order; no
// assignment is returned in that case.
Result<Assignment> AssignTeams(const Digest& seed, const Selection& selection,
                               const TeamInputs& inputs);
// The same, storing in *unstaffed (when not null) every (uscc, group) pair that could not be
// staffed, in draw order, when the status is kFailedPrecondition (a verifier reports the
// first).
Result<Assignment> AssignTeams(const Digest& seed, const Selection& selection, const TeamInputs& inputs,
                               std::vector<std::pair<std::string, std::string>>* unstaffed);

// The canonical conflicts file: "uscc\tinspector_id\n" per pair, sorted by bytes.
std::string ConflictsFile(const std::set<std::pair<std::string, std::string>>& conflicts);

// The canonical groups file: "group\tinspector_id\n" per membership, sorted by bytes.
std::string GroupsFile(const std::map<std::string, std::vector<std::string>>& groups);

// ---------------------------------------------------------------------------------------------
// The same steps on a compact FrozenPool (xinjian/sampler.h), for province-scale pools. Each
// gives byte-identical results to its std::vector<PoolEntry> counterpart above (a unit test
// compares them on random pools); USCCs must be exactly 18 bytes here.

// Validates (as CanonicalPool, plus: every uscc is 18 bytes; at most 65,535 strata), sorts and
// packs a pool. Takes the entries by value.
Result<FrozenPool> FreezePool(std::vector<PoolEntry> entries);
// The inverse, for tests and small tools:
std::vector<PoolEntry> Unfreeze(const FrozenPool& pool);

std::string PoolFile(const FrozenPool& pool);
// hex(H(pool file)) computed in pieces, without materialising the file.
std::string PoolHash(const FrozenPool& pool);
StratumCounts StratumSizes(const FrozenPool& pool);
// Tickets on `threads` threads (0 = one per hardware thread).
std::vector<Digest> Tickets(const Digest& seed, const FrozenPool& pool, unsigned threads = 0);
Selection Select(const FrozenPool& pool, const std::vector<Digest>& tickets, const StratumCounts& allocation);

// ---------------------------------------------------------------------------------------------
// The whole draw, and its proof folder.

struct DrawInputs {
  std::string task_id;
  std::string secret;   // raw bytes (32 from a CSPRNG in production)
  std::string entropy;  // exactly as published; empty only in tests and demos
  std::vector<PoolEntry> pool;  // any order; Draw canonicalises it
  Rule rule;
  std::optional<TeamInputs> teams;  // no team assignment when empty
};

struct DrawResult {
  std::vector<PoolEntry> pool;  // canonical order
  std::string pool_file;
  std::string pool_hash;
  std::string commitment;
  Digest seed{};
  StratumCounts allocation;
  Selection selection;
  std::optional<Assignment> assignment;  // present iff inputs.teams was
  std::string conflicts_hash;            // empty iff no teams
};

// Runs sections 2–7 of the spec. Validates the task id (non-empty, no control character), the
// entropy (valid UTF-8), the pool (CanonicalPool), the rule (Allocate) and the team inputs
// (AssignTeams), returning the first error found; on success returns every intermediate value.
Result<DrawResult> Draw(const DrawInputs& inputs);

// Writes the proof folder of a finished draw into `dir` (created if missing; files with the
// same names are overwritten, other files are left alone):
//   proof.json     algorithm, task_id, commitment, secret (hex), entropy, pool_hash, pool_size,
//                  seed, rule, allocation, selection_hash, slots, assignment_hash,
//                  conflicts_hash (the last three null when there was no team assignment)
//   pool.tsv       the canonical pool file
//   selection.tsv  the canonical selection file
//   assignment.tsv, groups.tsv, conflicts.tsv   only when teams were assigned
// `result` must be Draw(inputs). Returns kUnavailable naming the path when a file cannot be
// written. The format is documented in docs/draw.md and read by tools/verify_draw.py.
Status WriteProofFolder(const std::string& dir, const DrawInputs& inputs, const DrawResult& result);

// The proof.json text that WriteProofFolder writes (one key per line, keys in a fixed order).
std::string ProofJson(const DrawInputs& inputs, const DrawResult& result);

}  // namespace xj::draw
