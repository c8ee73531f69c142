"""Everything the SDK offers, over one transport: ``r.contacts``, ``r.calls``, ``r.search``...

Each section is declared by its capability (``rapport.<capability>.verbs``); this module only
puts them together, so ``rapport.Rapport()`` and ``rapport.Client()`` share every method.
"""

from __future__ import annotations

from rapport.audit import verbs as audit
from rapport.calls import verbs as calls
from rapport.changes import verbs as changes
from rapport.conversations import verbs as conversations
from rapport.dashboard import verbs as dashboard
from rapport.extraction import verbs as extraction
from rapport.insight import verbs as insight
from rapport.learning import verbs as learning
from rapport.memory import verbs as memory
from rapport.patterns import verbs as patterns
from rapport.personas import verbs as personas
from rapport.pipeline import verbs as pipeline
from rapport.privacy import verbs as privacy
from rapport.resources.dispatch import Transport
from rapport.resources.sections import ResourceSection
from rapport.retention import verbs as retention
from rapport.retrieval import verbs as retrieval
from rapport.tenancy import verbs as tenancy


class Conversations(conversations.Conversations, pipeline.ConversationPipeline):
    """Conversations: the nine operations, messages, the document, and routing."""


class Contacts(conversations.Contacts, personas.ContactFacets):
    """Contacts: the nine operations, a person's history, and personas by facet."""


class Surface(tenancy.Organization, retrieval.Search):
    """Everything the SDK offers, over one transport."""

    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self.contacts = Contacts(transport)
        self.conversations = Conversations(transport)
        self.messages = conversations.Messages(transport)
        self.objections = _resource(transport, "objections")
        self.interaction_summaries = _resource(transport, "interaction-summaries")
        self.analytics = conversations.Analytics(transport)
        self.agents = pipeline.Agents(transport)
        self.follow_ups = pipeline.FollowUps(transport)
        self.pipeline = pipeline.Pipeline(transport)
        self.calls = calls.Calls(transport)
        self.availability = calls.Availability(transport)
        self.memories = memory.Memories(transport)
        self.knowledge = memory.Knowledge(transport)
        self.enrichment = memory.Enrichment(transport)
        self.extraction = extraction.Extraction(transport)
        self.users = tenancy.Users(transport)
        self.keys = tenancy.Keys(transport)
        self.retention = retention.Retention(transport)
        self.legal_holds = retention.LegalHolds(transport)
        self.audit = audit.Audit(transport)
        self.pii = privacy.Pii(transport)
        self.gdpr = privacy.Gdpr(transport)
        self.health = insight.Health(transport)
        self.events = learning.Events(transport)
        self.feedback = learning.Feedback(transport)
        self.prompt_variants = learning.PromptVariants(transport)
        self.experiments = learning.Experiments(transport)
        self.triggers = learning.Triggers(transport)
        self.learning = learning.Learning(transport)
        self.patterns = patterns.Patterns(transport)
        self.changes = changes.Changes(transport)
        self.dashboard = dashboard.Dashboard(transport)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Surface:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _resource(transport: Transport, name: str) -> ResourceSection:
    section = ResourceSection(transport)
    section.resource = name
    return section
