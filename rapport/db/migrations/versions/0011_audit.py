"""The audit log, append-only for the application.

The SQL lives beside this file (0011_audit.sql).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0011_audit.sql").read_text())


def downgrade() -> None:
    op.execute("DROP TABLE audit_events")
