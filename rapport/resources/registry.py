"""Every verb the API has: each capability's declarations and each resource's nine.

Importing a capability's ``verbs`` module registers its verbs (``verbs.REGISTRY``); this is
the one list of those modules, so REST, the OpenAPI schema and the consistency tests all see
the same set.
"""

from __future__ import annotations

from typing import Any

from rapport.audit import verbs as _audit
from rapport.calls import verbs as _calls
from rapport.changes import verbs as _changes
from rapport.conversations import verbs as _conversations
from rapport.dashboard import verbs as _dashboard
from rapport.extraction import verbs as _extraction
from rapport.insight import verbs as _insight
from rapport.learning import verbs as _learning
from rapport.memory import verbs as _memory
from rapport.patterns import verbs as _patterns
from rapport.personas import verbs as _personas
from rapport.pipeline import verbs as _pipeline
from rapport.privacy import verbs as _privacy
from rapport.resources import generic
from rapport.resources.verbs import REGISTRY, Verb
from rapport.retention import verbs as _retention
from rapport.retrieval import verbs as _retrieval
from rapport.tenancy import verbs as _tenancy

CAPABILITIES = (
    _audit,
    _calls,
    _changes,
    _conversations,
    _dashboard,
    _extraction,
    _insight,
    _learning,
    _memory,
    _patterns,
    _personas,
    _pipeline,
    _privacy,
    _retention,
    _retrieval,
    _tenancy,
)


def all_verbs() -> list[Verb[..., Any]]:
    """Capability verbs (each once, aliases folded) and every resource's nine operations."""
    unique = list({id(v): v for v in REGISTRY.values()}.values())
    return [*unique, *generic.all_generic()]
