"""The pattern graph: patterns, edges conversation -> pattern -> outcome kept in step with
what is stored, and their tallies per (pattern, outcome).

The SQL lives beside this file (0020_patterns.sql); rapport/patterns reads it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0020_patterns.sql").read_text())


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER conversations_track_patterns ON conversations;
        DROP TRIGGER follow_ups_patterns_changed ON follow_ups;
        DROP TRIGGER follow_ups_patterns_removed ON follow_ups;
        DROP TRIGGER calls_patterns_removed ON calls;
        DROP TRIGGER objections_patterns_removed ON objections;
        DROP TRIGGER calls_patterns_changed ON calls;
        DROP TRIGGER calls_patterns_added ON calls;
        DROP TRIGGER objections_patterns_changed ON objections;
        DROP TRIGGER objections_patterns_added ON objections;
        DROP FUNCTION rapport_patterns_of_row();
        DROP FUNCTION rapport_patterns_of_statement();
        DROP FUNCTION rapport_derive_patterns(uuid, uuid[]);
        DROP FUNCTION rapport_pattern_facts(uuid, uuid[]);
        DROP FUNCTION rapport_question_topic(text);
        DROP FUNCTION rapport_conversation_ends(uuid, uuid[]);
        DROP FUNCTION rapport_outcome(text, boolean, text);
        DROP TABLE pattern_tallies;
        DROP TABLE pattern_edges;
        DROP FUNCTION rapport_count_patterns();
        DROP TABLE patterns;
        DROP INDEX calls_conversation_idx;
        """
    )
