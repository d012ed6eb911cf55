// The native connection handles behind SOCI sessions. Kept in its own file because
// soci-sqlite3.h wraps <sqlite3.h> in a namespace of its own, which clashes with the global
// declarations other files use; the pointer is handed over untyped.
#include <memory>
#include <string>

#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#ifdef XJ_WITH_POSTGRES
#include <soci/postgresql/soci-postgresql.h>
#endif

namespace xj::detail {
void* SqliteNativeHandle(soci::session& s) {
  return static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
}
void* PgNativeHandle(soci::session& s) {
#ifdef XJ_WITH_POSTGRES
  return static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_;
#else
  (void)s;
  return nullptr;
#endif
}
}  // namespace xj::detail

namespace xj::detail {
// Sessions are created here with the statically linked backend factories (no dlopen of
// backends at run time).
std::unique_ptr<soci::session> OpenSqliteSession(const std::string& connect) {
  return std::make_unique<soci::session>(soci::sqlite3, connect);
}
std::unique_ptr<soci::session> OpenPgSession(const std::string& connect) {
#ifdef XJ_WITH_POSTGRES
  return std::make_unique<soci::session>(soci::postgresql, connect);
#else
  (void)connect;
  return nullptr;
#endif
}
}  // namespace xj::detail
