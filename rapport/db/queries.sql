-- Statements of the database layer itself (rapport.db).

-- fold --
-- An org's signed counts in {table} folded into one row per ({keys}), keys whose {count}
-- sums to 0 gone (rapport.db.counts). Rows appended while it runs are not in its snapshot
-- and stay; two folds at once delete each row once.
WITH gone AS (
  DELETE FROM {table} WHERE org_id = %(org)s RETURNING {keys}, {sums}
)
INSERT INTO {table} (org_id, {keys}, {sums})
SELECT %(org)s, {keys}, {summed} FROM gone
GROUP BY {keys} HAVING sum({count}) <> 0
