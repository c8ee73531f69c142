-- Insight's statements: the org's data volume and shape, and the engine's statement stats.

-- volume --
-- The org's sessions and messages: totals, sessions without any stored message (never had
-- one, or retention took them all), messages per session, contacts active lately, and
-- sessions started per day over the last %(days)s days (as a JSON array, oldest first).
WITH per_session AS (
  SELECT c.id, c.message_count,
         (SELECT count(*) FROM messages AS m
          WHERE m.org_id = c.org_id AND m.conversation_id = c.id) AS stored
  FROM conversations AS c WHERE c.org_id = %(org)s
),
days AS (
  SELECT d::date AS day FROM generate_series(
    (now() AT TIME ZONE 'UTC')::date - (%(days)s - 1), (now() AT TIME ZONE 'UTC')::date,
    interval '1 day') AS d
)
SELECT
  (SELECT count(*) FROM contacts WHERE org_id = %(org)s),
  (SELECT count(*) FROM per_session),
  (SELECT coalesce(sum(stored), 0)::bigint FROM per_session),
  (SELECT count(*) FROM per_session WHERE stored = 0),
  (SELECT count(*) FROM per_session WHERE message_count = 0),
  (SELECT avg(stored)::float8 FROM per_session),
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY stored) FROM per_session),
  (SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY stored) FROM per_session),
  (SELECT count(*) FROM contacts WHERE org_id = %(org)s
     AND last_interaction > now() - interval '7 days'),
  (SELECT count(*) FROM contacts WHERE org_id = %(org)s
     AND last_interaction > now() - interval '30 days'),
  (SELECT json_agg(json_build_object('day', d.day, 'sessions', coalesce(n.sessions, 0))
                   ORDER BY d.day)
   FROM days AS d LEFT JOIN (
     SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS sessions
     FROM conversations
     WHERE org_id = %(org)s AND created_at >= now() - make_interval(days => %(days)s)
     GROUP BY 1) AS n ON n.day = d.day)

-- statements_available --
-- Whether pg_stat_statements can be read here: created in this database and loaded (0012).
SELECT rapport_statements_ready()

-- statements --
-- The application's statements that took the most time since the stats were reset: their
-- text (parameters as $1, never values), calls and times. Across orgs, as the engine
-- keeps them; for admins only.
SELECT left(regexp_replace(s.query, '\s+', ' ', 'g'), 500), s.calls,
       round(s.total_exec_time::numeric, 3)::float8, round(s.mean_exec_time::numeric, 3)::float8,
       round(s.max_exec_time::numeric, 3)::float8, s.rows
FROM pg_stat_statements AS s
WHERE s.userid = (SELECT oid FROM pg_roles WHERE rolname = current_user)
  AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY s.total_exec_time DESC
LIMIT %(limit)s
