"""The change stream's outbox: a row per org for each statement that writes a tracked
table, numbered per org as it commits, a NOTIFY on rapport_changes, and the sweep that
prunes old rows.

The SQL lives beside this file (0022_changes.sql); rapport/changes reads it.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0022_changes.sql").read_text())


TRACKED = (
    "contacts", "conversations", "messages", "events", "follow_ups", "prompt_variants",
    "experiments", "calls", "memories", "objections",
)  # fmt: skip


def downgrade() -> None:
    for table in TRACKED:
        for op_name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER {table}_published_{op_name} ON {table}")
    op.execute("DROP FUNCTION rapport_publish_changes()")
    op.execute("DROP FUNCTION rapport_prune_changes(interval)")
    op.execute("DROP TABLE changes")
    op.execute("DROP FUNCTION rapport_number_change()")
    op.execute("DROP TABLE change_heads")
