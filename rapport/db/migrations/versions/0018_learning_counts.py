"""The learning loop at scale: experiment funnels counted as statuses change, outcome and
reply lookups from small indexes, and follow-ups mirrored onto conversations per statement.

The SQL lives beside this file (0018_learning_counts.sql); bench/learning.py measures why.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0018_learning_counts.sql").read_text())


def downgrade() -> None:
    op.execute((Path(__file__).parent / "0018_learning_counts_down.sql").read_text())
