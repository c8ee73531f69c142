-- API keys with scopes, an expiry and rotation. A key's scopes narrow what its role allows:
-- read (every GET), write (conversation data), admin (users, agents' access, keys, settings).
-- Rotating a key makes a new secret and lets the old one work until the overlap ends
-- (expires_at), so a deployment can switch without downtime; replaced_by links the two.
ALTER TABLE api_keys
  ADD COLUMN scopes text[],
  ADD COLUMN expires_at timestamptz,
  ADD COLUMN replaced_by uuid;
UPDATE api_keys SET scopes = CASE role
  WHEN 'viewer' THEN ARRAY['read']
  WHEN 'operator' THEN ARRAY['read', 'write']
  ELSE ARRAY['read', 'write', 'admin'] END;
ALTER TABLE api_keys
  ALTER COLUMN scopes SET NOT NULL,
  ADD CONSTRAINT api_keys_scopes_check
    CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'admin']);

-- The key whose secret hashes to secret_hash, revoked or expired too (so the caller can say
-- which); last_used_at moves at most once a minute, so authenticating every request reads
-- one row and writes none.
DROP FUNCTION rapport_key_principal(bytea);
CREATE FUNCTION rapport_key_principal(secret_hash bytea)
RETURNS TABLE (org_id uuid, role text, id uuid, scopes text[], expires_at timestamptz,
               revoked_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
  RETURN QUERY
    SELECT k.org_id, k.role, k.id, k.scopes, k.expires_at, k.revoked_at
    FROM api_keys AS k WHERE k.secret_hash = rapport_key_principal.secret_hash;
  IF FOUND THEN
    UPDATE api_keys AS k SET last_used_at = now()
    WHERE k.secret_hash = rapport_key_principal.secret_hash
      AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
      AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute');
  END IF;
END
$$;
SELECT rapport_grant_definers();
