"""Offline extraction: what a lead told us, read from each inbound message with no LLM.

``base`` defines the plug-in interface (``Extractor``); ``rules.RulesExtractor`` is the
default, built from small rule modules (money, timeline, people, concerns, intents,
signals), each documenting what it catches, with two helpers (``numerals`` reads spoken
numbers, ``text`` lowercases for matching). An LLM-backed extractor implements the same
``extract`` and can replace or be chained with it (``base.Chain``). ``learned`` adds
classifiers over the local embedding for what rules miss (``LearnedExtractor``, the default
in enrichment), trained on the labelled set and, per org, on the org's own examples
(``examples``: ``POST /v1/extraction/examples``, trained by the worker; ``verbs``,
``queries.sql``). ``evaluate`` measures any extractor's precision and recall on the
hand-labelled set in ``tests/data``.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)
