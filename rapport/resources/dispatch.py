"""Running a verb: the one place both front ends go through, so they cannot disagree.

For every call, in order:

1. the principal must hold the verb's role;
2. a verb that ``settles`` first has the pending enrichment of the conversation or contact it
   reads done (read-your-writes: "Budget is $30k, I decide", then ``route``, sees the budget);
3. the service runs, in its transaction; an admin's write (a verb that needs the admin role
   or more, other than a read) is followed by its audit event (``rapport.audit``);
4. a verb that ``enriches`` wakes enrichment for what it stored (inline: enriched before the
   call returns; background: the server's enricher is told now).

The in-process SDK calls ``run`` (sync pool), the REST routes ``run_async`` (async pool);
``Transport`` is what an SDK section talks to (``LocalTransport`` here, ``HttpTransport`` in
``rapport.sdk.http``).
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from rapport.audit import log
from rapport.db.database import AsyncDatabase, Database
from rapport.db.operation import Operation
from rapport.memory.enricher import Runtime
from rapport.resources import crud, signatures
from rapport.resources.verbs import RUNTIME, Verb, Written, data_of, service_signature
from rapport.tenancy.principal import Principal


class Transport(Protocol):
    def call(self, verb: Verb[..., Any], arguments: dict[str, Any]) -> Any: ...
    def close(self) -> None: ...


def action(verb: Verb[..., Any]) -> str:
    """What a Forbidden says the caller tried: the verb's summary, lower-cased."""
    summary = verb.summary or f"{verb.method} {verb.path}"
    return summary[:1].lower() + summary[1:]


def service_arguments(verb: Verb[..., Any], arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The service's arguments by name: a model body given as keywords becomes the body."""
    found = dict(arguments)
    for parameter in signatures.parameters(verb):
        if parameter.kind == "fields":
            extra = found.pop(parameter.name, None) or {}
            body = str(verb.body)
            found[body] = data_of(found.get(body), extra)
    return found


def invoke(
    verb: Verb[..., Any], principal: Principal, arguments: Mapping[str, Any], runtime: Runtime
) -> Operation[Any]:
    """The verb's operation: its service called with the arguments (positional-only ones by
    position) and, if it asks for it, the runtime."""
    positional: list[Any] = [principal]
    keywords: dict[str, Any] = {}
    for name, by_position, default in _plan(verb):
        value = runtime if name == RUNTIME else arguments.get(name, default)
        if by_position:
            positional.append(value)
        else:
            keywords[name] = value
    return verb.service(*positional, **keywords)


def _operation(
    verb: Verb[..., Any], principal: Principal, given: Mapping[str, Any], runtime: Runtime
) -> Operation[Any]:
    """The verb's operation, followed by its audit event when it is an admin's write."""
    op = invoke(verb, principal, given, runtime)
    if log.is_audited(verb.method, verb.role):
        return log.audited(op, principal, verb.name, given)
    return op


@functools.cache
def _plan(verb: Verb[..., Any]) -> tuple[tuple[str, bool, Any], ...]:
    """The service's parameters after the principal: name, positional-only, default."""
    return tuple(
        (item.name, item.kind is inspect.Parameter.POSITIONAL_ONLY, item.default)
        for item in list(service_signature(verb.service).parameters.values())[1:]
        if item.kind is not inspect.Parameter.VAR_KEYWORD
    )


def _before(verb: Verb[..., Any], principal: Principal) -> None:
    principal.require(verb.role, action(verb))


def _settle(verb: Verb[..., Any], runtime: Runtime, principal: Principal, given: Any) -> None:
    if verb.settles is None or runtime.mode != "background":
        return  # inline: every own write is enriched already; off: the caller said not to
    kind = verb.settles.kind
    target = principal.org_id if kind == "org" else verb.settles.target(given)
    if target is not None:
        runtime.settle(principal.org_id, verb.settles.kind, target)


def run(
    verb: Verb[..., Any],
    database: Database,
    runtime: Runtime,
    principal: Principal,
    arguments: dict[str, Any],
) -> Any:
    """Run an in-process call (arguments as the SDK bound them); the SDK's result."""
    checked = signatures.arguments(verb, arguments)
    _before(verb, principal)
    _settle(verb, runtime, principal, checked)
    result = database.run(_operation(verb, principal, service_arguments(verb, checked), runtime))
    if verb.enriches:
        runtime.written(principal.org_id)
        if verb.reread is not None and runtime.mode == "inline":
            stored = result.value if isinstance(result, Written) else result
            fresh = database.run(crud.get(verb.reread, principal, stored["id"]))
            result = Written(fresh, result.created) if isinstance(result, Written) else fresh
    return sdk_result(verb, result)


def sdk_result(verb: Verb[..., Any], result: Any) -> Any:
    """What the SDK returns for a service's result."""
    if isinstance(result, Written):
        return result.value
    return result


Override = Callable[[Principal, dict[str, Any]], Awaitable[Any]]


async def run_async(
    verb: Verb[..., Any],
    database: AsyncDatabase,
    runtime: Runtime,
    principal: Principal,
    arguments: dict[str, Any],
    override: Override | None = None,
) -> Any:
    """Run a REST call (arguments as FastAPI validated them); the service's result.

    ``override`` runs the call instead of the service (the REST batcher of appends)."""
    _before(verb, principal)
    if verb.settles is not None and runtime.mode == "background":
        await asyncio.to_thread(_settle, verb, runtime, principal, arguments)
    given = service_arguments(verb, arguments)
    if override is not None:
        result = await override(principal, given)
    else:
        result = await database.run(_operation(verb, principal, given, runtime))
    if verb.enriches:
        if runtime.mode == "inline":
            await asyncio.to_thread(runtime.written, principal.org_id)
        else:
            runtime.written(principal.org_id)
    return result


class LocalTransport:
    """Runs verbs in this process, on a synchronous pool."""

    def __init__(
        self, database: Database, principal: Principal, owns_database: bool, runtime: Runtime
    ) -> None:
        self.database = database
        self.principal = principal
        self._owns_database = owns_database
        self.enrichment = runtime

    def call(self, verb: Verb[..., Any], arguments: dict[str, Any]) -> Any:
        return run(verb, self.database, self.enrichment, self.principal, arguments)

    def close(self) -> None:
        self.enrichment.close()
        if self._owns_database:
            self.database.close()
