-- Organizations and users synced from an identity provider (seed 004: Clerk). An org knows
-- its provider id (external_id), so a provider's token names it; an org deleted at the
-- provider is disabled here (its tokens are refused; its data stays until it is erased).
-- identity_events remembers the provider's event ids, so a redelivered webhook writes
-- nothing twice; it holds no tenant data (ids, types and times only).
ALTER TABLE orgs
  ADD COLUMN external_id text UNIQUE,
  ADD COLUMN disabled_at timestamptz;

CREATE TABLE identity_events (
    event_id text PRIMARY KEY,
    type text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- The org a provider's id names, and whether it was deleted there.
CREATE FUNCTION rapport_org_external(external text)
RETURNS TABLE (org_id uuid, disabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT o.org_id, o.disabled_at IS NOT NULL FROM orgs AS o WHERE o.external_id = external $$;

-- The org for a provider org, made (or adopted: an org of that name not yet linked) if new,
-- enabled again if it was deleted and came back.
CREATE FUNCTION rapport_org_sync(external text, wanted text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
  found uuid;
BEGIN
  UPDATE orgs SET disabled_at = NULL WHERE external_id = external RETURNING org_id INTO found;
  IF found IS NOT NULL THEN
    RETURN found;
  END IF;
  UPDATE orgs SET external_id = external
  WHERE name = wanted AND external_id IS NULL RETURNING org_id INTO found;
  IF found IS NOT NULL THEN
    RETURN found;
  END IF;
  INSERT INTO orgs (name, external_id)
  VALUES (CASE WHEN EXISTS (SELECT FROM orgs WHERE name = wanted)
               THEN wanted || ' (' || external || ')' ELSE wanted END, external)
  RETURNING org_id INTO found;
  RETURN found;
END
$$;

CREATE FUNCTION rapport_org_disable(external text) RETURNS uuid
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  UPDATE orgs SET disabled_at = coalesce(disabled_at, now()) WHERE external_id = external
  RETURNING org_id
$$;

-- The orgs where a provider's user is an operator user (a user's own events name no org).
CREATE FUNCTION rapport_user_orgs(external text) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT u.org_id FROM users AS u WHERE u.external_id = external ORDER BY 1 $$;

SELECT rapport_grant_definers();
