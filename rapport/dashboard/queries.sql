-- The dashboard's statements: what the overview reads beyond other capabilities' verbs.

-- messages_by_day --
-- Per day of the last %(days)s (UTC), the agents' messages with an engagement event, and
-- how many of them got as far as delivered, read and replied (their furthest status,
-- message_status; a failed one counts as sent only).
SELECT json_build_object(
  'day', d.day, 'sent', count(s.message_id),
  'delivered', count(*) FILTER (WHERE rapport_event_rank(s.status) >= 3),
  'read', count(*) FILTER (WHERE rapport_event_rank(s.status) >= 4),
  'replied', count(*) FILTER (WHERE s.status = 'replied'))
FROM (SELECT current_date - k AS day FROM generate_series(0, %(days)s - 1) AS k) AS d
LEFT JOIN messages AS m
  ON m.org_id = %(org)s AND m.role IN ('agent', 'assistant')
 AND m.ts >= d.day AND m.ts < d.day + 1
LEFT JOIN message_status AS s ON s.org_id = %(org)s AND s.message_id = m.id
GROUP BY d.day ORDER BY d.day

-- follow_ups_due --
-- Scheduled follow-ups: overdue (before now), due the rest of today, and later this week.
SELECT count(*) FILTER (WHERE due_at < now()),
       count(*) FILTER (WHERE due_at >= now() AND due_at < current_date + 1),
       count(*) FILTER (WHERE due_at >= current_date + 1 AND due_at < current_date + 7)
FROM follow_ups WHERE org_id = %(org)s AND status = 'scheduled' AND due_at < current_date + 7

-- experiments_shown --
-- The org's experiments worth a look: running ones, then the latest others (at most 4).
SELECT id FROM experiments WHERE org_id = %(org)s
ORDER BY status = 'running' DESC, updated_at DESC LIMIT 4

-- volume --
-- How much the org holds, and what waits to be enriched.
SELECT (SELECT count(*) FROM contacts WHERE org_id = %(org)s),
       (SELECT count(*) FROM conversations WHERE org_id = %(org)s),
       (SELECT count(*) FROM messages WHERE org_id = %(org)s),
       (SELECT count(*) FROM events WHERE org_id = %(org)s),
       (SELECT count(*) FROM messages WHERE org_id = %(org)s AND enriched_at IS NULL),
       (SELECT count(*) FROM patterns WHERE org_id = %(org)s)
