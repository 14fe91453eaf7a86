-- 8: what the queue shows beside urgency.
-- triaged: whether triage has assessed any message of the conversation yet. Its urgency is
-- the highest its messages reached, and 情報提供 only while every one was a plain question:
-- before the first assessment the stored 通常 is a placeholder, not a level the minimum may
-- keep (it kept every 情報提供 conversation at 通常).
ALTER TABLE conversations ADD COLUMN triaged INTEGER NOT NULL DEFAULT 0;
UPDATE conversations SET triaged = 1 WHERE EXISTS
  (SELECT 1 FROM jobs j WHERE j.conversation_id = conversations.id AND j.kind = 'triage' AND j.state = 'done');
-- read_at_ms: when a staff member last opened its messages: newer messages are 未読 for the
-- whole team (the queue is shared; who read what is in the audit log).
ALTER TABLE conversations ADD COLUMN read_at_ms INTEGER NOT NULL DEFAULT 0;
