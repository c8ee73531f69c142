-- What a credential's lookup says of its org. An org deleted at its identity provider
-- (disabled, 0008) had its tokens refused but its API keys kept working: the key lookup now
-- says when the key's org was disabled, so the key is refused too (its data stays until it
-- is erased). Both lookups also bring the org's scrubbing policy (settings.pii and its phone
-- region), which every authenticated request thereby refreshes in its process's cache
-- (rapport.privacy.policy) at no extra round trip: a policy changed through one server is
-- the one the next request to any server appends under.
DROP FUNCTION rapport_key_principal(bytea);
CREATE FUNCTION rapport_key_principal(secret_hash bytea)
RETURNS TABLE (org_id uuid, role text, id uuid, scopes text[], expires_at timestamptz,
               revoked_at timestamptz, org_disabled_at timestamptz, pii jsonb, region text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  RETURN QUERY
    SELECT k.org_id, k.role, k.id, k.scopes, k.expires_at, k.revoked_at, o.disabled_at,
           o.settings -> 'pii', o.settings -> 'calls' ->> 'default_region'
    FROM api_keys AS k JOIN orgs AS o ON o.org_id = k.org_id
    WHERE k.secret_hash = rapport_key_principal.secret_hash;
  IF FOUND THEN
    UPDATE api_keys AS k SET last_used_at = now()
    WHERE k.secret_hash = rapport_key_principal.secret_hash
      AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
      AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  END IF;
END
$$;

DROP FUNCTION rapport_org_external(text);
CREATE FUNCTION rapport_org_external(external text)
RETURNS TABLE (org_id uuid, disabled boolean, pii jsonb, region text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT o.org_id, o.disabled_at IS NOT NULL, o.settings -> 'pii',
         o.settings -> 'calls' ->> 'default_region'
  FROM orgs AS o WHERE o.external_id = external
$$;
SELECT rapport_grant_definers();
