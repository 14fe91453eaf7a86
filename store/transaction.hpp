#pragma once
// Runs `body` inside BEGIN IMMEDIATE … COMMIT on `db`, rolling back on any error.
// For writers outside the group committer (outbox worker, admin commands).
#include "store/database.hpp"

namespace madoguchi::store {

template <class Body>
[[nodiscard]] result<void> in_transaction(Database& db, Body&& body) {
  if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r;
  result<void> done = body();
  if (done) done = db.exec("COMMIT");
  if (!done) db.rollback();
  return done;
}

}  // namespace madoguchi::store
