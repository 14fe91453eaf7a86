-- 6: the household number (世帯番号) is no longer kept in clear. `household` holds a keyed
-- hash of it ("h1:" + hex, per-tenant key) that links the cases of one household; the
-- number itself is sealed under a tenant data key for display. Clear values from before
-- are sealed by the console when it starts (Cases::seal_clear_households).
ALTER TABLE conversations ADD COLUMN household_key_id TEXT REFERENCES data_keys(key_id);
ALTER TABLE conversations ADD COLUMN household_sealed BLOB;
