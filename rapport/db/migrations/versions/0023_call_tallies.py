"""Calls counted per (UTC day, closer, availability) as they change, for the
closer-availability correlation.

The SQL lives beside this file (0023_call_tallies.sql); rapport/calls/correlation.py reads it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-08
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0023_call_tallies.sql").read_text())


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER calls_counted_update ON calls;
        DROP TRIGGER calls_counted_delete ON calls;
        DROP TRIGGER calls_counted_insert ON calls;
        DROP FUNCTION rapport_count_calls();
        DROP TABLE call_tallies;
        """
    )
