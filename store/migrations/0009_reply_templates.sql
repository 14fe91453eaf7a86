-- 9: 定型文, the replies counselors start from: for every window of the tenant (window_id
-- NULL) or for one window. Written by supervisors and administrators; no personal data,
-- so stored as text. Placeholders ({窓口名}, {受付時間}, …) are filled when inserted.
CREATE TABLE reply_templates (
  id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  window_id INTEGER REFERENCES windows(id),
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at_ms INTEGER NOT NULL
);
CREATE INDEX reply_templates_by_tenant ON reply_templates (tenant_id, window_id);
