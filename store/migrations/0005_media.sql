-- 5: media content fetched by the media stage (fetch_media jobs): one row per inbound
-- media message once its outcome is known. Only `fetched` rows hold content, sealed under
-- a tenant data key like message bodies; type and size are in clear for the console.
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
