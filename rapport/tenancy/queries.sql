-- Tenancy's statements: organizations, their settings, API keys.

-- org_ensure --
-- The organization called %(name)s, made if it is new (and whether it is). Names are seen
-- across orgs, so this and the next two go through SECURITY DEFINER functions (0006).
SELECT org, created FROM rapport_org_ensure(%(name)s)

-- org_by_name --
SELECT rapport_org_named(%(name)s)

-- org --
SELECT json_build_object('id', org_id, 'name', name, 'settings', settings,
                         'created_at', created_at)
FROM orgs WHERE org_id = %(org)s

-- org_count --
SELECT rapport_org_count()

-- settings --
-- The one read of an organization's settings (rapport.tenancy.settings.load).
SELECT settings FROM orgs WHERE org_id = %(org)s

-- settings_merged --
-- The settings with a patch merged in (RFC 7396), locked until the transaction stores them.
SELECT rapport_merge_patch(settings, %(patch)s::jsonb) FROM orgs WHERE org_id = %(org)s
FOR UPDATE

-- settings_store --
UPDATE orgs SET settings = %(settings)s::jsonb WHERE org_id = %(org)s

-- key_insert --
INSERT INTO api_keys AS k (org_id, name, role, prefix, secret_hash, user_id, scopes, expires_at)
VALUES (%(org)s, %(name)s, %(role)s, %(prefix)s, %(hash)s, %(user)s, %(scopes)s::text[],
        %(expires_at)s::timestamptz)
RETURNING {key}

-- key_to_rotate --
-- The key being rotated, locked until its successor is stored.
SELECT k.name, k.role, k.user_id::text, k.scopes, k.revoked_at, k.expires_at,
       k.expires_at <= now()
FROM api_keys AS k WHERE k.org_id = %(org)s AND k.id = %(id)s::uuid
FOR UPDATE

-- key_replaced --
-- The rotated key works until the overlap ends (or its own expiry, if sooner).
UPDATE api_keys AS k
SET expires_at = least(k.expires_at, now() + make_interval(secs => %(overlap)s)),
    replaced_by = %(successor)s::uuid
WHERE k.org_id = %(org)s AND k.id = %(id)s::uuid
RETURNING {key}

-- keys --
SELECT {key} FROM api_keys AS k WHERE k.org_id = %(org)s ORDER BY k.created_at

-- key_revoke --
-- Revoking twice keeps the first moment.
UPDATE api_keys AS k SET revoked_at = coalesce(k.revoked_at, now())
WHERE k.org_id = %(org)s AND k.id = %(id)s::uuid
RETURNING {key}

-- key_authenticate --
-- The key: its org, role, id, scopes, whether and when it expired or was revoked, when its
-- org was disabled (deleted at the identity provider), and its org's scrubbing policy
-- (settings.pii, phone region). Before the key is known there is no org, so the lookup is a
-- SECURITY DEFINER function (0013).
SELECT org_id::text, role, id::text, scopes, expires_at, revoked_at, expires_at <= now(),
       org_disabled_at, pii, region
FROM rapport_key_principal(%(hash)s)

-- org_by_external_id --
-- The org an identity provider's org id names, whether it was deleted there, and its
-- scrubbing policy (SECURITY DEFINER: no org is set yet, 0013).
SELECT org_id, disabled, pii, region FROM rapport_org_external(%(external_id)s)

-- org_sync --
SELECT rapport_org_sync(%(external_id)s, %(name)s)

-- org_disable --
SELECT rapport_org_disable(%(external_id)s)

-- user_orgs --
SELECT rapport_user_orgs(%(external_id)s)

-- identity_event_seen --
SELECT EXISTS (SELECT FROM identity_events WHERE event_id = %(id)s)

-- identity_event_done --
INSERT INTO identity_events (event_id, type) VALUES (%(id)s, %(type)s)
ON CONFLICT (event_id) DO NOTHING

-- user_link --
-- A provider's user who is already an operator user here by email gets linked to it.
UPDATE users SET external_id = %(external_id)s
WHERE org_id = %(org)s AND email = %(email)s AND external_id IS NULL
  AND NOT EXISTS (SELECT FROM users WHERE org_id = %(org)s AND external_id = %(external_id)s)

-- user_sync --
-- A provider's user in this org (after user_link), added or brought up to date.
INSERT INTO users AS u (org_id, external_id, email, name, role, is_active)
VALUES (%(org)s, %(external_id)s, %(email)s, %(name)s, coalesce(%(role)s, 'operator'), true)
ON CONFLICT (org_id, external_id) DO UPDATE
SET email = excluded.email, name = coalesce(excluded.name, u.name),
    role = coalesce(%(role)s, u.role), is_active = true, updated_at = now()
RETURNING u.id

-- user_profile --
-- What a provider says about one of its users changed: their email and name, in this org.
UPDATE users SET email = coalesce(%(email)s, email), name = coalesce(%(name)s, name),
                 updated_at = now()
WHERE org_id = %(org)s AND external_id = %(external_id)s

-- user_deactivate --
UPDATE users SET is_active = false, updated_at = now()
WHERE org_id = %(org)s AND external_id = %(external_id)s

-- org_ids --
-- Every org's id (SECURITY DEFINER, 0009): what a job over all orgs visits.
SELECT rapport_org_ids()
