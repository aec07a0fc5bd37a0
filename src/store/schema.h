// Internal to the store: the schema and its versioned migrations.
#pragma once

#include "store/database.h"
#include "util/status.h"

namespace lockbox::store::internal {

// The newest schema version this code knows.
int LatestSchemaVersion();

// Brings `db` to LatestSchemaVersion(): each pending migration runs once, in its own
// transaction, and records itself in schema_version. A store already at a newer version than
// this code is refused (kUnsupported) untouched. Safe when several servers open one store at
// once: a migration another server applied first is skipped.
Status Migrate(Database& db);

}  // namespace lockbox::store::internal
