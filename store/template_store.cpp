#include "store/template_store.hpp"

namespace madoguchi::store {
namespace {

constexpr const char* kColumns =
    "SELECT t.id, t.tenant_id, t.window_id, coalesce(w.name, ''), t.title, t.body, t.updated_by, t.updated_at_ms "
    "FROM reply_templates t LEFT JOIN windows w ON w.id = t.window_id ";

TemplateRow read_row(const Statement& s) {
  TemplateRow r;
  r.id = s.column_int(0);
  r.tenant_id = s.column_text(1);
  if (!s.column_is_null(2)) r.window_id = s.column_int(2);
  r.window_name = s.column_text(3);
  r.title = s.column_text(4);
  r.body = s.column_text(5);
  r.updated_by = s.column_text(6);
  r.updated_at_ms = s.column_int(7);
  return r;
}

void bind_window(Statement& s, int i, const std::optional<std::int64_t>& window_id) {
  if (window_id) s.bind(i, *window_id);
  else s.bind_null(i);
}

}  // namespace

result<std::vector<TemplateRow>> TemplateStore::list(const std::string& tenant_id) {
  auto s = db_.prepare(std::string(kColumns) + "WHERE t.tenant_id = ? ORDER BY t.window_id IS NOT NULL, w.name, t.title, t.id");
  s.bind(1, tenant_id);
  std::vector<TemplateRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_row(s));
  }
  return out;
}

result<std::optional<TemplateRow>> TemplateStore::get(const std::string& tenant_id, std::int64_t id) {
  auto s = db_.prepare(std::string(kColumns) + "WHERE t.tenant_id = ? AND t.id = ?");
  s.bind(1, tenant_id).bind(2, id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<TemplateRow>{};
  return std::optional<TemplateRow>{read_row(s)};
}

result<std::int64_t> TemplateStore::count(const std::string& tenant_id) {
  auto s = db_.prepare("SELECT count(*) FROM reply_templates WHERE tenant_id = ?");
  s.bind(1, tenant_id);
  auto row = s.step();
  if (!row) return row.error();
  return s.column_int(0);
}

result<std::int64_t> TemplateStore::insert(const TemplateRow& r) {
  auto s = db_.prepare(
      "INSERT INTO reply_templates (tenant_id, window_id, title, body, updated_by, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, r.tenant_id);
  bind_window(s, 2, r.window_id);
  s.bind(3, r.title).bind(4, r.body).bind(5, r.updated_by).bind(6, r.updated_at_ms);
  if (auto done = s.run(); !done) return done.error();
  return db_.last_insert_rowid();
}

result<void> TemplateStore::update(const TemplateRow& r) {
  auto s = db_.prepare(
      "UPDATE reply_templates SET window_id = ?, title = ?, body = ?, updated_by = ?, updated_at_ms = ? "
      "WHERE tenant_id = ? AND id = ?");
  bind_window(s, 1, r.window_id);
  s.bind(2, r.title).bind(3, r.body).bind(4, r.updated_by).bind(5, r.updated_at_ms).bind(6, r.tenant_id).bind(7, r.id);
  return s.run();
}

result<void> TemplateStore::remove(const std::string& tenant_id, std::int64_t id) {
  return db_.prepare("DELETE FROM reply_templates WHERE tenant_id = ? AND id = ?").bind(1, tenant_id).bind(2, id).run();
}

}  // namespace madoguchi::store
