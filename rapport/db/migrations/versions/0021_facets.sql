-- Personas cut by any facet (seed 001): what a contact is beyond its own fields, kept on
-- the contact so that counting contacts per value under any filter reads one table.
-- ``sales_stage``: the stage of its latest conversation; ``channels``: where it has talked;
-- ``keywords``: what it has said (the keywords extracted from, or sent with, its messages,
-- lower case; enrichment adds them after each batch: rapport/personas).
ALTER TABLE contacts
  ADD COLUMN sales_stage text,
  ADD COLUMN channels text[] NOT NULL DEFAULT '{}',
  ADD COLUMN keywords text[] NOT NULL DEFAULT '{}';
CREATE INDEX contacts_keywords_idx ON contacts USING gin (keywords);
CREATE INDEX contacts_channels_idx ON contacts USING gin (channels);
CREATE INDEX contacts_stage_idx ON contacts (org_id, sales_stage);
CREATE INDEX contacts_industry_idx ON contacts (org_id, industry);

-- These contacts' stage and channels, read again from their conversations: one grouped
-- pass over them, and the contacts by key (a probe per contact, planned for a few rows,
-- took 3.8 s for a statement of 3,000 new conversations; this, 0.3 s for 100,000).
CREATE FUNCTION rapport_contact_facets(org uuid, people uuid[]) RETURNS void
LANGUAGE sql AS $$
  UPDATE contacts AS t SET sales_stage = f.sales_stage, channels = f.channels
  FROM (
    SELECT p.id, c.sales_stage, coalesce(c.channels, '{}') AS channels
    FROM unnest(people) AS p (id)
    LEFT JOIN (
      SELECT c.contact_id,
             (array_agg(c.sales_stage ORDER BY c.start_time DESC, c.id DESC))[1] AS sales_stage,
             array_agg(DISTINCT c.channel ORDER BY c.channel) AS channels
      FROM conversations AS c
      WHERE c.org_id = org AND c.contact_id = ANY(people)
      GROUP BY c.contact_id) AS c ON c.contact_id = p.id) AS f
  WHERE t.org_id = org AND t.id = ANY(people) AND t.id = f.id
    AND (t.sales_stage, t.channels) IS DISTINCT FROM (f.sales_stage, f.channels)
$$;

CREATE FUNCTION rapport_contact_facets_of_statement() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  one record;
BEGIN
  FOR one IN
    SELECT org_id, array_agg(DISTINCT contact_id ORDER BY contact_id) AS people FROM touched
    GROUP BY org_id
  LOOP
    PERFORM rapport_contact_facets(one.org_id, one.people);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION rapport_contact_facets_of_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM rapport_contact_facets(NEW.org_id, ARRAY[OLD.contact_id, NEW.contact_id]);
  RETURN NULL;
END
$$;

CREATE TRIGGER conversations_facets_added AFTER INSERT ON conversations
  REFERENCING NEW TABLE AS touched
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_contact_facets_of_statement();
CREATE TRIGGER conversations_facets_removed AFTER DELETE ON conversations
  REFERENCING OLD TABLE AS touched
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_contact_facets_of_statement();
CREATE TRIGGER conversations_facets_changed AFTER UPDATE OF sales_stage, channel, start_time,
  contact_id ON conversations FOR EACH ROW
  WHEN (old.sales_stage IS DISTINCT FROM new.sales_stage
        OR old.channel IS DISTINCT FROM new.channel
        OR old.start_time IS DISTINCT FROM new.start_time
        OR old.contact_id IS DISTINCT FROM new.contact_id)
  EXECUTE FUNCTION rapport_contact_facets_of_row();

-- What is stored already.
UPDATE contacts AS t SET sales_stage = f.sales_stage, channels = f.channels
FROM (
  SELECT c.org_id, c.contact_id,
         (array_agg(c.sales_stage ORDER BY c.start_time DESC, c.id DESC))[1] AS sales_stage,
         array_agg(DISTINCT c.channel ORDER BY c.channel) AS channels
  FROM conversations AS c GROUP BY c.org_id, c.contact_id) AS f
WHERE t.org_id = f.org_id AND t.id = f.contact_id;
UPDATE contacts AS t SET keywords = k.keywords
FROM (
  SELECT m.org_id, m.contact_id, array_agg(DISTINCT lower(left(x, 64))) AS keywords
  FROM messages AS m CROSS JOIN LATERAL jsonb_array_elements_text(m.keywords) AS x
  WHERE m.role = 'user' AND jsonb_typeof(m.keywords) = 'array'
  GROUP BY m.org_id, m.contact_id) AS k
WHERE t.org_id = k.org_id AND t.id = k.contact_id;

-- Contacts counted per facet value as they change, so the facets of all an org's contacts
-- read a few rows per value rather than every contact (a filter still reads the contacts
-- it selects). variant_funnel's scheme (0018): signed rows appended without locks, summed
-- by the reader, folded by the worker. ``value`` null: the contact has none.
CREATE TABLE contact_facet_tallies (
  org_id   uuid NOT NULL,
  facet    text NOT NULL,
  value    text,
  id       bigint GENERATED ALWAYS AS IDENTITY,
  contacts bigint NOT NULL,
  PRIMARY KEY (org_id, facet, id)
);
SELECT rapport_isolate('contact_facet_tallies');

-- A contact's facet values: one per scalar facet, one per element of channels and
-- keywords (or a null one when there are none).
CREATE FUNCTION rapport_facet_values(industry text, company_size text, job_title text,
                                     sales_stage text, channels text[], keywords text[])
RETURNS TABLE (facet text, value text) LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 'industry', industry
  UNION ALL SELECT 'company_size', company_size
  UNION ALL SELECT 'job_title', job_title
  UNION ALL SELECT 'sales_stage', sales_stage
  UNION ALL SELECT 'channel', x FROM unnest(
    CASE WHEN cardinality(channels) > 0 THEN channels ELSE ARRAY[NULL::text] END) AS x
  UNION ALL SELECT 'keyword', x FROM unnest(
    CASE WHEN cardinality(keywords) > 0 THEN keywords ELSE ARRAY[NULL::text] END) AS x
$$;

CREATE FUNCTION rapport_count_facets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
    SELECT t.org_id, f.facet, f.value, count(*)
    FROM touched AS t, rapport_facet_values(t.industry, t.company_size, t.job_title,
                                            t.sales_stage, t.channels, t.keywords) AS f
    GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
    SELECT t.org_id, f.facet, f.value, -count(*)
    FROM touched AS t, rapport_facet_values(t.industry, t.company_size, t.job_title,
                                            t.sales_stage, t.channels, t.keywords) AS f
    GROUP BY 1, 2, 3;
  ELSE  -- one contact's facets changed: what it left, and what it gained
    INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
    SELECT NEW.org_id, facet, value, sum(n) FROM (
      SELECT facet, value, -1 AS n FROM rapport_facet_values(
        OLD.industry, OLD.company_size, OLD.job_title, OLD.sales_stage, OLD.channels,
        OLD.keywords)
      UNION ALL
      SELECT facet, value, 1 FROM rapport_facet_values(
        NEW.industry, NEW.company_size, NEW.job_title, NEW.sales_stage, NEW.channels,
        NEW.keywords)) AS change
    GROUP BY facet, value HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER contacts_facets_counted_insert AFTER INSERT ON contacts
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_facets();
CREATE TRIGGER contacts_facets_counted_delete AFTER DELETE ON contacts
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_facets();
CREATE TRIGGER contacts_facets_counted_update AFTER UPDATE OF industry, company_size,
  job_title, sales_stage, channels, keywords ON contacts FOR EACH ROW
  WHEN (old.industry IS DISTINCT FROM new.industry
        OR old.company_size IS DISTINCT FROM new.company_size
        OR old.job_title IS DISTINCT FROM new.job_title
        OR old.sales_stage IS DISTINCT FROM new.sales_stage
        OR old.channels IS DISTINCT FROM new.channels
        OR old.keywords IS DISTINCT FROM new.keywords)
  EXECUTE FUNCTION rapport_count_facets();

INSERT INTO contact_facet_tallies (org_id, facet, value, contacts)
SELECT t.org_id, f.facet, f.value, count(*)
FROM contacts AS t, rapport_facet_values(t.industry, t.company_size, t.job_title,
                                         t.sales_stage, t.channels, t.keywords) AS f
GROUP BY 1, 2, 3;
