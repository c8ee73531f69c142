-- The change stream's statements (the outbox, its numbering and triggers: migration
-- 0022_changes.sql).

-- since --
-- The org's changes after position %(after)s, in the order they committed.
SELECT coalesce(json_agg(json_build_object(
         'id', c.seq::text, 'kind', c.kind, 'op', c.op, 'count', c.count, 'ids', c.ids,
         'at', c.at) ORDER BY c.seq), '[]')
FROM (SELECT * FROM changes
      WHERE org_id = %(org)s AND seq > %(after)s ORDER BY seq LIMIT %(limit)s) AS c

-- head --
-- The org's last position: what a reader that starts now has seen.
SELECT coalesce((SELECT seq FROM change_heads WHERE org_id = %(org)s), 0)

-- prune --
-- Changes older than %(keep)s, gone, every org's (a SECURITY DEFINER function, 0022).
SELECT rapport_prune_changes(%(keep)s::interval)
