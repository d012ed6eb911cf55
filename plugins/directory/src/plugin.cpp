// The directory plugin: the public directory on the web (routes.cpp: the subject search, the
// subject page, the item list, their JSON API), the search index over the subjects' names
// (search_index.cpp) with the subscriber and the command that keep it (commands.cpp), and the
// web benchmark (bench.cpp). The directories themselves belong to the host: this plugin only
// reads them, and writes only its own index tables (migrations/).
#include <xinjian/plugin.h>

#include "plugin_parts.h"

namespace {

xj::Status Init(xj::Registrar& registrar) {
  if (auto st = xj::directory::RegisterRoutes(registrar); !st.ok()) return st;
  if (auto st = xj::directory::RegisterSubscriber(registrar); !st.ok()) return st;
  if (auto st = xj::directory::RegisterCommands(registrar); !st.ok()) return st;
  return xj::directory::RegisterBench(registrar);
}

}  // namespace

XJ_PLUGIN(Init)
