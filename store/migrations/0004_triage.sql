-- 4: triage — topic tags, whether the conversation was routed, and the closed periods
-- already answered automatically. The automatic first reply moves from its own job into
-- the triage job (which knows the opening hours): first replies still waiting are handed
-- to the triage job of the same message.
ALTER TABLE conversations ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE conversations ADD COLUMN routed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN after_hours_period INTEGER;
ALTER TABLE conversations ADD COLUMN emergency_period INTEGER;
UPDATE conversations SET first_reply_queued = 0 WHERE id IN
  (SELECT conversation_id FROM jobs WHERE kind = 'first_reply' AND state IN ('ready', 'leased'));
UPDATE jobs SET state = 'cancelled', last_error = 'moved to triage' WHERE kind = 'first_reply' AND state IN ('ready', 'leased');
