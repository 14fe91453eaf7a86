-- 2: the unified outbox. One row per outbound message with its delivery status; the
-- provider retry keys are chosen here, before the first attempt, and reused on every retry.
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
