#include "store/triage_store.hpp"

namespace madoguchi::store {

result<std::optional<TriageState>> TriageStore::state(std::int64_t conversation_id) {
  auto s = db_.prepare(
      "SELECT c.tenant_id, a.channel, coalesce(w.name, ''), c.tags, c.state, coalesce(c.window_id, 0), c.urgency, "
      "c.routed, c.first_reply_queued, c.triaged, "
      // The latest closed period any conversation of the same contact was answered in.
      "(SELECT max(o.after_hours_period) FROM conversations o WHERE o.id = c.id OR o.contact_id = c.contact_id), "
      "(SELECT max(o.emergency_period) FROM conversations o WHERE o.id = c.id OR o.contact_id = c.contact_id) "
      "FROM conversations c "
      "JOIN channel_accounts a ON a.id = c.account_id LEFT JOIN windows w ON w.id = c.window_id WHERE c.id = ?");
  s.bind(1, conversation_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<TriageState>{};
  TriageState t;
  t.tenant_id = s.column_text(0);
  t.channel = s.column_text(1);
  t.window_name = s.column_text(2);
  t.tags_json = s.column_text(3);
  t.state = s.column_text(4);
  t.window_id = s.column_int(5);
  t.urgency = static_cast<int>(s.column_int(6));
  t.routed = s.column_int(7) != 0;
  t.first_reply_queued = s.column_int(8) != 0;
  t.triaged = s.column_int(9) != 0;
  if (!s.column_is_null(10)) t.after_hours_period = s.column_int(10);
  if (!s.column_is_null(11)) t.emergency_period = s.column_int(11);
  return std::optional<TriageState>{std::move(t)};
}

result<std::optional<std::int64_t>> TriageStore::window_id(const std::string& tenant_id, const std::string& name) {
  auto s = db_.prepare("SELECT id FROM windows WHERE tenant_id = ? AND name = ?");
  s.bind(1, tenant_id).bind(2, name);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{s.column_int(0)};
}

result<void> TriageStore::apply(std::int64_t conversation_id, const TriageUpdate& u, std::int64_t now_ms) {
  auto s = db_.prepare(
      "UPDATE conversations SET urgency = ?, tags = ?, window_id = coalesce(?, window_id), "
      "routed = CASE WHEN ? IS NULL THEN routed ELSE 1 END, "
      "after_hours_period = coalesce(?, after_hours_period), emergency_period = coalesce(?, emergency_period), "
      "first_reply_queued = max(first_reply_queued, ?), triaged = 1, updated_at_ms = ? WHERE id = ?");
  s.bind(1, std::int64_t{u.urgency}).bind(2, u.tags_json);
  for (int i : {3, 4}) {
    if (u.window_id) s.bind(i, *u.window_id);
    else s.bind_null(i);
  }
  if (u.after_hours_period) s.bind(5, *u.after_hours_period); else s.bind_null(5);
  if (u.emergency_period) s.bind(6, *u.emergency_period); else s.bind_null(6);
  s.bind(7, std::int64_t{u.first_reply_queued}).bind(8, now_ms).bind(9, conversation_id);
  return s.run();
}

}  // namespace madoguchi::store
