"""How a verb's parameters travel, read off its service's signature once.

Each parameter after the principal is one of:

- ``path``: named in the verb's path (``/v1/conversations/{id}/route``: ``id``);
- ``body``: the verb's ``body`` parameter (a model such as ``MessageIn``, sent as the whole
  JSON body), or, with ``body="*"``, every remaining parameter as one field of a JSON object
  whose model is generated here from their annotations (``RouteRequest``: dry_run, reason);
- ``fields``: a ``**fields`` catch-all beside a model body, so the SDK also takes the body as
  keywords (``append_message(id, role="user", content=...)``); never on the wire;
- ``runtime``: the process's enrichment runtime (``runtime``), supplied by the dispatcher;
- ``query``: everything else, under its ``query`` alias (``start`` travels as ``from``).

The same annotations validate a call on both transports: FastAPI checks REST requests with
them, and ``arguments`` checks in-process calls with a model built from them, so a value one
transport refuses the other refuses too, with the same problem.
"""

from __future__ import annotations

import functools
import inspect
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, create_model

from rapport import errors
from rapport.resources.verbs import RUNTIME, Verb, service_signature
from rapport.validation import failure, problems_of

Kind = Literal["path", "query", "body", "fields", "runtime"]
EMPTY = inspect.Parameter.empty


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    kind: Kind
    annotation: Any
    default: Any
    alias: str

    @property
    def required(self) -> bool:
        return self.default is EMPTY


def _hints(verb: Verb[..., Any]) -> dict[str, Any]:
    return typing.get_type_hints(verb.service, include_extras=True)


@functools.cache
def parameters(verb: Verb[..., Any]) -> tuple[Parameter, ...]:
    """The verb's parameters, principal excluded, each with how it travels."""
    hints = _hints(verb)
    found = []
    for position, item in enumerate(service_signature(verb.service).parameters.values()):
        if position == 0:
            continue  # the principal
        if item.kind is inspect.Parameter.VAR_KEYWORD:
            if verb.body in (None, "*"):
                raise TypeError(f"{verb.name}: **{item.name} needs a model body beside it")
            found.append(Parameter(item.name, "fields", Any, EMPTY, item.name))
            continue
        kind: Kind
        if item.name == RUNTIME:
            kind = "runtime"
        elif re.search(r"\{" + item.name + r"(:\w+)?\}", verb.path):
            kind = "path"
        elif verb.body in ("*", item.name):
            kind = "body"
        else:
            kind = "query"
        annotation = hints.get(item.name, Any)
        found.append(Parameter(item.name, kind, annotation, item.default,
                               verb.query.get(item.name, item.name)))  # fmt: skip
    names = {p.name for p in found}
    for name in verb.query:
        if name not in names:
            raise TypeError(f"{verb.name}: query alias for unknown parameter {name!r}")
    return tuple(found)


def of_kind(verb: Verb[..., Any], kind: Kind) -> list[Parameter]:
    return [p for p in parameters(verb) if p.kind == kind]


def bind(verb: Verb[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """An SDK call's arguments by parameter name, defaults filled in (TypeError as Python
    would raise for a wrong call)."""
    names, defaults = _plain_call(verb)
    if names is not None and not kwargs and len(args) == len(names):
        return dict(zip(names, args, strict=True))  # every argument given by position
    if names is not None and len(args) <= len(names) and kwargs.keys() <= set(names):
        # the usual call, bound without inspect: every SDK call comes through here
        found = dict(zip(names[: len(args)], args, strict=True))
        if not found.keys() & kwargs.keys():
            found.update(kwargs)
            if all(name in found or name in defaults for name in names):
                return {name: found[name] if name in found else defaults[name] for name in names}
    bound = verb.sdk_signature().bind(*args, **kwargs)  # a wrong call: Python's TypeError
    bound.apply_defaults()
    return dict(bound.arguments)


@functools.cache
def _plain_call(verb: Verb[..., Any]) -> tuple[tuple[str, ...] | None, dict[str, Any]]:
    """The parameter names of an SDK method whose parameters are all positional-or-keyword
    (else None), and the defaults of those that have one."""
    items = list(verb.sdk_signature().parameters.values())
    if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in items):
        return None, {}
    defaults = {p.name: p.default for p in items if p.default is not inspect.Parameter.empty}
    return tuple(p.name for p in items), defaults


def model_body(verb: Verb[..., Any]) -> type[BaseModel] | None:
    """The model of a verb whose body is one parameter (``MessageIn``), else None."""
    if verb.body in (None, "*"):
        return None
    [parameter] = [p for p in parameters(verb) if p.kind == "body"]
    return _model_in(parameter.annotation)


def _model_in(annotation: Any) -> type[BaseModel]:
    """The BaseModel arm of ``Model | Mapping[str, Any] | None``."""
    for arm in _arms(annotation):
        if isinstance(arm, type) and issubclass(arm, BaseModel):
            return arm
    raise TypeError(f"no model in {annotation!r}")


def unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """(the type, its Annotated metadata)."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata.extend(extra)
    return annotation, metadata


def _arms(annotation: Any) -> tuple[Any, ...]:
    """The types a (possibly Annotated) union admits, each without its own metadata."""
    return tuple(unwrap(arm)[0] for arm in _raw_arms(annotation))


def _raw_arms(annotation: Any) -> tuple[Any, ...]:
    annotation, _ = unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return typing.get_args(annotation)
    return (annotation,)


def query_metadata(parameter: Parameter) -> list[Any]:
    """The constraints and docs of a query parameter: its own, and those of the string arm
    it travels as over REST (a moment's pattern)."""
    _, metadata = unwrap(parameter.annotation)
    for arm in _raw_arms(parameter.annotation):
        inner, extra = unwrap(arm)
        if inner is str:
            metadata = [*metadata, *extra]
    return metadata


def is_json_query(parameter: Parameter) -> bool:
    """A query parameter that carries a JSON object (``filter``)."""
    return any(typing.get_origin(arm) in (dict, Mapping) or arm in (dict, Mapping)
               for arm in _arms(parameter.annotation))  # fmt: skip


def is_joined_query(parameter: Parameter) -> bool:
    """A query parameter that is a string or a list of them: the list travels joined by
    commas (``order_by=-updated_at,name``)."""
    arms = _arms(parameter.annotation)
    return str in arms and any(typing.get_origin(arm) is list for arm in arms)


def rest_query_type(parameter: Parameter) -> Any:
    """How a query parameter is declared over REST: a list of choices repeats
    (``status=active&status=completed``), JSON objects, joined lists and moments are
    strings (the service parses them with its own errors), the rest as annotated."""
    inner, _ = unwrap(parameter.annotation)
    arms = _arms(inner)
    optional = type(None) in arms or parameter.default is None
    text: Any = str | None if optional else str
    if is_json_query(parameter) or is_joined_query(parameter):
        return text
    lists = [arm for arm in arms if typing.get_origin(arm) is list]
    if lists:
        return lists[0] | None
    if str in arms and len(arms) > 1 + optional:
        return text
    return inner


@functools.cache
def flat_body(verb: Verb[..., Any]) -> type[BaseModel] | None:
    """The model generated for a ``body="*"`` verb: one field per body parameter."""
    if verb.body != "*":
        return None
    fields: dict[str, Any] = {
        p.name: (p.annotation, ... if p.required else p.default) for p in of_kind(verb, "body")
    }
    config = ConfigDict(extra="forbid")
    config.update(verb.body_config)
    if verb.examples:
        config["json_schema_extra"] = {"examples": verb.examples}
    name = verb.body_name or "".join(part.title() for part in verb.name.split(".")[-1:]) + "Body"
    model: type[BaseModel] = create_model(name, __config__=config, **fields)
    model.__doc__ = f"The body of {verb.method} {verb.path}."
    return model


@functools.cache
def _arguments_model(verb: Verb[..., Any]) -> type[BaseModel]:
    """Query and path parameters as one model, for checking in-process calls."""
    fields: dict[str, Any] = {
        p.name: (p.annotation, ... if p.required else p.default)
        for p in parameters(verb)
        if p.kind in ("query", "path")
    }
    model: type[BaseModel] = create_model(
        f"{verb.name}.arguments",
        __config__=ConfigDict(arbitrary_types_allowed=True, extra="forbid"),
        **fields,
    )
    return model


def arguments(verb: Verb[..., Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """An in-process call's arguments checked as REST would check them: a bad query value
    is a 400 naming its parameter, a bad body a 422 naming the field."""
    checked = dict(given)
    plain = {p.name: given[p.name] for p in parameters(verb) if p.kind in ("query", "path")}
    if plain:
        try:
            valid = _arguments_model(verb).model_validate(plain)
        except pydantic.ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ()))
            alias = next((p.alias for p in parameters(verb) if p.name == where), where)
            raise errors.BadRequest(
                f"{alias}: {first.get('msg', 'invalid')}", field=alias
            ) from None
        checked.update({name: getattr(valid, name) for name in plain})
    body = flat_body(verb)
    if body is not None:
        members = {p.name: given[p.name] for p in of_kind(verb, "body")}
        try:
            valid_body = body.model_validate(members)
        except pydantic.ValidationError as error:
            raise failure(problems_of(error.errors())) from None
        checked.update({name: getattr(valid_body, name) for name in members})
    return checked
