// The data files compiled into the plugin (CMakeLists.txt: xj_embed_string).
#pragma once

#include <string_view>
#include <vector>

namespace xj::credit {

extern const std::string_view kKindsJson;
extern const std::string_view kModelEnterprise, kModelIndividual, kModelSocialOrg, kModelPublicInstitution,
    kModelIntermediary, kModelIntermediaryGrade, kModelRisk;

// The shipped scoring models (data/models/), in a fixed order.
inline std::vector<std::string_view> ShippedModels() {
  return {kModelEnterprise, kModelIndividual, kModelSocialOrg, kModelPublicInstitution, kModelIntermediary,
          kModelIntermediaryGrade, kModelRisk};
}

}  // namespace xj::credit
