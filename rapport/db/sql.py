"""SQL in one style: named statements in each capability's ``queries.sql``, named parameters.

Every statement Rapport runs names its parameters, ``%(org)s``, whether it is a static
statement from a ``queries.sql`` file or one a builder puts together (a filter, the insert of
a resource). ``native`` turns that into PostgreSQL's own ``$1`` placeholders once per
statement text (cached), and the drivers send it as it is: psycopg's own conversion is
skipped, which otherwise re-parses every statement longer than 4 KiB on each execution.

A capability keeps its statements in ``queries.sql`` beside its modules, in blocks headed by
their name (procrastinate's layout)::

    -- follow_ups_conversations --
    -- The conversations of a page of follow-ups.
    SELECT t.id::text, {conversation_json} FROM conversations AS t
    WHERE t.org_id = %(org)s AND t.id = ANY(%(ids)s::uuid[])

and reads them with ``Queries(__package__)["follow_ups_conversations"]``. ``{holes}`` are
for what only Python knows (a resource's JSON shape, a compiled filter); ``fill`` puts them
in, and a builder returns the statement with its parameters together (``Fragment``).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%|%s")
_HEADER = re.compile(r"^-- ([a-z][a-z0-9_]*) --$", re.MULTILINE)
_HOLE = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@functools.lru_cache(maxsize=4096)
def native(sql: str) -> tuple[str, tuple[str, ...]]:
    """``sql`` with ``$n`` placeholders, and the parameter name each ``$n`` stands for."""
    names: list[str] = []

    def placeholder(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        name = match.group(1)
        if name is None:
            raise ValueError(f"a positional %s placeholder in: {sql[:200]}; name it %(name)s")
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PLACEHOLDER.sub(placeholder, sql), tuple(names)


def arguments(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The native statement and its positional arguments."""
    text, names = native(sql)
    try:
        return text, [params[name] for name in names]
    except KeyError as missing:
        raise TypeError(f"no value for %({missing.args[0]})s in: {sql[:200]}") from None


def fill(template: str, **holes: str) -> str:
    """``template`` with its ``{holes}`` filled; every hole named must be there."""
    return _filled(template, tuple(holes.items()))


@functools.lru_cache(maxsize=4096)  # a statement is filled the same way on every call
def _filled(template: str, pairs: tuple[tuple[str, str], ...]) -> str:
    holes = dict(pairs)
    found = set(_HOLE.findall(template))
    unknown = set(holes) - found
    if unknown:
        raise KeyError(f"no hole {sorted(unknown)} in the statement")
    return _HOLE.sub(lambda m: holes.get(m.group(1), m.group(0)), template)


def _without_comments(body: str) -> str:
    """A statement without its whole-line comments (they document it in the file; a hole
    named in one must not be filled there)."""
    lines = [line for line in body.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip()


class Queries(Mapping[str, str]):
    """The named statements of one package's ``queries.sql``."""

    def __init__(self, package: str | None, file: str = "queries.sql") -> None:
        assert package is not None
        text = importlib.resources.files(package).joinpath(file).read_text()
        parts = _HEADER.split(text)
        self._statements = {
            name: _without_comments(body)
            for name, body in zip(parts[1::2], parts[2::2], strict=True)
        }
        self.package = package

    def __getitem__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise KeyError(f"{self.package}/queries.sql has no statement {name!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._statements)

    def __len__(self) -> int:
        return len(self._statements)


@dataclass
class Fragment:
    """A piece of SQL a builder made, with the values of its parameters."""

    sql: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def param(self, value: Any, cast: str | None = None) -> str:
        """A new placeholder for ``value``: ``p0``, ``p1`` ... in order, so the same shape
        of statement has the same text (psycopg prepares it, ``native`` caches it).
        Statements' own parameters use words (``org``), never these names."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s::{cast}" if cast else f"%({name})s"
