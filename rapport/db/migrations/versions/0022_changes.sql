-- A change stream (issue 13): each statement that writes a tracked table leaves one row
-- per org in ``changes`` (the outbox: kind, op, the ids, in the same transaction as the
-- write) and a NOTIFY on channel rapport_changes with the org's id, so a listener knows to
-- read. Readers resume from the last ``seq`` they saw.
--
-- ``seq`` counts each org's changes in the order their transactions commit: a deferred
-- trigger numbers a transaction's rows as it commits, from the org's head (change_heads),
-- whose row lock it holds until the commit is done. So a reader that has seen seq N never
-- finds a lower number later, however the writers' commits interleave; uncommitted rows
-- have none and are never read. The lock is the commit's last act (it cannot wait on any
-- other lock after it), so writers of one org queue only for each other's commits.
-- (Ordering by insert id or transaction id would not do: a transaction that inserts
-- first and commits last would appear behind a position a reader already passed, unless
-- readers waited for every older transaction, such as an enrichment batch holding its
-- rows while the model runs.) rapport/changes maps the code.
CREATE TABLE changes (
  org_id uuid NOT NULL,
  id     bigint GENERATED ALWAYS AS IDENTITY,
  seq    bigint,
  at     timestamptz NOT NULL DEFAULT now(),
  kind   text NOT NULL,
  op     text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
  count  integer NOT NULL,
  ids    text[] NOT NULL,
  PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX changes_seq_idx ON changes (org_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX changes_age_idx ON changes (at);
SELECT rapport_isolate('changes');

CREATE TABLE change_heads (
  org_id uuid PRIMARY KEY,
  seq    bigint NOT NULL
);
SELECT rapport_isolate('change_heads');

-- The ids a statement touched (at most 1,000 in a row: ``count`` says how many there
-- were), per org; nothing while ``rapport.publish`` is off (a GDPR erasure's transaction).
CREATE FUNCTION rapport_publish_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('rapport.publish', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO changes (org_id, kind, op, count, ids)
  SELECT org_id, TG_TABLE_NAME, lower(TG_OP), count(*), (array_agg(id::text))[1:1000]
  FROM touched GROUP BY org_id;
  PERFORM pg_notify('rapport_changes', o.org_id::text)
  FROM (SELECT DISTINCT org_id FROM touched) AS o;
  RETURN NULL;
END
$$;

-- At commit: the change's number, the next of its org's.
CREATE FUNCTION rapport_number_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  WITH head AS (
    INSERT INTO change_heads AS h (org_id, seq) VALUES (NEW.org_id, 1)
    ON CONFLICT (org_id) DO UPDATE SET seq = h.seq + 1 RETURNING h.seq)
  UPDATE changes SET seq = (SELECT seq FROM head)
  WHERE changes.org_id = NEW.org_id AND changes.id = NEW.id;
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER changes_numbered AFTER INSERT ON changes
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION rapport_number_change();

DO $$
DECLARE
  tracked text;
BEGIN
  FOREACH tracked IN ARRAY ARRAY[
    'contacts', 'conversations', 'messages', 'events', 'follow_ups', 'prompt_variants',
    'experiments', 'calls', 'memories', 'objections']
  LOOP
    EXECUTE format(
      'CREATE TRIGGER %1$s_published_insert AFTER INSERT ON %1$I REFERENCING NEW TABLE AS '
      'touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_publish_changes()', tracked);
    EXECUTE format(
      'CREATE TRIGGER %1$s_published_update AFTER UPDATE ON %1$I REFERENCING NEW TABLE AS '
      'touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_publish_changes()', tracked);
    EXECUTE format(
      'CREATE TRIGGER %1$s_published_delete AFTER DELETE ON %1$I REFERENCING OLD TABLE AS '
      'touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_publish_changes()', tracked);
  END LOOP;
END
$$;

-- Changes older than ``keep``, gone, every org's (the worker's hourly sweep).
CREATE FUNCTION rapport_prune_changes(keep interval) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  WITH gone AS (DELETE FROM changes WHERE at < now() - keep RETURNING 1)
  SELECT count(*) FROM gone
$$;
SELECT rapport_grant_definers();
