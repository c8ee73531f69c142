"""``settings.retention``: days each kind of data is kept (seeds 000, 003 and 004's defaults).

Sessions (conversation rows without their content) are kept: pipeline counts and analytics
read them. Files have a policy before Rapport stores files, so it applies from the first.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RetentionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages_days: int = Field(default=90, ge=1, le=36_500, description="Messages, by their time")
    summaries_days: int = Field(
        default=730, ge=1, le=36_500, description="Contacts' interaction summaries, by last change"
    )
    completed_conversations_days: int = Field(
        default=90, ge=1, le=36_500,
        description="The content of conversations completed this long ago (the session stays)",
    )  # fmt: skip
    files_days: int = Field(default=30, ge=1, le=36_500, description="Files")
    events_days: int = Field(
        default=365, ge=1, le=36_500,
        description="Engagement events (delivered, read, ...), by their time",
    )  # fmt: skip
    agent_state_days: int = Field(
        default=30, ge=1, le=36_500, description="Agents' state about a contact, by last change"
    )
