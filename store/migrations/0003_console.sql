-- 3: the counselor console. Case fields live on the conversation (one case per
-- conversation for now); free text written by staff (notes, hand-over notes, reasons) is
-- sealed like message bodies; the audit log is append-only (triggers) and hash-chained.
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
