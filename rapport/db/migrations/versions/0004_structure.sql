-- The structure step: one definition of the qualification threshold, what enrichment
-- filled on each message (so an edited message is read again), messages set aside by
-- enrichment, and PostgreSQL 18's own UUIDv7 where the server has it.
--
-- Valid on PostgreSQL 15-17 with pgvector too: what needs 18 is chosen by server version.

-- The org's qualification threshold, default 70: read by the trigger that sets
-- is_qualified and by routing, so the number and its place in the settings are written once.
CREATE FUNCTION rapport_qualified_threshold(settings jsonb) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce((settings #>> '{pipeline,qualified_threshold}')::double precision, 70)
$$;

-- is_qualified turns true when the qualification score reaches the org's threshold,
-- however the score was written.
CREATE OR REPLACE FUNCTION rapport_qualify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  threshold double precision;
BEGIN
  IF NEW.qualification_score IS NULL OR NEW.is_qualified IS TRUE THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.qualification_score IS NOT DISTINCT FROM NEW.qualification_score THEN
    RETURN NEW;
  END IF;
  SELECT rapport_qualified_threshold(settings) INTO threshold FROM orgs WHERE org_id = NEW.org_id;
  IF NEW.qualification_score >= threshold
     AND (TG_OP = 'INSERT' OR OLD.qualification_score IS NULL
          OR OLD.qualification_score < threshold) THEN
    NEW.is_qualified := true;
  END IF;
  RETURN NEW;
END
$$;

-- Which of intent, confidence, sentiment, language and keywords enrichment filled (the
-- caller's own values are never overwritten); an edit of the content takes exactly these
-- back and reads the message again.
ALTER TABLE messages ADD COLUMN extracted text[] NOT NULL DEFAULT '{}';
-- Why enrichment set a message aside (it failed on it even alone), so the queue moved on.
ALTER TABLE messages ADD COLUMN enrich_error text;

-- PostgreSQL 18 makes UUIDv7 itself; older servers keep the SQL version of 0001.
DO $$
BEGIN
  IF current_setting('server_version_num')::int >= 180000 THEN
    CREATE OR REPLACE FUNCTION rapport_uuid7() RETURNS uuid
    LANGUAGE sql VOLATILE PARALLEL SAFE AS 'SELECT uuidv7()';
  END IF;
END
$$;

-- 0003's condition (a row IS DISTINCT FROM another) written field by field, as PostgreSQL
-- prints it: the same trigger, which now reads back from schema.sql exactly as built here.
DROP TRIGGER conversations_follow_up_written ON conversations;
CREATE TRIGGER conversations_follow_up_written
  AFTER UPDATE OF follow_up_required, follow_up_scheduled_date, follow_up_reason,
                  follow_up_notes, follow_up_reminder_sent ON conversations
  FOR EACH ROW
  WHEN (OLD.follow_up_required IS DISTINCT FROM NEW.follow_up_required
        OR OLD.follow_up_scheduled_date IS DISTINCT FROM NEW.follow_up_scheduled_date
        OR OLD.follow_up_reason IS DISTINCT FROM NEW.follow_up_reason
        OR OLD.follow_up_notes IS DISTINCT FROM NEW.follow_up_notes
        OR OLD.follow_up_reminder_sent IS DISTINCT FROM NEW.follow_up_reminder_sent)
  EXECUTE FUNCTION rapport_conversation_follow_up();
