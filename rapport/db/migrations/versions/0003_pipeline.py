"""Pipeline, agents and voice calls: agent persona and state, stage transitions, follow-ups,
calls and closer availability.

The SQL lives beside this file (0003_pipeline.sql).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0003_pipeline.sql").read_text())


def downgrade() -> None:
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
    op.execute("ALTER TABLE agents ADD COLUMN description text")
    op.execute("UPDATE agents SET description = persona ->> 'description'")
    op.execute(
        "ALTER TABLE agents DROP COLUMN visibility, DROP COLUMN persona,"
        " DROP COLUMN knowledge_sources, DROP COLUMN quick_tasks, DROP COLUMN shared_with"
    )
