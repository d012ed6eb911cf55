// The proof folder of a revealed task, in its two variants, and its verification from the
// files alone (docs/draw.md, "The proof folder" and "Verifying a proof, step by step").
//
// The full variant is what docs/draw-v1.md section 8 describes: proof.json, pool.tsv,
// selection.tsv and, when teams were drawn, assignment.tsv, groups.tsv and conflicts.tsv. A
// task whose strata are confidential (risk classes, which are never public) is published to
// everyone in the public variant: proof.json gains "withheld": ["stratum"] and
// "stratum_sizes" (N_s per stratum, aggregate), and pool.tsv and selection.tsv, whose stratum
// column is each subject's class, are replaced by pool-public.tsv ("uscc") and
// selection-public.tsv ("rank, uscc, ticket"). Every hash stays the hash of the full file, so
// the public variant still names the draw it comes from; a verifier checks all that needs no
// class and says what it could not check. The full variant goes only to the task's
// departments and auditors.
//
// VerifyProof is what `xinjian verify` runs; tools/verify_draw.py and
// plugins/draw/web/verify-draw.js make the same checks in the same order and name the first
// mismatch with the same English text (the test "draw: the three verifiers agree" holds them
// to it).
//
// Thread safety: plain functions; VerifyProof reads files only.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tasks.h"
#include "xinjian/platform.h"
#include "xinjian/sql.h"
#include "xinjian/status.h"

namespace xj::draw {

// The files of one proof folder, proof.json last (a folder with a proof.json is complete).
struct ProofFile {
  std::string name;
  std::string content;
};
using ProofFiles = std::vector<ProofFile>;

// The file named `name`, or nullptr.
const ProofFile* FindProofFile(const ProofFiles& files, std::string_view name);

// What the public variant withholds (proof.json "withheld").
inline constexpr const char* kWithheldStratum = "stratum";

// True when the task's strata may not be published (its strata are risk classes), so that
// everyone gets the public variant of its proof. False when its spec cannot be read.
bool StrataWithheld(const TaskRecord& task);

// The full proof files of a revealed task, from the stored draw (checked against its
// hashes). kFailedPrecondition before the reveal, kNotFound for no such task, kInternal when
// the stored draw no longer matches its hashes.
Result<ProofFiles> FullProofFiles(Sql& sql, const std::string& id);

// The public variant of a full proof folder (see above). kInvalidArgument when `full` lacks
// proof.json, pool.tsv or selection.tsv or they are malformed.
Result<ProofFiles> PublicProofVariant(const ProofFiles& full);

// The proof files everyone may have: the public variant when StrataWithheld, else the full
// variant. Same errors as FullProofFiles.
Result<ProofFiles> PublishedProofFiles(Sql& sql, const TaskRecord& task);

// Writes `files` into `dir` (created if missing; files of the same names are replaced, other
// files left alone), proof.json last. kUnavailable naming the path when one cannot be written.
Status WriteProofFiles(const std::string& dir, const ProofFiles& files);

// The outcome of VerifyProof.
struct ProofVerdict {
  // OK when verified. Otherwise the first mismatch as kConflict "不一致：… / mismatch: …" (an
  // algorithm that no loaded sampler implements is one: "algorithm: this verifier does not
  // know …"); kInvalidArgument, with the same message form, when the folder is no proof folder
  // (proof.json missing, over 1 MiB, not valid JSON or not an object).
  Status status;
  std::string mismatch;     // the English text after "mismatch: " (empty when none)
  std::string mismatch_zh;  // the same in Chinese
  bool public_variant = false;
  // For a public variant: what could not be checked, {中文, English} each.
  std::vector<std::pair<std::string, std::string>> not_checked;
};

// Re-computes a proof folder from its files alone (no database): see docs/draw.md,
// "Verifying a proof, step by step". The samplers and entropy sources are the platform's (no
// database needed); nullptr: none, and then only xj-draw-v1 proofs can be checked.
ProofVerdict VerifyProof(const std::string& dir, const Platform* platform);

// The text messages show for a byte string (docs/draw.md): in double quotes, its first 160
// bytes then … when longer, with \" \\ \t \n \r, \uXXXX for other control and invisible
// characters and \xNN for a byte that is not part of well-formed UTF-8.
std::string QuoteBytes(std::string_view bytes);

}  // namespace xj::draw
