"""The learning loop: engagement events, feedback, prompt variants and experiments,
triggers, and the daily learning metrics (issue 12).

The SQL lives beside this file (0017_learning.sql).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0017_learning.sql").read_text())


def downgrade() -> None:
    op.execute((Path(__file__).parent / "0017_learning_down.sql").read_text())
