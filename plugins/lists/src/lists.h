// What the lists plugin's parts share.
#pragma once

#include <xinjian/plugin.h>

#include "listings.h"
#include "remedies.h"

namespace xj::lists {

Status RegisterCommands(Registrar& registrar);
Status RegisterRoutes(Registrar& registrar, const RemedyConfig& remedy_config, credit::RecordsService* records);

Status RegisterDemo(Registrar& registrar, const RemedyConfig& config, credit::RecordsService* records);

// Today on the platform clock (Asia/Shanghai).
Result<CivilDate> Today(Platform& platform);

}  // namespace xj::lists
