#ifndef TRIAGE_CSQLITE_SHIM_H
#define TRIAGE_CSQLITE_SHIM_H
#include <sqlite3.h>

/// sqlite3_config is variadic, which Swift cannot call: this turns off SQLite's memory
/// statistics (a global mutex taken on every allocation). It must run before the first
/// connection opens; afterwards it returns SQLITE_MISUSE and changes nothing.
static inline int triage_sqlite3_disable_memstatus(void) {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
#endif
