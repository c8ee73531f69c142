-- Tenant isolation enforced by PostgreSQL itself (row-level security), so a statement that
-- forgets its org filter returns nothing of another org, whatever the bug.
--
-- The application runs as rapport_app: it owns no table, is no superuser and cannot bypass
-- row security. Each operation sets the org it acts for (the session setting rapport.org,
-- sent in the same round trip as its first statement: rapport.db.database); every tenant
-- table's policy admits only that org's rows, for reading and for writing. With no org set,
-- rapport_org() is NULL and no tenant row is visible.
--
-- The few lookups that must cross orgs (a key's org from its secret, an org by its name, the
-- orgs with enrichment pending, other orgs' agents this org may use) are the SECURITY
-- DEFINER functions below: each runs as the owner of the schema and answers only what its
-- caller needs.

CREATE FUNCTION rapport_org() RETURNS uuid
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('rapport.org', true), '')::uuid $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rapport_app') THEN
    CREATE ROLE rapport_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  -- The migrating role may act as it (SET ROLE) when the application connects with the
  -- owner's URL rather than one of its own (RAPPORT_APP_DATABASE_URL).
  IF NOT pg_has_role(current_user, 'rapport_app', 'MEMBER') THEN
    EXECUTE format('GRANT rapport_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO rapport_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO rapport_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO rapport_app;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM rapport_app;
-- Tables of later migrations get the same rights (their policies they must bring along:
-- tests/test_isolation.py fails for a tenant table without one).
ALTER DEFAULT PRIVILEGES IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rapport_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO rapport_app;

-- The one rule for a table that holds tenant data: row security on, also for the table's
-- owner, and the tenant policy. "(SELECT rapport_org())" is evaluated once per statement,
-- not per row; with the statement's own "org_id = $1" the planner folds the two into one
-- index condition and a one-time check that they agree. Later migrations call it for the
-- tables they add (tests/test_isolation.py fails for a tenant table without a policy).
CREATE FUNCTION rapport_isolate(tenant_table regclass) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tenant_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tenant_table);
  EXECUTE format(
    'CREATE POLICY tenant ON %s USING (org_id = (SELECT rapport_org())) '
    'WITH CHECK (org_id = (SELECT rapport_org()))', tenant_table);
END
$$;

SELECT rapport_isolate(tenant_table) FROM unnest(ARRAY[
  'agent_states', 'agents', 'api_keys', 'availability', 'calls', 'contacts',
  'conversation_tallies', 'conversations', 'enrich_inflight', 'follow_ups',
  'interaction_summaries', 'knowledge_chunks', 'knowledge_documents', 'memories',
  'messages', 'objections', 'orgs', 'stage_transitions', 'users'
]::regclass[]) AS tenant_table;

-- Full-text match and JSON containment are marked LEAKPROOF after every upgrade, so their
-- indexes serve under row security too (rapport.db.isolation.LEAKPROOF says why).

-- The lookups that cross orgs. Each is SECURITY DEFINER (runs as the schema's owner, which
-- must be a superuser or have BYPASSRLS), pins its search_path, and is executable by
-- rapport_app only.

-- The key whose secret hashes to secret_hash, if it is not revoked: its org, role and id.
CREATE FUNCTION rapport_key_principal(secret_hash bytea)
RETURNS TABLE (org_id uuid, role text, id uuid)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  UPDATE api_keys AS k SET last_used_at = now()
  WHERE k.secret_hash = rapport_key_principal.secret_hash AND k.revoked_at IS NULL
  RETURNING k.org_id, k.role, k.id
$$;

-- The organization called name, made if it is new (and whether it is).
CREATE FUNCTION rapport_org_ensure(name text) RETURNS TABLE (org json, created boolean)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  INSERT INTO orgs AS o (name) VALUES (rapport_org_ensure.name)
  ON CONFLICT (name) DO UPDATE SET name = excluded.name
  RETURNING json_build_object('id', o.org_id, 'name', o.name, 'created_at', o.created_at),
            (o.xmax = 0)
$$;

CREATE FUNCTION rapport_org_named(name text) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT json_build_object('id', o.org_id, 'name', o.name, 'created_at', o.created_at)
  FROM orgs AS o WHERE o.name = rapport_org_named.name
$$;

CREATE FUNCTION rapport_org_count() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT count(*) FROM orgs $$;

-- Which of these ids are organizations (an agent's shared_with must name real ones).
CREATE FUNCTION rapport_orgs_found(ids uuid[]) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT array_agg(o.org_id::text) FROM orgs AS o WHERE o.org_id = ANY(ids) $$;

-- The orgs with rows waiting for enrichment or a batch's after-commit writes still to do:
-- what the server's enricher visits, one org at a time.
CREATE FUNCTION rapport_enrichment_orgs() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT o.org_id FROM orgs AS o
  WHERE EXISTS (SELECT FROM messages AS m WHERE m.org_id = o.org_id AND m.enriched_at IS NULL)
     OR EXISTS (SELECT FROM memories AS m WHERE m.org_id = o.org_id AND m.embedding IS NULL)
     OR EXISTS (SELECT FROM knowledge_chunks AS k
                WHERE k.org_id = o.org_id AND k.embedding IS NULL)
     OR EXISTS (SELECT FROM enrich_inflight AS f WHERE f.org_id = o.org_id
                AND f.marked_at > now() - interval '1 minute')
  ORDER BY o.org_id
$$;

-- Other orgs' agents that the current org may use (public ones, and ones shared with it;
-- a hidden one is usable by id but never listed), as much as another org is meant to see: what the agent is and does, not
-- its owner, instructions, model, configuration, knowledge or whom else it is shared with.
CREATE FUNCTION rapport_foreign_agents() RETURNS SETOF jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT jsonb_build_object(
    'id', a.id, 'name', a.name, 'role', a.role, 'status', a.status,
    'visibility', a.visibility,
    'persona', jsonb_strip_nulls(jsonb_build_object(
      'display_name', a.persona -> 'display_name', 'description', a.persona -> 'description')),
    'quick_tasks', coalesce((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                               'name', q -> 'name', 'description', q -> 'description')))
                             FROM jsonb_array_elements(a.quick_tasks) AS q), '[]'),
    'created_at', a.created_at, 'updated_at', a.updated_at, 'own', false)
  FROM agents AS a
  WHERE a.org_id IS DISTINCT FROM rapport_org()
    AND (a.visibility = 'public' OR a.shared_with @> jsonb_build_array(rapport_org()::text))
$$;

-- The one rule for the functions that cross orgs: every SECURITY DEFINER function of the
-- schema is executable by rapport_app, and by nobody else. Later migrations that add one
-- call it again.
CREATE FUNCTION rapport_grant_definers() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  definer regprocedure;
BEGIN
  FOR definer IN SELECT p.oid::regprocedure FROM pg_proc AS p
                 WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', definer);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO rapport_app', definer);
  END LOOP;
END
$$;
REVOKE ALL ON FUNCTION rapport_isolate(regclass), rapport_grant_definers() FROM PUBLIC;

SELECT rapport_grant_definers();
