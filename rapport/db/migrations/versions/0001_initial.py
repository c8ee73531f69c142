"""The first schema: tenancy, contacts, conversations, messages, objections, agents, summaries.

The SQL lives beside this file (0001_initial.sql) so it reads as SQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = (
    "interaction_summaries",
    "agents",
    "objections",
    "messages",
    "conversations",
    "conversation_tallies",
    "contacts",
    "api_keys",
    "users",
    "orgs",
)
FUNCTIONS = (
    "rapport_tally_moved()",
    "rapport_tally_removed()",
    "rapport_tally_added()",
    "rapport_stamp_resolved()",
    "rapport_stamp_completed()",
    "rapport_top_key(jsonb)",
    "rapport_rows(jsonb)",
    "rapport_add_counts(jsonb, jsonb)",
    "rapport_merge_patch(jsonb, jsonb)",
    "rapport_uuid7()",
)


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0001_initial.sql").read_text())


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
