-- 7: at most one automatic after-hours (and emergency) reply per contact per closed period,
-- whichever of the contact's conversations it went to (an email writer opens a new
-- conversation with every new mail). Triage looks the contact's conversations up by this.
CREATE INDEX conversations_by_contact ON conversations (contact_id) WHERE contact_id IS NOT NULL;
