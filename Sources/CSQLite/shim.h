#ifndef TRIAGE_CSQLITE_SHIM_H
#define TRIAGE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
