"""A resource's fields, read off the pydantic model that documents its output.

Each resource has one output model (``Conversation``, ``Message`` ...). Its fields, walked
here, are the resource's *public* fields: the names filters, ``order_by`` and request bodies
use. Nested models are stored flat (``follow_up.scheduled_date`` lives in the column
``follow_up_scheduled_date``) unless marked ``JSONB``, in which case the whole object is one
jsonb column; ``ARRAY`` keeps a list of ids as a native PostgreSQL array (``uuid[]``), which
filters match with ``@>``. ``Column("ts")`` renames the storage column where the public name
would be a poor SQL name.
"""

from __future__ import annotations

import datetime
import types
import typing
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, EmailStr


@dataclass(frozen=True, slots=True)
class Column:
    """Marker: store this field in the named column."""

    name: str


class _JSONB:
    """Marker: store this field (an object or a list) as one jsonb column."""

    def __repr__(self) -> str:
        return "JSONB"


JSONB = _JSONB()


class _Array:
    """Marker: store this list of scalars as a native PostgreSQL array (``uuid[]``)."""

    def __repr__(self) -> str:
        return "ARRAY"


ARRAY = _Array()


@dataclass(frozen=True, slots=True)
class Computed:
    """Marker: this field is not stored but read by an SQL expression over the row ``t``
    (a message's delivery ``status``, from ``message_status``). It is in every document the
    resource returns, and in no request body, filter or order."""

    sql: str


def computed_of(model: type[BaseModel]) -> dict[str, str]:
    """The computed fields of ``model`` and their SQL (``Computed``)."""
    return {
        name: marker.sql
        for name, info in model.model_fields.items()
        for marker in [*info.metadata, *_unwrap(info.annotation)[2]]
        if isinstance(marker, Computed)
    }


SqlType = Literal[
    "text", "uuid", "boolean", "integer", "double precision", "timestamptz", "jsonb",
    "uuid[]", "text[]",
]  # fmt: skip
JsonShape = Literal["object", "array"]


@dataclass(frozen=True, slots=True)
class Field:
    """One public field and where it is stored."""

    name: str
    column: str
    sql_type: SqlType
    nullable: bool
    choices: tuple[str, ...] | None = None
    json_shape: JsonShape | None = None

    @property
    def is_json(self) -> bool:
        return self.sql_type == "jsonb"

    @property
    def is_array(self) -> bool:
        """A native array column: filtered by what it contains, never sorted by."""
        return self.sql_type.endswith("[]")

    @property
    def sortable(self) -> bool:
        return not (self.is_json or self.is_array)

    @property
    def element(self) -> Field:
        """One item of an array field, for checking the values a filter names."""
        return Field(self.name, self.column, self.sql_type.removesuffix("[]"), False)  # type: ignore[arg-type]


_SCALARS: dict[Any, SqlType] = {
    str: "text",
    EmailStr: "text",
    uuid.UUID: "uuid",
    bool: "boolean",
    int: "integer",
    float: "double precision",
    datetime.datetime: "timestamptz",
}


def _unwrap(annotation: Any) -> tuple[Any, bool, list[Any]]:
    """(inner type, nullable, Annotated metadata) of a field annotation."""
    metadata: list[Any] = []
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata.extend(extra)
            continue
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            if len(args) == 1:
                annotation = args[0]
                continue
            # a union of scalars (e.g. str | int) is stored as text
            return str, nullable, metadata
        return annotation, nullable, metadata


def _json_shape(annotation: Any) -> JsonShape | None:
    origin = typing.get_origin(annotation) or annotation
    if origin in (list, tuple, set):
        return "array"
    if origin is dict or (isinstance(origin, type) and issubclass(origin, BaseModel)):
        return "object"
    return None


def fields_of(model: type[BaseModel], prefix: str = "") -> list[Field]:
    """Every public field of ``model``, nested models flattened unless marked JSONB."""
    found: list[Field] = []
    for name, info in model.model_fields.items():
        annotation, nullable, metadata = _unwrap(info.annotation)
        metadata = metadata + list(info.metadata)
        if any(isinstance(m, Computed) for m in metadata):
            continue
        public = f"{prefix}{name}"
        column = next((m.name for m in metadata if isinstance(m, Column)), None)
        column = column or public.replace(".", "_")
        if any(m is ARRAY for m in metadata):
            (item,) = typing.get_args(annotation)
            kind = f"{_SCALARS[item]}[]"
            found.append(Field(public, column, kind, nullable, json_shape="array"))  # type: ignore[arg-type]
        elif (
            any(m is JSONB for m in metadata)
            or _json_shape(annotation) == "array"
            or (typing.get_origin(annotation) is dict or annotation is dict)
        ):
            found.append(
                Field(public, column, "jsonb", nullable, json_shape=_json_shape(annotation))
            )
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.extend(fields_of(annotation, prefix=f"{public}."))
        elif typing.get_origin(annotation) is Literal:
            choices = tuple(str(c) for c in typing.get_args(annotation))
            found.append(Field(public, column, "text", nullable, choices=choices))
        elif annotation in _SCALARS:
            found.append(Field(public, column, _SCALARS[annotation], nullable))
        else:
            raise TypeError(f"{model.__name__}.{name}: no storage rule for {annotation!r}")
    return found
