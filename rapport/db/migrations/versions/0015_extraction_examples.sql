-- What each org teaches its extractor (issue 11), and the model the worker trains from it.
--
-- extraction_examples: a message text and the labels the org says are right for it (intent,
-- objections, authority, resolves; rapport.extraction.learned.targets reads them). One text
-- is one example: posting it again with other labels corrects it. An example made from a
-- correction of what the extractor read from a stored message (a memory of it a person
-- replaced or deleted: source 'memory') names that message, and goes with it when the
-- message is erased or expires.
-- extraction_models: the org's trained model (a .npz of arrays, never code), the newest
-- example it saw (due when a newer one exists), and its figures. One row per org.
CREATE TABLE extraction_examples (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT rapport_uuid7(),
    text text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
    labels jsonb NOT NULL CHECK (jsonb_typeof(labels) = 'object'),
    source text NOT NULL CHECK (source IN ('api', 'memory')),
    message_id uuid,
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX extraction_examples_text_idx ON extraction_examples (org_id, md5(text));
CREATE INDEX extraction_examples_message_idx ON extraction_examples (org_id, message_id)
    WHERE message_id IS NOT NULL;

CREATE TABLE extraction_models (
    org_id uuid PRIMARY KEY REFERENCES orgs (org_id) ON DELETE CASCADE,
    version uuid NOT NULL DEFAULT rapport_uuid7(),
    model bytea NOT NULL,
    examples integer NOT NULL CHECK (examples >= 0),
    trained_through timestamptz NOT NULL,
    trained_at timestamptz NOT NULL DEFAULT now(),
    figures jsonb NOT NULL DEFAULT '{}'
);

SELECT rapport_isolate('extraction_examples');
SELECT rapport_isolate('extraction_models');

-- The orgs whose examples changed after their model was trained (or that have examples and
-- no model, or a model and no examples left): what the worker's sweep trains.
CREATE FUNCTION rapport_extraction_due() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT o.org_id FROM orgs AS o
  LEFT JOIN extraction_models AS m ON m.org_id = o.org_id
  WHERE EXISTS (SELECT FROM extraction_examples AS e WHERE e.org_id = o.org_id
                AND e.updated_at > coalesce(m.trained_through, '-infinity'))
     OR (m.org_id IS NOT NULL
         AND NOT EXISTS (SELECT FROM extraction_examples AS e WHERE e.org_id = o.org_id))
$$;
SELECT rapport_grant_definers();
