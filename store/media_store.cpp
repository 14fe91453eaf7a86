#include "store/media_store.hpp"

namespace madoguchi::store {

result<std::optional<MediaMessage>> MediaStore::message(const std::string& message_id) {
  auto s = db_.prepare("SELECT id, tenant_id, message_type, key_id, account_id, coalesce(conversation_id, 0), body, hidden "
                       "FROM messages WHERE id = ?");
  s.bind(1, message_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<MediaMessage>();
  MediaMessage m{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                 s.column_int(4),  s.column_int(5),  s.column_blob(6), s.column_int(7) != 0};
  if (auto done = s.step(); !done) return done.error();
  return std::optional<MediaMessage>(std::move(m));
}

result<std::optional<std::string>> MediaStore::state(const std::string& message_id) {
  auto s = db_.prepare("SELECT state FROM media WHERE message_id = ?");
  s.bind(1, message_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<std::string>();
  auto state = s.column_text(0);
  if (auto done = s.step(); !done) return done.error();
  return std::optional<std::string>(std::move(state));
}

result<void> MediaStore::record(const MediaRecord& m, const DataKeyRecord* key) {
  if (key) {
    auto k = db_.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (key_id) DO NOTHING");
    k.bind(1, key->key_id).bind(2, key->tenant_id).bind(3, key->sealed_key).bind(4, key->created_at_ms);
    if (auto r = k.run(); !r) return r;
  }
  auto s = db_.prepare(
      "INSERT INTO media (message_id, tenant_id, state, content_type, size_bytes, error_code, reason, key_id, body, "
      "updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO UPDATE SET "
      "state = excluded.state, content_type = excluded.content_type, size_bytes = excluded.size_bytes, "
      "error_code = excluded.error_code, reason = excluded.reason, key_id = excluded.key_id, body = excluded.body, "
      "updated_at_ms = excluded.updated_at_ms");
  s.bind(1, m.message_id).bind(2, m.tenant_id).bind(3, m.state).bind(4, m.content_type).bind(5, m.size_bytes)
      .bind(6, m.error_code).bind(7, m.reason);
  if (m.key_id.empty()) s.bind_null(8).bind_null(9);
  else s.bind(8, m.key_id).bind(9, m.body);
  s.bind(10, m.updated_at_ms);
  return s.run();
}

result<std::map<std::string, MediaRecord>> MediaStore::by_conversation(std::int64_t conversation_id) {
  auto s = db_.prepare(
      "SELECT d.message_id, d.tenant_id, d.state, d.content_type, d.size_bytes, d.error_code, d.reason, "
      "coalesce(d.key_id, ''), d.updated_at_ms FROM media d JOIN messages m ON m.id = d.message_id "
      "WHERE m.conversation_id = ?");
  s.bind(1, conversation_id);
  std::map<std::string, MediaRecord> out;
  for (;;) {
    auto row = s.step();
    if (!row) return row.error();
    if (!*row) break;
    MediaRecord r;
    r.message_id = s.column_text(0);
    r.tenant_id = s.column_text(1);
    r.state = s.column_text(2);
    r.content_type = s.column_text(3);
    r.size_bytes = s.column_int(4);
    r.error_code = s.column_text(5);
    r.reason = s.column_text(6);
    r.key_id = s.column_text(7);
    r.updated_at_ms = s.column_int(8);
    out.emplace(r.message_id, std::move(r));
  }
  return out;
}

result<std::optional<MediaRecord>> MediaStore::content(std::int64_t conversation_id, const std::string& message_id) {
  auto s = db_.prepare(
      "SELECT d.message_id, d.tenant_id, d.content_type, d.size_bytes, d.key_id, d.body, d.updated_at_ms "
      "FROM media d JOIN messages m ON m.id = d.message_id "
      "WHERE d.message_id = ? AND m.conversation_id = ? AND m.hidden = 0 AND d.state = 'fetched' "
      "AND d.key_id IS NOT NULL");
  s.bind(1, message_id).bind(2, conversation_id);
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) return std::optional<MediaRecord>();
  MediaRecord r;
  r.message_id = s.column_text(0);
  r.tenant_id = s.column_text(1);
  r.state = kMediaFetched;
  r.content_type = s.column_text(2);
  r.size_bytes = s.column_int(3);
  r.key_id = s.column_text(4);
  r.body = s.column_blob(5);
  r.updated_at_ms = s.column_int(6);
  if (auto done = s.step(); !done) return done.error();
  return std::optional<MediaRecord>(std::move(r));
}

}  // namespace madoguchi::store
