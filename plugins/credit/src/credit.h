// What the credit plugin's parts share (plugin.cpp builds it once, at init).
#pragma once

#include <xinjian/plugin.h>

#include <functional>
#include <memory>
#include <string>

#include "records.h"
#include "scoring.h"

namespace xj::credit {

struct Credit {
  Platform* platform = nullptr;
  std::shared_ptr<Kinds> kinds;
  std::shared_ptr<ModelCache> models = std::make_shared<ModelCache>();
  // The plugin's configuration ("plugins.credit.<key>") as the registrar saw it at init.
  std::function<std::string(const std::string&, const std::string&)> config;

  Result<PublicityRules> Rules() const { return PublicityRules::FromConfig(config); }
  // The scoring on `p` (a command's, a job's, a request's platform).
  Scoring On(Platform& p) const { return Scoring(p, models); }
};

Status RegisterCommands(Registrar& registrar, Credit* credit);
Status RegisterRoutes(Registrar& registrar, Credit* credit);
Status RegisterDemo(Registrar& registrar, Credit* credit);
Status RegisterBench(Registrar& registrar, Credit* credit);
// 公开比选: choosing an intermediary (selection.cpp).
Status RegisterSelection(Registrar& registrar, Credit* credit);

// The text of `credit explain` (also the tests' reference).
std::string ExplainText(const StoredScore& s);

}  // namespace xj::credit
