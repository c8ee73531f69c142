"""Service operations written once, run on a sync or an async connection.

A service operation is a generator: it *yields* ``Query`` objects and receives each query's
result back, and *returns* the operation's result. It never touches a connection itself, so
the same logic runs under the in-process SDK (sync psycopg, lowest latency) and under the
REST API (async psycopg, highest throughput); ``rapport.db.database`` holds the two small
drivers. Operations compose with ``yield from other_operation.steps``.

Database errors are translated into ``rapport.errors`` by the driver and thrown *into* the
generator at the yield that caused them, so an operation may catch the one it expects.

An operation acts for one org (``Operation.org``): the driver sets it on the connection
before the first statement, and PostgreSQL's row security shows that org's rows only
(migration 0006). The decorators read it from the function's ``principal`` argument (or its
``org_id``), so a service cannot forget it; an operation with neither acts for no org and
sees no tenant row (its cross-org lookups go through the SECURITY DEFINER functions).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, ParamSpec, TypeVar

Fetch = Literal["one", "all", "scalar", "scalars", "rowcount"]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class Query:
    """One SQL statement and what the operation wants back from it.

    ``sql`` names its parameters (``%(org)s``) and ``params`` gives their values
    (``rapport.db.sql``). ``fetch``: ``one`` the first row (tuple) or None; ``all`` every
    row; ``scalar`` the first column of the first row or None; ``scalars`` the first column
    of every row; ``rowcount`` the number of rows the statement touched.
    """

    sql: str
    params: Mapping[str, Any] = field(default_factory=dict)
    fetch: Fetch = "one"


@dataclass(frozen=True, slots=True)
class Compute:
    """CPU work an operation needs done (an embedding, a transcript's analysis): yielded
    like a query, its result sent back. The async driver runs it in a worker thread, so the
    event loop keeps answering; work yielded before the first query holds no connection."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()


Steps = Generator[Query | Compute, Any, T]


class Operation(Generic[T_co]):
    """A ready-to-run service operation: its steps, whether they share a transaction, and
    the org it acts for (None: no org's rows are visible to it)."""

    __slots__ = ("atomic", "org", "steps")

    def __init__(self, steps: Steps[T_co], *, atomic: bool = False, org: str | None = None) -> None:
        self.steps = steps
        self.atomic = atomic
        self.org = org


def _org_reader(function: Callable[..., Any]) -> Callable[[tuple[Any, ...], dict[str, Any]], Any]:
    """How to find the org a call of ``function`` acts for: its ``principal`` argument's
    org, or its ``org_id`` argument; neither, no org."""
    names = list(inspect.signature(function).parameters)
    name = "principal" if "principal" in names else "org_id" if "org_id" in names else None
    if name is None:
        return lambda args, kwargs: None
    index = names.index(name)

    def read(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        given = args[index] if index < len(args) else kwargs.get(name)
        found = given.org_id if name == "principal" and given is not None else given
        return None if found is None else str(found)

    return read


def operation(function: Callable[P, Steps[T]]) -> Callable[P, Operation[T]]:
    """Turn a generator function into one that returns an ``Operation``.

    Each statement commits on its own; most operations are one statement, atomic by itself.
    """
    org_of = _org_reader(function)

    @functools.wraps(function)
    def build(*args: P.args, **kwargs: P.kwargs) -> Operation[T]:
        return Operation(function(*args, **kwargs), org=org_of(args, kwargs))

    return build


def atomic_operation(function: Callable[P, Steps[T]]) -> Callable[P, Operation[T]]:
    """Like ``operation``, but every statement of the operation runs in one transaction."""
    org_of = _org_reader(function)

    @functools.wraps(function)
    def build(*args: P.args, **kwargs: P.kwargs) -> Operation[T]:
        return Operation(function(*args, **kwargs), atomic=True, org=org_of(args, kwargs))

    return build


def value(result: T) -> Operation[T]:
    """An operation that runs no SQL and returns ``result``."""

    def steps() -> Steps[T]:
        return result
        yield  # pragma: no cover - makes this a generator

    return Operation(steps())
