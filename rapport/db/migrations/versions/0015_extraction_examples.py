"""What each org teaches its extractor, and the model the worker trains from it.

The SQL lives beside this file (0015_extraction_examples.sql).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0015_extraction_examples.sql").read_text())


def downgrade() -> None:
    op.execute("DROP FUNCTION rapport_extraction_due()")
    op.execute("DROP TABLE extraction_models, extraction_examples")
