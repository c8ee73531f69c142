"""Rapport's Alembic migrations (``versions/``); each revision's SQL lives beside it."""

from __future__ import annotations

import re
from pathlib import Path

VERSIONS = Path(__file__).parent / "versions"


def definition(file: str, name: str) -> str:
    """An earlier revision's definition of a function, to put back what a later one replaced
    (its downgrade)."""
    text = (VERSIONS / file).read_text()
    found = re.search(rf"CREATE FUNCTION {name}\(.*?\n\$\$;", text, re.DOTALL)
    assert found is not None, name
    return found.group(0).replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
