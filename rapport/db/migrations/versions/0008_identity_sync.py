"""Organizations and users synced from an identity provider: orgs know their provider id,
and the provider's webhook event ids are remembered so a redelivery writes nothing twice.

The SQL lives beside this file (0008_identity_sync.sql).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0008_identity_sync.sql").read_text())


def downgrade() -> None:
    for definer in ("rapport_org_external(text)", "rapport_org_sync(text, text)",
                    "rapport_org_disable(text)", "rapport_user_orgs(text)"):  # fmt: skip
        op.execute(f"DROP FUNCTION {definer}")
    op.execute("DROP TABLE identity_events")
    op.execute("ALTER TABLE orgs DROP COLUMN external_id, DROP COLUMN disabled_at")
