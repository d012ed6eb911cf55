// The credit plugin's scoring engine "xj-points-v1" (docs/credit.md, "Scoring models"): a
// model is a JSON file of dimensions and indicators over credit records, with points per
// occurrence (by category or severity), averages in bands, time decay, bounds per indicator
// and per dimension, veto rules and grade bands. Pure: no database, no clock.
#pragma once

#include <xinjian/scorer.h>

#include <memory>
#include <string>

namespace xj::credit {

inline constexpr const char* kPointsEngine = "xj-points-v1";

class PointsEngine final : public Scorer {
 public:
  std::string Description() const override;
  Result<std::shared_ptr<const ScoringModel>> Compile(const std::string& model_json) const override;
};

// Points as text: 81250 → "812.50", -5 → "-0.05".
std::string FormatPoints(std::int64_t hundredths);

}  // namespace xj::credit
