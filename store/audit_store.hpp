#pragma once
// Rows of the append-only audit log (the table refuses UPDATE and DELETE). The chain's
// hashes are computed by the caller (gateway/console/audit). Not thread-safe.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "store/database.hpp"
#include "store/records.hpp"

namespace madoguchi::store {

struct AuditRow {
  std::int64_t seq = 0, at_ms = 0;
  std::string tenant_id, actor, action, target, detail;
  Blob hash;
};

class AuditStore {
 public:
  explicit AuditStore(Database& db) : db_(db) {}
  [[nodiscard]] result<std::optional<AuditRow>> last();
  [[nodiscard]] result<void> append(const AuditRow& row);  // row.seq must be last()->seq + 1
  // Every row in seq order; `visit` returns false to stop.
  [[nodiscard]] result<void> each(const std::function<bool(const AuditRow&)>& visit);

 private:
  Database& db_;
};

}  // namespace madoguchi::store
