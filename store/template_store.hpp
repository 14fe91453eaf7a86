#pragma once
// 定型文 (reply templates) of a tenant: shared by every window or kept for one. Plain text
// (no personal data). Not thread-safe: one owner thread (or a caller's mutex).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/database.hpp"

namespace madoguchi::store {

struct TemplateRow {
  std::int64_t id = 0;
  std::string tenant_id;
  std::optional<std::int64_t> window_id;  // nullopt: every window
  std::string window_name;                // "" when for every window
  std::string title, body, updated_by;
  std::int64_t updated_at_ms = 0;
};

class TemplateStore {
 public:
  explicit TemplateStore(Database& db) : db_(db) {}

  // Ordered: the tenant's shared ones first, then by window, then by title.
  [[nodiscard]] result<std::vector<TemplateRow>> list(const std::string& tenant_id);
  [[nodiscard]] result<std::optional<TemplateRow>> get(const std::string& tenant_id, std::int64_t id);
  [[nodiscard]] result<std::int64_t> count(const std::string& tenant_id);
  // Inside the caller's transaction (with the audit entry).
  [[nodiscard]] result<std::int64_t> insert(const TemplateRow& row);
  [[nodiscard]] result<void> update(const TemplateRow& row);
  [[nodiscard]] result<void> remove(const std::string& tenant_id, std::int64_t id);

 private:
  Database& db_;
};

}  // namespace madoguchi::store
