"""Enrichment batches between their commit and their after-commit writes, so a reader that
must see those writes waits for them (read-your-writes while another worker enriches).

The SQL lives beside this file (0005_enrich_inflight.sql).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0005_enrich_inflight.sql").read_text())


def downgrade() -> None:
    op.execute("DROP TABLE enrich_inflight")
