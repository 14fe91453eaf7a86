#pragma once
// Numbered migrations. Version N is applied once, in its own transaction, and
// recorded in schema_migrations; the SQL avoids SQLite-only constructs where it can
// so a PostgreSQL backend can share it later.
#include "gateway/core/errc.hpp"
#include "store/database.hpp"

namespace madoguchi::store {

[[nodiscard]] result<void> migrate(Database& db);
int schema_version(Database& db);
int latest_schema_version();

}  // namespace madoguchi::store
