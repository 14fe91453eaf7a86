#include "queue/schema.hpp"

#include <array>
#include <chrono>

namespace madoguchi::queue {
namespace {

// Append only: a released migration is never edited. Portable SQL (PostgreSQL later):
// INTEGER PRIMARY KEY becomes an identity column there, BLOB becomes bytea.
constexpr std::array<const char*, 5> kMigrations = {
    R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL
);
CREATE TABLE windows (
  id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  name TEXT NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE TABLE channel_accounts (
  id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  channel TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (channel, name)
);
CREATE TABLE data_keys (
  key_id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  sealed_key BLOB NOT NULL,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  pseudonym BLOB NOT NULL,
  label TEXT NOT NULL,
  key_id TEXT NOT NULL REFERENCES data_keys(key_id),
  sealed_provider_id BLOB NOT NULL,
  reachable INTEGER NOT NULL DEFAULT 1,
  last_effect_ts_ms INTEGER NOT NULL DEFAULT 0,
  first_seen_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  UNIQUE (tenant_id, pseudonym)
);
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  account_id INTEGER NOT NULL REFERENCES channel_accounts(id),
  contact_id INTEGER REFERENCES contacts(id),
  thread_pseudonym BLOB NOT NULL,
  key_id TEXT NOT NULL REFERENCES data_keys(key_id),
  sealed_thread_id BLOB NOT NULL,
  state TEXT NOT NULL DEFAULT 'open',
  created_at_ms INTEGER NOT NULL,
  last_message_ms INTEGER NOT NULL,
  UNIQUE (account_id, thread_pseudonym)
);
CREATE INDEX conversations_by_tenant ON conversations (tenant_id, last_message_ms);
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  channel TEXT NOT NULL,
  account_id INTEGER NOT NULL REFERENCES channel_accounts(id),
  external_id TEXT NOT NULL,
  conversation_id INTEGER REFERENCES conversations(id),
  contact_id INTEGER REFERENCES contacts(id),
  direction TEXT NOT NULL DEFAULT 'in',
  event_type TEXT NOT NULL,
  message_type TEXT NOT NULL DEFAULT '',
  provider_ts_ms INTEGER NOT NULL,
  received_at_ms INTEGER NOT NULL,
  redelivery INTEGER NOT NULL DEFAULT 0,
  key_id TEXT NOT NULL REFERENCES data_keys(key_id),
  body BLOB NOT NULL,
  provider_msg_ref BLOB,
  target_msg_ref BLOB,
  has_media INTEGER NOT NULL DEFAULT 0,
  hidden INTEGER NOT NULL DEFAULT 0,
  UNIQUE (channel, account_id, external_id)
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, provider_ts_ms);
CREATE INDEX messages_by_provider_ref ON messages (account_id, provider_msg_ref);
CREATE INDEX messages_by_target_ref ON messages (account_id, target_msg_ref);
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  conversation_id INTEGER NOT NULL DEFAULT 0,
  message_id TEXT NOT NULL DEFAULT '',
  payload BLOB,
  state TEXT NOT NULL DEFAULT 'ready',
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at_ms INTEGER NOT NULL,
  lease_token TEXT,
  lease_owner TEXT,
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX jobs_runnable ON jobs (kind, state, run_at_ms, id);
CREATE INDEX jobs_by_conversation ON jobs (conversation_id, state);
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
)sql",
    // 2: the unified outbox. One row per outbound message with its delivery status; the
    // provider retry keys are chosen here, before the first attempt, and reused on every retry.
    R"sql(
CREATE TABLE outbound_messages (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  origin TEXT NOT NULL,
  author TEXT NOT NULL DEFAULT '',
  in_reply_to TEXT REFERENCES messages(id),
  key_id TEXT NOT NULL REFERENCES data_keys(key_id),
  body BLOB NOT NULL,
  retry_keys TEXT NOT NULL,
  requests_total INTEGER NOT NULL,
  requests_done INTEGER NOT NULL DEFAULT 0,
  reply_state INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'queued',
  method TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL,
  updated_at_ms INTEGER NOT NULL,
  delivered_at_ms INTEGER
);
CREATE INDEX outbound_by_conversation ON outbound_messages (conversation_id, created_at_ms);
CREATE INDEX jobs_by_message ON jobs (message_id);
-- Leasing walks the unfinished jobs of a kind in id order and stops at the first runnable
-- one; finished jobs (most of the table over time) are not in this index.
CREATE INDEX jobs_pending ON jobs (kind, id) WHERE state IN ('ready', 'leased');
-- Set when the automatic first reply of a conversation is queued (its first message).
ALTER TABLE conversations ADD COLUMN first_reply_queued INTEGER NOT NULL DEFAULT 0;
)sql",
    // 3: the counselor console. Case fields live on the conversation (one case per
    // conversation for now); free text written by staff (notes, hand-over notes, reasons) is
    // sealed like message bodies; the audit log is append-only (triggers) and hash-chained.
    R"sql(
ALTER TABLE conversations ADD COLUMN window_id INTEGER REFERENCES windows(id);
-- 0 緊急, 1 高, 2 通常, 3 情報提供: ascending order is queue order.
ALTER TABLE conversations ADD COLUMN urgency INTEGER NOT NULL DEFAULT 2;
-- The oldest inbound message not yet answered by staff (NULL: nothing waiting).
ALTER TABLE conversations ADD COLUMN waiting_since_ms INTEGER;
ALTER TABLE conversations ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN writer TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN age_band TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN household TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN consent TEXT NOT NULL DEFAULT '';
ALTER TABLE conversations ADD COLUMN updated_at_ms INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET window_id = (SELECT min(w.id) FROM windows w WHERE w.tenant_id = conversations.tenant_id),
  updated_at_ms = last_message_ms;
-- Queue order (urgency, waiting first, longest wait, newest) straight from an index, so a
-- page of the queue is read without sorting the tenant's conversations: per tenant (the
-- supervisor's view), per window (a counselor's), per assignee ("mine").
CREATE INDEX conversations_queue ON conversations
  (tenant_id, state, urgency, waiting_since_ms IS NULL, waiting_since_ms, last_message_ms DESC);
CREATE INDEX conversations_window_queue ON conversations
  (window_id, state, urgency, waiting_since_ms IS NULL, waiting_since_ms, last_message_ms DESC);
CREATE INDEX conversations_assignee_queue ON conversations
  (assignee, state, urgency, waiting_since_ms IS NULL, waiting_since_ms, last_message_ms DESC);
CREATE INDEX conversations_changed ON conversations (updated_at_ms);
CREATE INDEX conversations_household ON conversations (tenant_id, household) WHERE household <> '';
CREATE TABLE staff_users (
  id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  totp_key_id TEXT REFERENCES data_keys(key_id),
  totp_secret BLOB,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_ms INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at_ms INTEGER NOT NULL
);
CREATE TABLE staff_windows (
  user_id INTEGER NOT NULL REFERENCES staff_users(id),
  window_id INTEGER NOT NULL REFERENCES windows(id),
  PRIMARY KEY (user_id, window_id)
);
-- Only a hash of the session token is stored: a copy of the database opens no session.
CREATE TABLE staff_sessions (
  token_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES staff_users(id),
  csrf_token TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);
-- The case record: notes, hand-overs, urgency changes, manual contacts, assignments.
-- `detail` holds codes only (JSON); any staff-written text is in the sealed `body`.
CREATE TABLE case_entries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  kind TEXT NOT NULL,
  author TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}',
  key_id TEXT REFERENCES data_keys(key_id),
  body BLOB,
  created_at_ms INTEGER NOT NULL
);
CREATE INDEX case_entries_by_conversation ON case_entries (conversation_id, created_at_ms);
CREATE TABLE audit_events (
  seq INTEGER PRIMARY KEY,
  at_ms INTEGER NOT NULL,
  tenant_id TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  hash BLOB NOT NULL
);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
)sql",
    // 4: triage — topic tags, whether the conversation was routed, and the closed periods
    // already answered automatically. The automatic first reply moves from its own job into
    // the triage job (which knows the opening hours): first replies still waiting are handed
    // to the triage job of the same message.
    R"sql(
ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN routed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN after_hours_period INTEGER;
ALTER TABLE conversations ADD COLUMN emergency_period INTEGER;
UPDATE conversations SET first_reply_queued = 0 WHERE id IN
  (SELECT conversation_id FROM jobs WHERE kind = 'first_reply' AND state IN ('ready', 'leased'));
UPDATE jobs SET state = 'cancelled', last_error = 'moved to triage' WHERE kind = 'first_reply' AND state IN ('ready', 'leased');
)sql",
    // 5: media content fetched by the media stage (fetch_media jobs): one row per inbound
    // media message once its outcome is known. Only `fetched` rows hold content, sealed under
    // a tenant data key like message bodies; type and size are in clear for the console.
    R"sql(
CREATE TABLE media (
  message_id TEXT PRIMARY KEY REFERENCES messages(id),
  tenant_id TEXT NOT NULL REFERENCES tenants(id),
  state TEXT NOT NULL,
  content_type TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  error_code TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  key_id TEXT REFERENCES data_keys(key_id),
  body BLOB,
  updated_at_ms INTEGER NOT NULL
);
)sql",
};

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

int latest_schema_version() { return static_cast<int>(kMigrations.size()); }

int schema_version(Database& db) {
  auto exists = db.prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'");
  auto row = exists.step();
  if (!row || !*row || exists.column_int(0) == 0) return 0;
  auto version = db.prepare("SELECT coalesce(max(version), 0) FROM schema_migrations");
  auto vrow = version.step();
  if (!vrow || !*vrow) return 0;
  return static_cast<int>(version.column_int(0));
}

result<void> migrate(Database& db) {
  if (auto r = db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)"); !r)
    return r;
  for (int v = schema_version(db) + 1; v <= latest_schema_version(); ++v) {
    if (auto r = db.exec("BEGIN IMMEDIATE"); !r) return r;
    auto applied = db.exec(kMigrations[static_cast<std::size_t>(v - 1)]);
    if (applied) {
      auto record = db.prepare("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)");
      record.bind(1, static_cast<std::int64_t>(v)).bind(2, now_ms());
      applied = record.run();
    }
    if (!applied) {
      (void)db.exec("ROLLBACK");
      return applied;
    }
    if (auto r = db.exec("COMMIT"); !r) {
      (void)db.exec("ROLLBACK");
      return r;
    }
  }
  return {};
}

}  // namespace madoguchi::queue
