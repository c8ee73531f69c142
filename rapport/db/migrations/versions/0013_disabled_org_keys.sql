-- An org deleted at its identity provider (disabled, 0008) had its tokens refused but its API
-- keys kept working. The key lookup now says when the key's org was disabled, so the key
-- is refused too (its data stays until it is erased).
DROP FUNCTION rapport_key_principal(bytea);
CREATE FUNCTION rapport_key_principal(secret_hash bytea)
RETURNS TABLE (org_id uuid, role text, id uuid, scopes text[], expires_at timestamptz,
               revoked_at timestamptz, org_disabled_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  RETURN QUERY
    SELECT k.org_id, k.role, k.id, k.scopes, k.expires_at, k.revoked_at, o.disabled_at
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
SELECT rapport_grant_definers();
