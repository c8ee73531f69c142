-- Calls counted per (UTC day, closer, availability) as they change, so seed 002's
-- closer-availability correlation over months reads a row per day and group instead of
-- every call (bench/insight.py: 312 ms p50 over 1,000,000 calls reading them all).
-- variant_funnel's scheme (0018): signed rows appended without locks, summed by the reader,
-- folded by the worker. ``closer`` '' is a call with none named.
CREATE TABLE call_tallies (
  org_id                    uuid NOT NULL,
  day                       date NOT NULL,
  closer                    text NOT NULL,
  closer_available          boolean,
  id                        bigint GENERATED ALWAYS AS IDENTITY,
  calls                     bigint NOT NULL,
  attempted                 bigint NOT NULL,
  successful                bigint NOT NULL,
  engagement_sum            double precision NOT NULL,
  engagement_n              bigint NOT NULL,
  successful_engagement_sum double precision NOT NULL,
  successful_engagement_n   bigint NOT NULL,
  PRIMARY KEY (org_id, day, id)
);
SELECT rapport_isolate('call_tallies');

CREATE FUNCTION rapport_count_calls() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  sign integer := CASE TG_OP WHEN 'DELETE' THEN -1 ELSE 1 END;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    INSERT INTO call_tallies (org_id, day, closer, closer_available, calls, attempted,
                              successful, engagement_sum, engagement_n,
                              successful_engagement_sum, successful_engagement_n)
    SELECT org_id, (start_time AT TIME ZONE 'UTC')::date, coalesce(closer, ''),
           closer_available, sign * count(*),
           sign * count(*) FILTER (WHERE transfer_attempted),
           sign * count(*) FILTER (WHERE transfer_successful),
           sign * coalesce(sum(engagement_score), 0), sign * count(engagement_score),
           sign * coalesce(sum(engagement_score) FILTER (WHERE transfer_successful), 0),
           sign * count(engagement_score) FILTER (WHERE transfer_successful)
    FROM touched GROUP BY 1, 2, 3, 4;
  ELSE  -- one call changed: it leaves its old group and joins its new one
    INSERT INTO call_tallies (org_id, day, closer, closer_available, calls, attempted,
                              successful, engagement_sum, engagement_n,
                              successful_engagement_sum, successful_engagement_n)
    VALUES
      (OLD.org_id, (OLD.start_time AT TIME ZONE 'UTC')::date, coalesce(OLD.closer, ''),
       OLD.closer_available, -1, -OLD.transfer_attempted::int, -OLD.transfer_successful::int,
       -coalesce(OLD.engagement_score, 0), -(OLD.engagement_score IS NOT NULL)::int,
       -CASE WHEN OLD.transfer_successful THEN coalesce(OLD.engagement_score, 0) ELSE 0 END,
       -(OLD.transfer_successful AND OLD.engagement_score IS NOT NULL)::int),
      (NEW.org_id, (NEW.start_time AT TIME ZONE 'UTC')::date, coalesce(NEW.closer, ''),
       NEW.closer_available, 1, NEW.transfer_attempted::int, NEW.transfer_successful::int,
       coalesce(NEW.engagement_score, 0), (NEW.engagement_score IS NOT NULL)::int,
       CASE WHEN NEW.transfer_successful THEN coalesce(NEW.engagement_score, 0) ELSE 0 END,
       (NEW.transfer_successful AND NEW.engagement_score IS NOT NULL)::int);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER calls_counted_insert AFTER INSERT ON calls
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_calls();
CREATE TRIGGER calls_counted_delete AFTER DELETE ON calls
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_calls();
CREATE TRIGGER calls_counted_update AFTER UPDATE OF start_time, closer, closer_available,
  transfer_attempted, transfer_successful, engagement_score ON calls FOR EACH ROW
  WHEN (old.start_time IS DISTINCT FROM new.start_time
        OR old.closer IS DISTINCT FROM new.closer
        OR old.closer_available IS DISTINCT FROM new.closer_available
        OR old.transfer_attempted IS DISTINCT FROM new.transfer_attempted
        OR old.transfer_successful IS DISTINCT FROM new.transfer_successful
        OR old.engagement_score IS DISTINCT FROM new.engagement_score)
  EXECUTE FUNCTION rapport_count_calls();

INSERT INTO call_tallies (org_id, day, closer, closer_available, calls, attempted,
                          successful, engagement_sum, engagement_n,
                          successful_engagement_sum, successful_engagement_n)
SELECT org_id, (start_time AT TIME ZONE 'UTC')::date, coalesce(closer, ''), closer_available,
       count(*), count(*) FILTER (WHERE transfer_attempted),
       count(*) FILTER (WHERE transfer_successful), coalesce(sum(engagement_score), 0),
       count(engagement_score),
       coalesce(sum(engagement_score) FILTER (WHERE transfer_successful), 0),
       count(engagement_score) FILTER (WHERE transfer_successful)
FROM calls GROUP BY 1, 2, 3, 4;
