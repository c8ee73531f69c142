"""Term statistics, so the org-wide keyword ranker's cost is bounded whatever its words.

The SQL lives beside this file (0014_search_terms.sql).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0014_search_terms.sql").read_text())


def downgrade() -> None:
    op.execute("DROP TABLE search_terms")
