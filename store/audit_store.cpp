#include "store/audit_store.hpp"

namespace madoguchi::store {
namespace {

constexpr const char* kColumns = "SELECT seq, at_ms, tenant_id, actor, action, target, detail, hash FROM audit_events ";

AuditRow read_row(const Statement& s) {
  return {s.column_int(0), s.column_int(1), s.column_text(2), s.column_text(3), s.column_text(4),
          s.column_text(5), s.column_text(6), s.column_blob(7)};
}

}  // namespace

result<std::optional<AuditRow>> AuditStore::last() {
  auto s = db_.prepare(std::string(kColumns) + "ORDER BY seq DESC LIMIT 1");
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<AuditRow>{};
  return std::optional<AuditRow>{read_row(s)};
}

result<void> AuditStore::append(const AuditRow& r) {
  return db_.prepare("INSERT INTO audit_events (seq, at_ms, tenant_id, actor, action, target, detail, hash) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, r.seq).bind(2, r.at_ms).bind(3, r.tenant_id).bind(4, r.actor).bind(5, r.action).bind(6, r.target)
      .bind(7, r.detail).bind(8, r.hash).run();
}

result<void> AuditStore::each(const std::function<bool(const AuditRow&)>& visit) {
  auto s = db_.prepare(std::string(kColumns) + "ORDER BY seq");
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) return {};
    if (!visit(read_row(s))) return {};
  }
}

}  // namespace madoguchi::store
