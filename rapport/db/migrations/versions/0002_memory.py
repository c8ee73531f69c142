"""Memory and retrieval: message embeddings, memories with validity windows, knowledge.

The SQL lives beside this file (0002_memory.sql).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0002_memory.sql").read_text())


def downgrade() -> None:
    op.execute("DROP TABLE knowledge_chunks")
    op.execute("DROP TABLE knowledge_documents")
    op.execute("DROP TABLE memories")
    op.execute("DROP INDEX messages_pending_idx")
    op.execute("DROP INDEX messages_embedding_idx")
    op.execute("ALTER TABLE messages DROP COLUMN embedding, DROP COLUMN enriched_at")
