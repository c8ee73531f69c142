"""Which messages support a memory: its evidence.

The SQL lives beside this file (0016_memory_evidence.sql).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0016_memory_evidence.sql").read_text())


def downgrade() -> None:
    op.execute("ALTER TABLE memories DROP COLUMN evidence")
