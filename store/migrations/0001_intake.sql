-- 1: tenants, windows, channel accounts, data keys, contacts, conversations, messages,
-- jobs and counters: the durable intake.
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
