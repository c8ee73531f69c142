"""API keys with scopes, an expiry and rotation; authentication that writes last_used_at at
most once a minute.

The SQL lives beside this file (0007_identity.sql).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0007_identity.sql").read_text())


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_key_principal(bytea)")
    op.execute("""
        CREATE FUNCTION rapport_key_principal(secret_hash bytea)
        RETURNS TABLE (org_id uuid, role text, id uuid)
        LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
          UPDATE api_keys AS k SET last_used_at = now()
          WHERE k.secret_hash = rapport_key_principal.secret_hash AND k.revoked_at IS NULL
          RETURNING k.org_id, k.role, k.id
        $$
    """)
    op.execute("SELECT rapport_grant_definers()")
    op.execute(
        "ALTER TABLE api_keys DROP COLUMN scopes, DROP COLUMN expires_at, DROP COLUMN replaced_by"
    )
