-- The learning loop at scale (bench/learning.py, 1M events, 300,000 agent messages).

-- An experiment's funnel counted as message statuses change, instead of read from every
-- message on each request (results: 650 ms with the scan). Rows are signed changes
-- (+1 a message reached a status, -1 it left it), appended by the statement triggers below
-- without locking anything, so concurrent ingests never wait for one another; the sum per
-- (variant, status) is the count. The worker folds each org's rows into one per key
-- (learning/queries.sql, funnel_fold).
CREATE TABLE variant_funnel (
  org_id     uuid NOT NULL,
  variant_id text NOT NULL,
  status     text NOT NULL,
  id         bigint GENERATED ALWAYS AS IDENTITY,
  messages   bigint NOT NULL,
  PRIMARY KEY (org_id, variant_id, status, id)
);
SELECT rapport_isolate('variant_funnel');

CREATE FUNCTION rapport_count_statuses() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO variant_funnel (org_id, variant_id, status, messages)
    SELECT org_id, variant_id, status, count(*) FROM added
    WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO variant_funnel (org_id, variant_id, status, messages)
    SELECT org_id, variant_id, status, -count(*) FROM gone
    WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO variant_funnel (org_id, variant_id, status, messages)
    SELECT org_id, variant_id, status, sum(n) FROM (
      SELECT org_id, variant_id, status, 1 AS n FROM added
      UNION ALL
      SELECT org_id, variant_id, status, -1 FROM gone) AS change
    WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER message_status_counted_insert AFTER INSERT ON message_status
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_statuses();
CREATE TRIGGER message_status_counted_update AFTER UPDATE ON message_status
  REFERENCING OLD TABLE AS gone NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_statuses();
CREATE TRIGGER message_status_counted_delete AFTER DELETE ON message_status
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_statuses();

INSERT INTO variant_funnel (org_id, variant_id, status, messages)
SELECT org_id, variant_id, status, count(*) FROM message_status
WHERE variant_id IS NOT NULL GROUP BY 1, 2, 3;

-- The funnel no longer reads message_status by variant; who replied to a variant does, in
-- contact order, so counting them distinct needs no sort.
DROP INDEX message_status_variant_idx;
CREATE INDEX message_status_replied_idx ON message_status (org_id, variant_id, contact_id)
  WHERE status = 'replied' AND variant_id IS NOT NULL;

-- The org's contacts with a qualified or won conversation (an experiment's outcomes), read
-- from the index alone.
CREATE INDEX conversations_outcome_idx ON conversations (org_id, contact_id)
  INCLUDE (is_qualified, sales_stage) WHERE is_qualified OR sales_stage = 'won';

-- A statement that creates many follow-ups (a trigger's run over a backlog makes
-- thousands) mirrors each of their conversations once, not once per row (0003's
-- rapport_mirror_follow_up, set-based). Updates and deletes stay per row.
CREATE FUNCTION rapport_follow_ups_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('rapport.mirror', true) = 'off' THEN
    RETURN NULL;  -- written from the conversation's own follow_up: already what it shows
  END IF;
  WITH talks AS (
    SELECT DISTINCT org_id, conversation_id FROM added WHERE conversation_id IS NOT NULL
  ),
  next_one AS MATERIALIZED (
    SELECT t.org_id, t.conversation_id, n.id IS NOT NULL AS found, n.due_at, n.reason,
           n.notes, n.reminder_sent
    FROM talks AS t
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
          ELSE c.follow_up_required END;
  RETURN NULL;
END
$$;
DROP TRIGGER follow_ups_mirror ON follow_ups;
CREATE TRIGGER follow_ups_mirror
  AFTER DELETE OR UPDATE OF due_at, reason, notes, status, reminder_sent ON follow_ups
  FOR EACH ROW EXECUTE FUNCTION rapport_follow_up_changed();
CREATE TRIGGER follow_ups_mirror_added
  AFTER INSERT ON follow_ups REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_follow_ups_added();
