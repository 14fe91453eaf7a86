#include "store/case_store.hpp"

namespace madoguchi::store {
namespace {

constexpr const char* kConversationColumns =
    "SELECT c.id, c.tenant_id, a.channel, a.name, coalesce(k.label, ''), coalesce(c.window_id, 0), "
    "coalesce(w.name, ''), c.urgency, c.state, c.assignee, c.waiting_since_ms, c.last_message_ms, c.created_at_ms, "
    "c.writer, c.age_band, c.household, c.consent, c.tags, coalesce(c.household_key_id, ''), c.household_sealed, c.read_at_ms "
    "FROM conversations c "
    "JOIN channel_accounts a ON a.id = c.account_id LEFT JOIN contacts k ON k.id = c.contact_id "
    "LEFT JOIN windows w ON w.id = c.window_id ";

ConversationRow read_conversation(const Statement& s) {
  ConversationRow r;
  r.id = s.column_int(0);
  r.tenant_id = s.column_text(1);
  r.channel = s.column_text(2);
  r.account = s.column_text(3);
  r.contact_label = s.column_text(4);
  r.window_id = s.column_int(5);
  r.window_name = s.column_text(6);
  r.urgency = static_cast<int>(s.column_int(7));
  r.state = s.column_text(8);
  r.assignee = s.column_text(9);
  if (!s.column_is_null(10)) r.waiting_since_ms = s.column_int(10);
  r.last_message_ms = s.column_int(11);
  r.created_at_ms = s.column_int(12);
  r.fields = {s.column_text(13), s.column_text(14), s.column_text(15), s.column_text(16)};
  r.tags_json = s.column_text(17);
  r.fields.household_key_id = s.column_text(18);
  if (!s.column_is_null(19)) r.fields.household_sealed = s.column_blob(19);
  r.read_at_ms = s.column_int(20);
  return r;
}

}  // namespace

result<std::vector<ConversationRow>> CaseStore::select(Statement& s) {
  std::vector<ConversationRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_conversation(s));
  }
  return out;
}

result<std::vector<ConversationRow>> CaseStore::queue(const QueueFilter& f) {
  std::string sql = std::string(kConversationColumns) + "WHERE c.tenant_id = ?";
  if (!f.window_ids.empty()) {
    sql += " AND c.window_id IN (";
    for (std::size_t i = 0; i < f.window_ids.size(); ++i) sql += i ? ", ?" : "?";
    sql += ")";
  }
  if (!f.state.empty()) sql += " AND c.state = ?";
  if (f.urgency) sql += " AND c.urgency = ?";
  if (!f.assignee.empty()) sql += " AND c.assignee = ?";
  // The prefix holds only [0-9A-Z-] (checked by the caller): no LIKE wildcard to escape.
  if (!f.contact_prefix.empty()) sql += " AND k.label LIKE ? || '%'";
  if (!f.tag.empty()) sql += " AND EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.value = ?)";
  if (f.active_from_ms) sql += " AND c.last_message_ms >= ?";
  if (f.active_until_ms) sql += " AND c.created_at_ms < ?";
  sql += " ORDER BY c.urgency, c.waiting_since_ms IS NULL, c.waiting_since_ms, c.last_message_ms DESC LIMIT ?";
  auto s = db_.prepare(sql);
  int i = 1;
  s.bind(i++, f.tenant_id);
  for (auto w : f.window_ids) s.bind(i++, w);
  if (!f.state.empty()) s.bind(i++, f.state);
  if (f.urgency) s.bind(i++, std::int64_t{*f.urgency});
  if (!f.assignee.empty()) s.bind(i++, f.assignee);
  if (!f.contact_prefix.empty()) s.bind(i++, f.contact_prefix);
  if (!f.tag.empty()) s.bind(i++, f.tag);
  if (f.active_from_ms) s.bind(i++, *f.active_from_ms);
  if (f.active_until_ms) s.bind(i++, *f.active_until_ms);
  s.bind(i, std::int64_t{f.limit});
  return select(s);
}

result<std::optional<ConversationRow>> CaseStore::conversation(const std::string& tenant_id, std::int64_t id) {
  auto s = db_.prepare(std::string(kConversationColumns) + "WHERE c.tenant_id = ? AND c.id = ?");
  s.bind(1, tenant_id).bind(2, id);
  auto rows = select(s);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<ConversationRow>{};
  return std::optional<ConversationRow>{std::move(rows->front())};
}

result<std::vector<ConversationRow>> CaseStore::household(const std::string& tenant_id, const std::string& household) {
  auto s = db_.prepare(std::string(kConversationColumns) +
                       "WHERE c.tenant_id = ? AND c.household = ? AND c.household <> '' ORDER BY c.id LIMIT 50");
  s.bind(1, tenant_id).bind(2, household);
  return select(s);
}

namespace {

constexpr const char* kInboundColumns =
    "SELECT id, channel, event_type, message_type, key_id, received_at_ms, provider_ts_ms, body, hidden, has_media "
    "FROM messages WHERE conversation_id = ? AND event_type = 'message' ";

InboundRow read_inbound(const Statement& s) {
  return {s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
          s.column_int(5), s.column_int(6), s.column_blob(7), s.column_int(8) != 0, s.column_int(9) != 0};
}

}  // namespace

result<std::vector<InboundRow>> CaseStore::inbound(std::int64_t conversation_id) {
  auto s = db_.prepare(std::string(kInboundColumns) + "ORDER BY provider_ts_ms, received_at_ms");
  s.bind(1, conversation_id);
  std::vector<InboundRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back(read_inbound(s));
  }
  return out;
}

result<std::optional<InboundRow>> CaseStore::last_inbound(std::int64_t conversation_id) {
  auto s = db_.prepare(std::string(kInboundColumns) + "ORDER BY provider_ts_ms DESC, received_at_ms DESC LIMIT 1");
  s.bind(1, conversation_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<InboundRow>{};
  return std::optional<InboundRow>{read_inbound(s)};
}

result<std::vector<CaseEntryRow>> CaseStore::entries(std::int64_t conversation_id) {
  auto s = db_.prepare(
      "SELECT id, tenant_id, kind, author, detail, conversation_id, created_at_ms, coalesce(key_id, ''), body "
      "FROM case_entries WHERE conversation_id = ? ORDER BY created_at_ms, rowid");
  s.bind(1, conversation_id);
  std::vector<CaseEntryRow> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    CaseEntryRow e{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4),
                   s.column_int(5), s.column_int(6), s.column_text(7), {}};
    if (!s.column_is_null(8)) e.body = s.column_blob(8);
    out.push_back(std::move(e));
  }
  return out;
}

result<void> CaseStore::add_entry(const CaseEntryRow& e, const DataKeyRecord* key) {
  if (key) {
    auto k = db_.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (key_id) DO NOTHING");
    if (auto r = k.bind(1, key->key_id).bind(2, key->tenant_id).bind(3, key->sealed_key).bind(4, key->created_at_ms).run(); !r)
      return r;
  }
  auto s = db_.prepare("INSERT INTO case_entries (id, tenant_id, conversation_id, kind, author, detail, key_id, body, "
                       "created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, e.id).bind(2, e.tenant_id).bind(3, e.conversation_id).bind(4, e.kind).bind(5, e.author).bind(6, e.detail);
  if (e.key_id.empty()) s.bind_null(7).bind_null(8);
  else s.bind(7, e.key_id).bind(8, e.body);
  s.bind(9, e.created_at_ms);
  if (auto r = s.run(); !r) return r;
  return update("UPDATE conversations SET updated_at_ms = ?1 WHERE id = ?2", e.conversation_id, e.created_at_ms);
}

result<void> CaseStore::update(const char* sql, std::int64_t id, std::int64_t now_ms) {
  return db_.prepare(sql).bind(1, now_ms).bind(2, id).run();
}

result<void> CaseStore::set_assignee(std::int64_t id, const std::string& assignee, std::int64_t now_ms) {
  return db_.prepare("UPDATE conversations SET assignee = ?3, updated_at_ms = ?1 WHERE id = ?2")
      .bind(1, now_ms).bind(2, id).bind(3, assignee).run();
}

result<void> CaseStore::set_window(std::int64_t id, std::int64_t window_id, std::int64_t now_ms) {
  // A hand-over leaves the case unassigned in its new window.
  return db_.prepare("UPDATE conversations SET window_id = ?3, assignee = '', updated_at_ms = ?1 WHERE id = ?2")
      .bind(1, now_ms).bind(2, id).bind(3, window_id).run();
}

result<void> CaseStore::set_urgency(std::int64_t id, int urgency, std::int64_t now_ms) {
  return db_.prepare("UPDATE conversations SET urgency = ?3, updated_at_ms = ?1 WHERE id = ?2")
      .bind(1, now_ms).bind(2, id).bind(3, std::int64_t{urgency}).run();
}

result<void> CaseStore::set_fields(std::int64_t id, const CaseFields& f, std::int64_t now_ms, const DataKeyRecord* key) {
  if (key) {
    auto k = db_.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (key_id) DO NOTHING");
    if (auto r = k.bind(1, key->key_id).bind(2, key->tenant_id).bind(3, key->sealed_key).bind(4, key->created_at_ms).run(); !r)
      return r;
  }
  auto s = db_.prepare("UPDATE conversations SET writer = ?3, age_band = ?4, household = ?5, consent = ?6, "
                       "household_key_id = ?7, household_sealed = ?8, updated_at_ms = ?1 WHERE id = ?2");
  s.bind(1, now_ms).bind(2, id).bind(3, f.writer).bind(4, f.age_band).bind(5, f.household).bind(6, f.consent);
  if (f.household_key_id.empty()) s.bind_null(7).bind_null(8);
  else s.bind(7, f.household_key_id).bind(8, f.household_sealed);
  return s.run();
}

result<std::vector<ClearHousehold>> CaseStore::clear_households() {
  auto s = db_.prepare("SELECT id, tenant_id, household FROM conversations "
                       "WHERE household <> '' AND household NOT LIKE 'h1:%' ORDER BY id");
  std::vector<ClearHousehold> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    out.push_back({s.column_int(0), s.column_text(1), s.column_text(2)});
  }
  return out;
}

result<void> CaseStore::set_state(std::int64_t id, const std::string& state, std::int64_t now_ms) {
  return db_.prepare("UPDATE conversations SET state = ?3, updated_at_ms = ?1 WHERE id = ?2")
      .bind(1, now_ms).bind(2, id).bind(3, state).run();
}

// Not a change of the case: updated_at_ms stays.
result<void> CaseStore::mark_read(std::int64_t id, std::int64_t now_ms) {
  return update("UPDATE conversations SET read_at_ms = max(read_at_ms, ?1) WHERE id = ?2", id, now_ms);
}

result<void> CaseStore::mark_answered(std::int64_t id, std::int64_t now_ms) {
  return update("UPDATE conversations SET waiting_since_ms = NULL, updated_at_ms = ?1 WHERE id = ?2", id, now_ms);
}

}  // namespace madoguchi::store
