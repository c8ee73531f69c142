"""API keys of an org deleted at its identity provider are refused.

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
    # 0007's lookup again.
    sql = (Path(__file__).parent / "0007_identity.sql").read_text()
    start = sql.index("DROP FUNCTION rapport_key_principal")
    op.execute(sql[start : sql.index("SELECT rapport_grant_definers();", start)])
