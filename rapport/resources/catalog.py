"""Every resource Rapport serves with the nine operations, and the service behind each.

Most resources use the generic operations of ``rapport.resources.crud``. A resource whose
writes mean more than an INSERT or UPDATE names its own service functions here: memories
supersede and keep history, knowledge documents are chunked, conversation updates record
stage transitions, agents and follow-ups check what they name. REST routes and both SDK
transports look the operations up here, so a resource's behaviour is the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapport.calls.records import CALLS
from rapport.conversations import contacts, messages
from rapport.conversations.contacts import CONTACTS
from rapport.conversations.conversations import CONVERSATIONS
from rapport.conversations.messages import MESSAGES
from rapport.conversations.objections import OBJECTIONS
from rapport.conversations.summaries import SUMMARIES
from rapport.db.operation import Operation
from rapport.learning.experiments import EXPERIMENTS
from rapport.learning.feedback import FEEDBACK
from rapport.learning.triggers import TRIGGERS
from rapport.learning.variants import PROMPT_VARIANTS
from rapport.memory import knowledge, memories
from rapport.pipeline import agents, follow_ups, stages
from rapport.resources import crud
from rapport.resources.resource import Resource
from rapport.resources.verbs import Settle
from rapport.retention.holds import LEGAL_HOLDS
from rapport.tenancy.users import USERS


def _generic(verb: str, resource: Resource) -> Callable[..., Operation[Any]]:
    function = getattr(crud, verb)
    return lambda principal, *args: function(resource, principal, *args)


@dataclass
class Operations:
    """The nine operations of one resource, each taking (principal, *arguments)."""

    resource: Resource
    overrides: dict[str, Callable[..., Operation[Any]]] = field(default_factory=dict)
    # Read-your-writes for the list and count verbs: what they must settle first.
    settles: Settle | None = None

    def __getattr__(self, verb: str) -> Callable[..., Operation[Any]]:
        if verb.startswith("_"):
            raise AttributeError(verb)
        return self.overrides.get(verb) or _generic(verb, self.resource)


OPERATIONS: dict[str, Operations] = {
    r.name: Operations(r)
    for r in (
        OBJECTIONS,
        SUMMARIES,
        USERS,
        CALLS,
        LEGAL_HOLDS,
        FEEDBACK,
        PROMPT_VARIANTS,
        EXPERIMENTS,
        TRIGGERS,
    )
}
# An edited message is read again by enrichment, and scrubbed (``messages.revise``).
OPERATIONS["messages"] = Operations(
    MESSAGES, {"update": messages.revise, "bulk_update": messages.bulk_revise}
)
# A contact's phone is read in the org's region on every write (``contacts.with_phones``).
OPERATIONS["contacts"] = Operations(
    CONTACTS, {"update": contacts.update, "bulk_update": contacts.bulk_update}
)
# Stage changes are checked by the schema and recorded with who made them and why.
OPERATIONS["conversations"] = Operations(
    CONVERSATIONS,
    {"update": stages.update_conversation, "bulk_update": stages.bulk_update_conversations},
)
# A PATCH of an agent or a follow-up checks what it names, as their creates do (the
# resources' ``prepare`` step).
OPERATIONS["agents"] = Operations(agents.AGENTS, {"update": agents.update})
OPERATIONS["follow-ups"] = Operations(follow_ups.FOLLOW_UPS, {"update": follow_ups.update})
OPERATIONS["memories"] = Operations(
    memories.MEMORIES,
    {
        "create": memories.remember,
        "bulk_create": memories.remember_many,
        "update": memories.revise,
        "bulk_update": memories.revise_many,
        "delete": memories.forget,
        "list_page": memories.recall,
        "count": memories.count,
    },
    # A list of one contact's memories first reads that contact's pending messages.
    settles=Settle("contact", "filter", memories.contact_of),
)
OPERATIONS["knowledge"] = Operations(
    knowledge.KNOWLEDGE, {"create": knowledge.add, "bulk_create": knowledge.add_many}
)

RESOURCES: dict[str, Resource] = {name: ops.resource for name, ops in OPERATIONS.items()}
