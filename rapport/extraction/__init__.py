"""Offline extraction: what a lead told us, read from each inbound message with no LLM.

``base`` defines the plug-in interface (``Extractor``); ``rules.RulesExtractor`` is the
default, built from small rule modules (money, timeline, people, concerns, intents,
signals), each documenting what it catches, with two helpers (``numerals`` reads spoken
numbers, ``text`` lowercases for matching). An LLM-backed extractor implements the same
``extract`` and can replace or be chained with it (``base.Chain``). ``evaluate`` measures
any extractor's precision and recall on the hand-labelled set in ``tests/data``.
"""
