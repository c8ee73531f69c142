"""Pipeline, agents and voice calls: agent persona and state, stage transitions, follow-ups,
calls and closer availability.

The SQL lives beside this file (0003_pipeline.sql).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import re
from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _initial_function(name: str) -> str:
    """0001's definition of a function, to put back what this revision replaced."""
    text = (Path(__file__).parent / "0001_initial.sql").read_text()
    found = re.search(rf"CREATE FUNCTION {name}\(\).*?\n\$\$;", text, re.DOTALL)
    assert found is not None, name
    return found.group(0).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0003_pipeline.sql").read_text())


def downgrade() -> None:
    # The tallies go back to one row per key: the stripes summed.
    op.execute(
        "CREATE TEMP TABLE summed AS SELECT org_id, sales_stage, status, current_agent,"
        " sum(n)::bigint AS n FROM conversation_tallies GROUP BY 1, 2, 3, 4"
    )
    op.execute("DELETE FROM conversation_tallies")
    op.execute(
        "ALTER TABLE conversation_tallies DROP CONSTRAINT conversation_tallies_pkey,"
        " DROP COLUMN stripe"
    )
    op.execute(
        "ALTER TABLE conversation_tallies"
        " ADD PRIMARY KEY (org_id, sales_stage, status, current_agent)"
    )
    op.execute("INSERT INTO conversation_tallies SELECT * FROM summed")
    for name in ("rapport_tally_added", "rapport_tally_removed", "rapport_tally_moved"):
        op.execute(_initial_function(name))
    op.execute("DROP FUNCTION rapport_tally_stripe()")
    op.execute("DROP TABLE availability, calls, follow_ups, stage_transitions, agent_states")
    op.execute("DROP TRIGGER messages_cancel_follow_ups ON messages")
    op.execute("DROP TRIGGER agents_forget_states ON agents")
    op.execute("DROP FUNCTION rapport_forget_agent_states()")
    for trigger in (
        "conversations_stage_check",
        "conversations_record_transition",
        "conversations_qualify",
        "conversations_follow_up_written",
        "conversations_follow_up_created",
    ):
        op.execute(f"DROP TRIGGER {trigger} ON conversations")
    for function in (
        "rapport_cancel_on_reply()",
        "rapport_conversations_follow_ups()",
        "rapport_conversation_follow_up()",
        "rapport_follow_up_changed()",
        "rapport_mirror_follow_up(uuid, uuid)",
        "rapport_stamp_follow_up()",
        "rapport_qualify()",
        "rapport_record_transition()",
        "rapport_check_stage()",
        "rapport_next_stages(text)",
    ):
        op.execute(f"DROP FUNCTION {function}")
    op.execute("DROP INDEX agents_id_idx")
    op.execute("ALTER TABLE agents ADD COLUMN description text")
    op.execute("UPDATE agents SET description = persona ->> 'description'")
    op.execute(
        "ALTER TABLE agents DROP COLUMN visibility, DROP COLUMN persona,"
        " DROP COLUMN knowledge_sources, DROP COLUMN quick_tasks, DROP COLUMN shared_with"
    )
