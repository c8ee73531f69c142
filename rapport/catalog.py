"""Every resource Rapport serves with the nine operations, by its URL name."""

from __future__ import annotations

from rapport.agents import AGENTS
from rapport.contacts import CONTACTS
from rapport.conversations import CONVERSATIONS
from rapport.messages import MESSAGES
from rapport.objections import OBJECTIONS
from rapport.resources.resource import Resource
from rapport.summaries import SUMMARIES
from rapport.users import USERS

RESOURCES: dict[str, Resource] = {
    r.name: r for r in (CONTACTS, CONVERSATIONS, MESSAGES, OBJECTIONS, AGENTS, SUMMARIES, USERS)
}
