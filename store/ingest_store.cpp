#include "store/ingest_store.hpp"

namespace madoguchi::store {

struct IngestStore::Statements {
  explicit Statements(Database& db)
      : key(db.prepare("INSERT INTO data_keys (key_id, tenant_id, sealed_key, created_at_ms) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (key_id) DO NOTHING")),
        message(db.prepare(
            "INSERT INTO messages (id, tenant_id, channel, account_id, external_id, event_type, message_type, "
            "provider_ts_ms, received_at_ms, redelivery, key_id, body, provider_msg_ref, target_msg_ref, has_media, "
            "contact_id, conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (channel, account_id, external_id) DO NOTHING")),
        contact(db.prepare(
            "INSERT INTO contacts (tenant_id, pseudonym, label, key_id, sealed_provider_id, first_seen_ms, last_seen_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, pseudonym) "
            "DO UPDATE SET last_seen_ms = max(contacts.last_seen_ms, excluded.last_seen_ms) RETURNING id")),
        // Events can arrive out of order: only a newer follow/unfollow changes reachability.
        effect(db.prepare("UPDATE contacts SET reachable = ?, last_effect_ts_ms = ? WHERE id = ? AND last_effect_ts_ms <= ?")),
        conversation(db.prepare(
            "INSERT INTO conversations (tenant_id, account_id, contact_id, thread_pseudonym, key_id, sealed_thread_id, "
            "created_at_ms, last_message_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (account_id, thread_pseudonym) DO UPDATE SET "
            "last_message_ms = max(conversations.last_message_ms, excluded.last_message_ms), "
            "contact_id = coalesce(conversations.contact_id, excluded.contact_id) RETURNING id")),
        // A new message (re)opens the case and starts its waiting time; a conversation
        // without a window goes to the tenant's first (general) window until routing moves it.
        arrived(db.prepare(
            "UPDATE conversations SET waiting_since_ms = coalesce(waiting_since_ms, ?1), state = 'open', "
            "updated_at_ms = max(updated_at_ms, ?1), window_id = coalesce(window_id, "
            "(SELECT min(w.id) FROM windows w WHERE w.tenant_id = conversations.tenant_id)) WHERE id = ?2")),
        hide_target(db.prepare("UPDATE messages SET hidden = 1 WHERE account_id = ? AND provider_msg_ref = ?")),
        // An unsent message's fetched content goes too (secure_delete overwrites it).
        drop_media(db.prepare("DELETE FROM media WHERE message_id IN "
                              "(SELECT id FROM messages WHERE account_id = ? AND provider_msg_ref = ?)")),
        hide_if_unsent(db.prepare("UPDATE messages SET hidden = 1 WHERE id = ? AND EXISTS "
                                  "(SELECT 1 FROM messages u WHERE u.account_id = ? AND u.target_msg_ref = ?)")),
        job(db.prepare("INSERT INTO jobs (kind, conversation_id, message_id, max_attempts, run_at_ms, created_at_ms, "
                       "updated_at_ms) VALUES (?, ?, ?, 8, ?, ?, ?)")) {}
  Statement key, message, contact, effect, conversation, arrived, hide_target, drop_media,
      hide_if_unsent, job;
};

IngestStore::IngestStore(Database& db) : db_(db), sql_(std::make_unique<Statements>(db)) {}
IngestStore::~IngestStore() = default;

namespace {

// The id an upsert ... RETURNING id gave back.
result<std::int64_t> returned_id(Statement& s) {
  auto row = s.step();
  if (!row) return row.error();
  if (!*row) {
    s.reset();
    return errc::store_failed;
  }
  const auto id = s.column_int(0);
  auto done = s.step();  // completes the statement
  s.reset();
  if (!done) return done.error();
  return id;
}

}  // namespace

result<void> IngestStore::write_event(const EventRecord& e, IngestOutcome& outcome) {
  auto& s = *sql_;
  // Contact and conversation first, so the message row is written once with its links.
  // Both upserts only raise last-seen times to a maximum: for a redelivered event they
  // change nothing, and the message insert below then recognises the duplicate.
  std::optional<std::int64_t> contact, conversation;
  if (!e.contact_pseudonym.empty()) {
    s.contact.bind(1, e.tenant_id).bind(2, e.contact_pseudonym).bind(3, e.contact_label).bind(4, e.key_id)
        .bind(5, e.sealed_contact_id).bind(6, e.provider_ts_ms).bind(7, e.provider_ts_ms);
    auto id = returned_id(s.contact);
    if (!id) return id.error();
    contact = *id;
  }
  if (!e.thread_pseudonym.empty()) {
    s.conversation.bind(1, e.tenant_id).bind(2, e.account_id);
    if (contact) s.conversation.bind(3, *contact); else s.conversation.bind_null(3);
    s.conversation.bind(4, e.thread_pseudonym).bind(5, e.key_id).bind(6, e.sealed_thread_id)
        .bind(7, e.received_at_ms).bind(8, e.provider_ts_ms);
    auto id = returned_id(s.conversation);
    if (!id) return id.error();
    conversation = *id;
  }

  s.message.bind(1, e.message_id).bind(2, e.tenant_id).bind(3, e.channel).bind(4, e.account_id)
      .bind(5, e.external_id).bind(6, e.event_type).bind(7, e.message_type).bind(8, e.provider_ts_ms)
      .bind(9, e.received_at_ms).bind(10, std::int64_t{e.redelivery}).bind(11, e.key_id).bind(12, e.body);
  if (e.provider_msg_ref.empty()) s.message.bind_null(13); else s.message.bind(13, e.provider_msg_ref);
  if (e.target_msg_ref.empty()) s.message.bind_null(14); else s.message.bind(14, e.target_msg_ref);
  s.message.bind(15, std::int64_t{e.has_media});
  if (contact) s.message.bind(16, *contact); else s.message.bind_null(16);
  if (conversation) s.message.bind(17, *conversation); else s.message.bind_null(17);
  if (auto r = s.message.run(); !r) return r;
  if (db_.changes() == 0) {  // UNIQUE(channel, account, external id): a redelivery
    ++outcome.duplicates;
    return {};
  }
  ++outcome.stored;

  if (contact && (e.effect == ContactEffect::reachable || e.effect == ContactEffect::unreachable)) {
    s.effect.bind(1, std::int64_t{e.effect == ContactEffect::reachable}).bind(2, e.provider_ts_ms)
        .bind(3, *contact).bind(4, e.provider_ts_ms);
    if (auto r = s.effect.run(); !r) return r;
  }
  if (!e.target_msg_ref.empty()) {
    s.hide_target.bind(1, e.account_id).bind(2, e.target_msg_ref);
    if (auto r = s.hide_target.run(); !r) return r;
    s.drop_media.bind(1, e.account_id).bind(2, e.target_msg_ref);
    if (auto r = s.drop_media.run(); !r) return r;
  }
  if (!e.provider_msg_ref.empty()) {  // the unsend may have come first
    s.hide_if_unsent.bind(1, e.message_id).bind(2, e.account_id).bind(3, e.provider_msg_ref);
    if (auto r = s.hide_if_unsent.run(); !r) return r;
  }
  auto enqueue = [&](const char* kind) {
    s.job.bind(1, std::string_view(kind)).bind(2, conversation.value_or(0)).bind(3, e.message_id)
        .bind(4, e.received_at_ms).bind(5, e.received_at_ms).bind(6, e.received_at_ms);
    return s.job.run();
  };
  if (e.event_type == "message" && conversation) {
    s.arrived.bind(1, e.received_at_ms).bind(2, *conversation);
    if (auto r = s.arrived.run(); !r) return r;
    if (auto r = enqueue("triage"); !r) return r;
  }
  // A bounce about one of our replies: triage marks that reply failed (no new case, no wait).
  if (e.event_type == "delivery_report" && conversation)
    if (auto r = enqueue("triage"); !r) return r;
  if (e.has_media)
    if (auto r = enqueue("fetch_media"); !r) return r;
  return {};
}

result<IngestOutcome> IngestStore::write_batch(const IngestBatch& batch) {
  if (auto r = db_.exec("SAVEPOINT ingest_batch"); !r) return r.error();
  IngestOutcome outcome;
  auto write_all = [&]() -> result<void> {
    for (const auto& k : batch.keys) {
      sql_->key.bind(1, k.key_id).bind(2, k.tenant_id).bind(3, k.sealed_key).bind(4, k.created_at_ms);
      if (auto r = sql_->key.run(); !r) return r;
    }
    for (const auto& e : batch.events)
      if (auto r = write_event(e, outcome); !r) return r;
    return {};
  };
  if (auto written = write_all(); !written) {
    db_.rollback("ROLLBACK TO ingest_batch");
    db_.rollback("RELEASE ingest_batch");
    return written.error();
  }
  if (auto r = db_.exec("RELEASE ingest_batch"); !r) return r.error();
  return outcome;
}

}  // namespace madoguchi::store
