"""Retention: legal holds, a record of each run, and the indexes retention reads by age.

The SQL lives beside this file (0009_retention.sql).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0009_retention.sql").read_text())


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_org_ids()")
    op.execute("DROP TABLE retention_runs, legal_holds")
    op.execute("DROP INDEX messages_age_idx, interaction_summaries_age_idx, agent_states_age_idx")
