"""Lowercasing for the rule modules, which match lowercase patterns without re.IGNORECASE.

Python's ``re`` runs a large alternation about five times slower with IGNORECASE, and every
rule module is a set of large alternations; so each module lowercases a message once and
matches plain lowercase patterns. ``fold`` keeps every character where it was, so offsets
found in the folded text slice the original one ("İ" lowercases to two characters and is
left as it is).
"""

from __future__ import annotations


def fold(text: str) -> str:
    """``text`` lowercased, the same length as ``text``."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
