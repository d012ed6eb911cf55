// The inspection plugin (docs/visits.md): visits, results, review, publication and deadlines.
// For now it owns only its tables, through its migrations (migrations/, applied by the host
// before any command uses them); its init registers nothing. The visit service and its
// commands move here from plugins/draw/src/visits.cpp in the next step of issue 13.
//
// Its migrations take over tables an older release created as core migrations (001_visits
// adopts core 003_visits, 002_deadline_provisional adopts core 006_deadline_provisional:
// xinjian/plugin.h). The tables have no foreign key into the draw plugin's tables; a visit
// names its task by id only.
#include <xinjian/plugin.h>

namespace {

xj::Status Init(xj::Registrar&) { return xj::Status::Ok(); }

}  // namespace

XJ_PLUGIN(Init)
