-- The nine operations' statements, for any resource: {table} and {json} (the row as its
-- public document, built by Resource from its model) and the other {holes} are the
-- resource's; every statement is scoped to the caller's organization, %(org)s.

-- get --
SELECT {json} FROM {table} AS t WHERE t.org_id = %(org)s AND t.{id} = %(id)s::uuid

-- exists --
SELECT EXISTS (SELECT 1 FROM {table} AS t WHERE t.org_id = %(org)s AND t.{id} = %(id)s::uuid)

-- delete --
DELETE FROM {table} AS t WHERE t.org_id = %(org)s AND t.{id} = %(id)s::uuid

-- update --
-- {assignments}: the patch, JSON objects merged by rapport_merge_patch (RFC 7396).
UPDATE {table} AS t SET {assignments}
WHERE t.org_id = %(org)s AND t.{id} = %(id)s::uuid
RETURNING {json}

-- bulk_update --
UPDATE {table} AS t SET {assignments} WHERE t.org_id = %(org)s AND {condition}

-- count --
SELECT count(*) FROM {table} AS t WHERE t.org_id = %(org)s AND {condition}

-- list --
-- One keyset page: {condition} holds the filter and the cursor; one row more than the
-- page, to know whether another follows.
SELECT {json} FROM {table} AS t
WHERE t.org_id = %(org)s AND {condition}
ORDER BY {order}
LIMIT %(limit)s

-- existing --
-- What is stored under the idempotency keys of items an insert skipped, typed on both
-- sides so the unique index behind the key answers.
SELECT {shown}, {as_text} FROM {table} AS t
WHERE t.org_id = %(org)s AND ({stored}) IN
  (SELECT {wanted} FROM rapport_rows(%(keys)s::jsonb) AS x(k))

-- insert --
-- One statement for single and bulk creates. Bodies arrive as one JSON array (%(rows)s)
-- beside an array of row ids (%(ids)s, time-ordered, made by the caller so a batch keeps
-- its order), read through rapport_rows so the planner probes parents by primary key.
-- Rows whose parent is missing from the caller's org make the whole statement insert
-- nothing ({keep}; the service then names the offending item), or, lenient, are skipped
-- alone; rows whose idempotency key exists are skipped ({conflict}), so a retried create
-- returns what the first one stored. {after} adds the resource's own writes in the same
-- statement (counters, summaries). Returns the row ids whose parent was missing, and
-- {returning} over the inserted rows.
WITH input AS (
  SELECT x.*, (%(ids)s::uuid[])[e.n] AS row_id
  FROM rapport_rows(%(rows)s::jsonb) WITH ORDINALITY AS e(doc, n),
       jsonb_to_record(e.doc) AS x({record})
),
source AS MATERIALIZED ({source}),
missing AS (SELECT count(*) AS n FROM source WHERE {absent}),
inserted AS (
  INSERT INTO {table} AS t (org_id, {columns})
  SELECT %(org)s, {selected} FROM source WHERE {keep}
  {conflict}
  RETURNING *
){after}
SELECT (SELECT array_agg(row_id::text) FROM source WHERE {absent}),
       (SELECT {returning} FROM inserted AS t)
