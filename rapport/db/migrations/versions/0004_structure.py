"""The structure step: the qualification threshold defined once in the schema, what
enrichment filled on each message (an edited message is read again), messages enrichment
set aside, and PostgreSQL 18's uuidv7() behind rapport_uuid7() where the server has it.

The SQL lives beside this file (0004_structure.sql).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

from rapport.db.migrations import definition

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

HERE = Path(__file__).parent


def upgrade() -> None:
    op.execute((HERE / "0004_structure.sql").read_text())


def downgrade() -> None:
    op.execute(definition("0003_pipeline.sql", "rapport_qualify"))
    op.execute(definition("0001_initial.sql", "rapport_uuid7"))
    op.execute("DROP FUNCTION rapport_qualified_threshold(jsonb)")
    op.execute("ALTER TABLE messages DROP COLUMN extracted, DROP COLUMN enrich_error")
