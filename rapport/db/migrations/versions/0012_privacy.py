"""The PII vault, erasure receipts, what scrubbing reads, and pg_stat_statements where
the engine has it.

The SQL lives beside this file (0012_privacy.sql).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0012_privacy.sql").read_text())


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION rapport_scrubbing_orgs(), rapport_statements_ready(); "
        "DROP TABLE erasures, pii_vault; "
        "DROP INDEX messages_unscrubbed_idx"
    )
