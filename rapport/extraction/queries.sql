-- Every statement of rapport.extraction: what orgs teach their extractor, and their models.

-- example_upsert --
-- One text is one example: the same text again with other labels corrects it (updated_at
-- moves, so the model is due); with the same labels it is a retry and changes nothing.
-- (created, changed, the row).
INSERT INTO extraction_examples AS e (org_id, text, labels, source, message_id, actor)
VALUES (%(org)s, %(text)s, %(labels)s::jsonb, %(source)s, %(message)s::uuid, %(actor)s)
ON CONFLICT (org_id, md5(text)) DO UPDATE
  SET labels = e.labels || excluded.labels, source = excluded.source,
      message_id = coalesce(excluded.message_id, e.message_id), actor = excluded.actor,
      updated_at = now()
  WHERE e.labels IS DISTINCT FROM e.labels || excluded.labels
RETURNING xmax = 0, true, id, text, labels, source, message_id, actor, created_at, updated_at;

-- example_get --
SELECT false, false, id, text, labels, source, message_id, actor, created_at, updated_at
FROM extraction_examples WHERE org_id = %(org)s AND md5(text) = md5(%(text)s);

-- message_text --
SELECT content FROM messages WHERE org_id = %(org)s AND id = %(id)s::uuid;

-- examples_all --
-- What the org's model is trained on, and the newest change among it.
SELECT text, labels, updated_at FROM extraction_examples WHERE org_id = %(org)s
ORDER BY created_at, id;

-- model_state --
-- The org's model (without its bytes) and how many examples changed since it was trained.
SELECT m.version, m.examples, m.trained_at, m.trained_through, m.figures,
       (SELECT count(*) FROM extraction_examples AS e
        WHERE e.org_id = %(org)s AND e.updated_at > coalesce(m.trained_through, '-infinity')),
       (SELECT count(*) FROM extraction_examples AS e WHERE e.org_id = %(org)s)
FROM (SELECT 1) AS one
LEFT JOIN extraction_models AS m ON m.org_id = %(org)s;

-- model_save --
INSERT INTO extraction_models AS m (org_id, model, examples, trained_through, figures)
VALUES (%(org)s, %(model)s, %(examples)s, %(through)s, %(figures)s::jsonb)
ON CONFLICT (org_id) DO UPDATE
  SET version = rapport_uuid7(), model = excluded.model, examples = excluded.examples,
      trained_through = excluded.trained_through, trained_at = now(), figures = excluded.figures
RETURNING version, examples, trained_at;

-- model_drop --
DELETE FROM extraction_models WHERE org_id = %(org)s;

-- model_blob --
SELECT model FROM extraction_models WHERE org_id = %(org)s AND version = %(version)s::uuid;

-- orgs_due --
-- Orgs with examples newer than their model (or no model yet), for the worker's sweep. It
-- runs as no org: through the definer function of migration 0015.
SELECT org_id::text FROM rapport_extraction_due() AS due(org_id);
