// References a function that no library defines. Linked with -z undefs so that the link
// succeeds; loading it with RTLD_NOW must then fail with the loader's message, before any
// code of the plugin runs.
#include <xinjian/plugin.h>

extern "C" int xj_test_symbol_nobody_defines();

namespace {
xj::Status Init(xj::Registrar&) {
  return xj_test_symbol_nobody_defines() == 0 ? xj::Status::Ok()
                                              : xj::Status(xj::StatusCode::kInternal, "unreachable");
}
}  // namespace

XJ_PLUGIN(Init)
