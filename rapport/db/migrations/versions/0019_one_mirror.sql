-- One truth for what a conversation shows of its next follow-up (seed 000's follow_up):
-- 0018 wrote a set-based copy of 0003's rapport_mirror_follow_up for statements that add
-- many follow-ups. Both now call rapport_mirror_follow_ups, the set-based rule: each
-- conversation shows its next scheduled follow-up; with none, follow_up.required turns false
-- and the rest is left as it was. Nothing is written where nothing changes.
CREATE FUNCTION rapport_mirror_follow_ups(orgs uuid[], talks uuid[]) RETURNS void
LANGUAGE sql AS $$
  WITH talk AS (
    SELECT DISTINCT t.org_id, t.conversation_id
    FROM unnest(orgs, talks) AS t(org_id, conversation_id) WHERE t.conversation_id IS NOT NULL
  ),
  next_one AS MATERIALIZED (
    SELECT t.org_id, t.conversation_id, n.id IS NOT NULL AS found, n.due_at, n.reason,
           n.notes, n.reminder_sent
    FROM talk AS t
    LEFT JOIN LATERAL (
      SELECT f.id, f.due_at, f.reason, f.notes, f.reminder_sent FROM follow_ups AS f
      WHERE f.org_id = t.org_id AND f.conversation_id = t.conversation_id
        AND f.status = 'scheduled'
      ORDER BY f.due_at, f.id LIMIT 1) AS n ON true
  )
  UPDATE conversations AS c SET
    follow_up_required = n.found,
    follow_up_scheduled_date = CASE WHEN n.found THEN n.due_at
                                    ELSE c.follow_up_scheduled_date END,
    follow_up_reason = CASE WHEN n.found THEN n.reason ELSE c.follow_up_reason END,
    follow_up_notes = CASE WHEN n.found THEN n.notes ELSE c.follow_up_notes END,
    follow_up_reminder_sent = CASE WHEN n.found THEN n.reminder_sent
                                   ELSE c.follow_up_reminder_sent END
  FROM next_one AS n
  WHERE c.org_id = n.org_id AND c.id = n.conversation_id
    AND CASE WHEN n.found
          THEN (c.follow_up_required, c.follow_up_scheduled_date, c.follow_up_reason,
                c.follow_up_notes, c.follow_up_reminder_sent)
               IS DISTINCT FROM (true, n.due_at, n.reason, n.notes, n.reminder_sent)
          ELSE c.follow_up_required END
$$;

-- One conversation's (a follow-up updated or deleted, row by row).
CREATE OR REPLACE FUNCTION rapport_mirror_follow_up(org uuid, conversation uuid)
RETURNS void LANGUAGE sql AS $$
  SELECT rapport_mirror_follow_ups(ARRAY[org], ARRAY[conversation])
$$;

-- Every conversation a statement added follow-ups to, once.
CREATE OR REPLACE FUNCTION rapport_follow_ups_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('rapport.mirror', true) = 'off' THEN
    RETURN NULL;  -- written from the conversation's own follow_up: already what it shows
  END IF;
  PERFORM rapport_mirror_follow_ups(array_agg(org_id), array_agg(conversation_id))
  FROM added;
  RETURN NULL;
END
$$;
