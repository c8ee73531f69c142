"""One rule for what a conversation shows of its next follow-up: 0018's set-based copy and
0003's per-conversation function both call rapport_mirror_follow_ups.

The SQL lives beside this file (0019_one_mirror.sql).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

from rapport.db.migrations import definition

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0019_one_mirror.sql").read_text())


def downgrade() -> None:
    op.execute(definition("0003_pipeline.sql", "rapport_mirror_follow_up"))
    op.execute(definition("0018_learning_counts.sql", "rapport_follow_ups_added"))
    op.execute("DROP FUNCTION rapport_mirror_follow_ups(uuid[], uuid[])")
