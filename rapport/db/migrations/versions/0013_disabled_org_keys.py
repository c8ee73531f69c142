"""API keys of an org deleted at its identity provider are refused; credential lookups
bring the org's scrubbing policy.

The SQL lives beside this file (0013_disabled_org_keys.sql).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0013_disabled_org_keys.sql").read_text())


def downgrade() -> None:
    # The lookups as 0007 and 0008 defined them, read from their own files.
    here = Path(__file__).parent
    op.execute("DROP FUNCTION rapport_key_principal(bytea), rapport_org_external(text)")
    for name, function in (("0007_identity.sql", "rapport_key_principal"),
                           ("0008_identity_sync.sql", "rapport_org_external")):  # fmt: skip
        sql = (here / name).read_text()
        start = sql.index(f"CREATE FUNCTION {function}")
        op.execute(sql[start : sql.index("$$;", start) + 3])
    op.execute("SELECT rapport_grant_definers()")
