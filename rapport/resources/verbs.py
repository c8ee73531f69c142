"""A verb, declared once: its service, where it lives in REST, who may call it, what it does.

A capability's verb is one declaration in its package's ``verbs.py``, an attribute of the
SDK section it belongs to::

    class FollowUps(Section):
        section = "follow_ups"
        due = verb(follow_ups.due, "GET", "/v1/follow-ups/due", response=FollowUpPage,
                   query={"start": "from", "end": "to"})

From it come the REST route and its OpenAPI entry (``rapport.api.verb_routes``), the SDK
method on ``rapport.Rapport()`` and ``rapport.Client()`` alike (the section is shared by both
transports, so the signatures cannot differ), and how a call runs (``dispatch``): the role it
needs, whether it writes rows that enrichment must read (``enriches``), and whose pending
enrichment must land before it reads (``settles``).

The service's own signature is the verb's signature: ``follow_ups.due(principal, start=None,
end=None, ...)`` is ``r.follow_ups.due(start=None, end=None, ...)`` and ``GET
/v1/follow-ups/due?from=&to=``. Its parameters travel by kind (``signatures``): those named
in the path, one ``body`` parameter (a model, or ``"*"`` for every remaining parameter as one
JSON object), and query parameters otherwise. Its docstring is the OpenAPI description.
"""

from __future__ import annotations

import functools
import inspect
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    TypeVar,
    cast,
    overload,
)

from pydantic import ConfigDict

from rapport.db.operation import Operation
from rapport.tenancy.principal import Principal, Role

if TYPE_CHECKING:
    from rapport.resources.dispatch import Transport

P = ParamSpec("P")
T = TypeVar("T")
# A service parameter of this name receives the process's enrichment runtime (its embedder
# and enricher); it is not part of the verb's REST or SDK signature.
RUNTIME = "runtime"
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
# How a verb answers over REST:
# json    its result, 200 (or ``status``)
# written a Written(value, created): 201 when created, 200 for a retry answered from storage
# empty   nothing: 204
# exists  a boolean: 200 or 404, no body (HEAD)
Answer = Literal["json", "written", "empty", "exists"]


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """What an idempotent write returns: the stored value, and whether this call stored it."""

    value: T
    created: bool


class Download(str):
    """A verb's result sent as a file of ``media_type`` rather than as JSON (a CSV export);
    over either SDK transport it is the file's text."""

    media_type: str
    filename: str

    def __new__(cls, text: str, media_type: str, filename: str) -> Download:
        made = super().__new__(cls, text)
        made.media_type = media_type
        made.filename = filename
        return made


@dataclass(frozen=True, slots=True)
class Settle:
    """Read-your-writes: before the verb reads, the pending enrichment of the conversation
    (or contact) its argument ``argument`` names is done, so what an earlier message
    implies is there. ``of`` maps the argument's value to that id (None: nothing to do).
    Kind ``org``: the caller's whole org (a verb that reads across it what enrichment
    derives, such as the pattern graph or the keyword facet); it names no argument."""

    kind: Literal["conversation", "contact", "org"]
    argument: str = ""
    of: Callable[[Any], str | None] | None = None

    def target(self, arguments: Mapping[str, Any]) -> str | None:
        """The id to settle; None when there is none, or it is malformed (the verb then
        answers 404 by itself)."""
        value = arguments.get(self.argument)
        found = self.of(value) if self.of is not None else value
        try:
            return None if found is None else str(uuid.UUID(str(found)))
        except ValueError:
            return None


def data_of(data: Any, fields: Mapping[str, Any]) -> Any:
    """A body given as a mapping (or model) or as keyword fields, not both."""
    if data is not None and fields:
        raise TypeError("pass either a mapping (or model) or keyword fields, not both")
    return data if data is not None else dict(fields)


@dataclass(eq=False)
class Verb(Generic[P, T]):
    """One operation of the API: see the module docstring. Use ``verb`` / ``writing``."""

    service: Callable[..., Operation[Any]]
    method: Method
    path: str
    response: Any = None
    role: Role = "viewer"
    enriches: bool = False
    settles: Settle | None = None
    body: str | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    answer: Answer = "json"
    status: int = 200
    wrap: str | None = None
    summary: str = ""
    body_name: str | None = None
    body_config: ConfigDict = field(default_factory=ConfigDict)
    examples: list[Any] | None = None
    reread: Any = None  # a Resource: in inline mode, return the row again once enriched
    # The Resource whose records its ``filter`` and ``order_by`` name: OpenAPI then lists
    # exactly the fields, operators and sort keys it accepts (``rapport.api.openapi``).
    over: Any = None
    # Media types other than JSON its answer may come as (a Download), for OpenAPI.
    files: tuple[str, ...] = ()
    tag: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        doc = inspect.getdoc(self.service) or ""
        self.description = doc
        if not self.summary:
            self.summary = doc.split("\n\n")[0].replace("\n", " ").rstrip(".")[:120]

    def __set_name__(self, owner: type, attribute: str) -> None:
        section = getattr(owner, "section", "")
        if not self.name:
            self.name = f"{section}.{attribute}" if section else attribute
            self.tag = self.tag or getattr(owner, "tag", "") or section.replace("_", "-")
        REGISTRY.setdefault(self.name, self)

    @overload
    def __get__(self, section: None, owner: type) -> Verb[P, T]: ...
    @overload
    def __get__(self, section: Section, owner: type) -> Callable[P, T]: ...
    def __get__(self, section: Section | None, owner: type) -> Verb[P, T] | Callable[P, T]:
        if section is None:
            return self
        made = section._bound
        if self not in made:  # once per section object: r.contacts.get is read on every call
            transport = section._transport
            call = self.call

            def bound(*args: P.args, **kwargs: P.kwargs) -> T:
                return call(transport, *args, **kwargs)

            bound.__name__ = self.name.rsplit(".", 1)[-1]
            bound.__doc__ = self.description
            bound.__dict__["__signature__"] = self.sdk_signature()  # what help() and IDEs show
            made[self] = bound
        return cast("Callable[P, T]", made[self])

    def call(self, transport: Transport, /, *args: Any, **kwargs: Any) -> T:
        """Run the verb through ``transport`` with SDK arguments."""
        from rapport.resources.signatures import bind

        result: T = transport.call(self, bind(self, args, kwargs))
        return result

    def sdk_signature(self) -> inspect.Signature:
        """The service's signature without its principal (and the process's enrichment
        ``runtime``, which the dispatcher supplies): the SDK method's."""
        return _sdk_signature(self)


@functools.cache
def service_signature(service: Callable[..., Any]) -> inspect.Signature:
    """A service's signature, read once: every SDK call binds against it."""
    return inspect.signature(service)


@functools.cache
def _sdk_signature(verb: Verb[..., Any]) -> inspect.Signature:
    signature = service_signature(verb.service)
    kept = [p for p in list(signature.parameters.values())[1:] if p.name != RUNTIME]
    return signature.replace(parameters=kept)


class Section:
    """A group of SDK methods (``r.follow_ups``); its verbs are its class attributes."""

    section = ""  # the SDK attribute and the first part of each verb's name
    tag = ""  # the OpenAPI tag, when it is not the section's name

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._bound: dict[Verb[..., Any], Callable[..., Any]] = {}  # its verbs, as methods


REGISTRY: dict[str, Verb[..., Any]] = {}


def verb(
    service: Callable[Concatenate[Principal, P], Operation[T]],
    method: Method,
    path: str,
    *,
    response: Any = None,
    role: Role = "viewer",
    enriches: bool = False,
    settles: Settle | None = None,
    body: str | None = None,
    query: Mapping[str, str] | None = None,
    status: int = 200,
    wrap: str | None = None,
    summary: str = "",
    body_name: str | None = None,
    body_config: ConfigDict | None = None,
    examples: list[Any] | None = None,
    empty: bool = False,
    over: Any = None,
    files: tuple[str, ...] = (),
) -> Verb[P, T]:
    """A verb whose service returns its result (``empty``: returns nothing, 204; ``files``:
    the media types of the ``Download`` it may return instead of JSON)."""
    return Verb(
        service, method, path, response, role, enriches, settles, body, query or {},
        "empty" if empty else "json", 204 if empty else status, wrap, summary, body_name,
        body_config or ConfigDict(), examples, over=over, files=files,
    )  # fmt: skip


def writing(
    service: Callable[Concatenate[Principal, P], Operation[Written[T]]],
    method: Method,
    path: str,
    *,
    response: Any = None,
    role: Role = "operator",
    enriches: bool = False,
    body: str | None = None,
    query: Mapping[str, str] | None = None,
    summary: str = "",
    body_name: str | None = None,
    body_config: ConfigDict | None = None,
    examples: list[Any] | None = None,
    reread: Any = None,
) -> Verb[P, T]:
    """A verb whose service stores something idempotently: 201 when it stored it, 200 when
    a retry was answered with what was stored before. The SDK returns the value alone."""
    return Verb(
        service, method, path, response, role, enriches, None, body, query or {},
        "written", 201, None, summary, body_name, body_config or ConfigDict(), examples,
        reread,
    )  # fmt: skip
