"""Checking caller input against a model, with errors that name the field.

pydantic reports a location such as ``("items", 3, "follow_up", "required")``; callers read
``items[3].follow_up.required``. The REST layer and the services both report through here,
so an error reads the same however Rapport was called.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any, TypeVar

import orjson
import pydantic
from pydantic import TypeAdapter
from pydantic_core import PydanticSerializationError

from rapport import errors

M = TypeVar("M", bound=pydantic.BaseModel)

# A moment callers send (a message's timestamp, a follow-up's due_at, ...) is written with a
# year from 1900 to 2199. Anything else is a typo or a placeholder (0001-01-01), and some of
# it cannot even be read back (a year-1 date at +14:00 is 1 BC in UTC).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199
_YEAR = r"(19|20|21)\d\d"
_LEAP = (  # leap years of 1900-2199: every fourth, but not 1900 or 2100
    r"(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26])"
    r"|21(0[48]|[2468][048]|[13579][26]))-02-29"
)
MOMENT_PATTERN = (
    rf"^({_YEAR}-((0[13578]|1[02])-(0[1-9]|[12]\d|3[01])|(0[469]|11)-(0[1-9]|[12]\d|30)"
    rf"|02-(0[1-9]|1\d|2[0-8]))|{_LEAP})"
    r"(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?(Z|[+-](0\d|1[0-5]):[0-5]\d)?)?$"
)
# The largest whole number a request may carry: integer columns are int4, and counts kept in
# JSON (a summary's intents, an agent's max_tokens) are held to the same bound.
INT4_MAX = 2**31 - 1
# PostgreSQL keeps offsets up to 15:59 (Python's datetime would take up to 23:59).
LATEST_OFFSET = datetime.timedelta(hours=15, minutes=59)
# Text with something in it: a character ``str.strip()`` keeps, and no NUL anywhere.
SAID_PATTERN = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"


def sane_moment(value: datetime.datetime) -> datetime.datetime:
    """``value`` if it is written with a year from 1900 to 2199 (as written, before any
    offset is applied, so what the pattern admits is exactly what is accepted)."""
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(
            f"{value.isoformat()} is not a date this API keeps: send a year from "
            f"{EARLIEST_YEAR} to {LATEST_YEAR}"
        )
    offset = value.utcoffset()
    if offset is not None and abs(offset) > LATEST_OFFSET:
        raise ValueError(
            f"{value.isoformat()}: a UTC offset beyond ±15:59 is not a time zone; "
            "send the moment in UTC (Z) or with its real offset"
        )
    return value


# The type of every moment a caller sends; its JSON schema says exactly what is accepted.
Moment = Annotated[
    datetime.datetime,
    pydantic.AfterValidator(sane_moment),
    pydantic.WithJsonSchema(
        {"type": "string", "pattern": MOMENT_PATTERN,
         "description": "ISO 8601, a year from 1900 to 2199; without an offset: UTC",
         "examples": ["2025-01-15T09:30:00Z"]}
    ),
]  # fmt: skip

_SOURCES = {"body", "query", "path", "header"}


NOT_TEXT = (
    "a string is not valid Unicode: it holds an unpaired surrogate escape such as \\ud800; "
    "send real characters"
)


def json_text(value: Any) -> str:
    """``value`` as JSON text for PostgreSQL; a ValidationFailed if a string is not Unicode.

    JSON may escape a lone UTF-16 surrogate (``"\\ud800"``) and the body parser accepts it,
    but it is not text and cannot be encoded for the database.
    """
    try:
        return orjson.dumps(value).decode()
    except TypeError as error:
        if "surrogates not allowed" in str(error):
            raise errors.ValidationFailed(NOT_TEXT) from None
        if "64-bit" not in str(error):
            raise
    # orjson stops at 64-bit integers; JSON (and jsonb's numeric) has no such limit.
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        raise errors.ValidationFailed("a number is not finite (NaN or Infinity)") from None


def models_text(adapter: TypeAdapter[Any], items: Any) -> str:
    """Validated models as JSON text, by pydantic's own serializer."""
    try:
        return adapter.dump_json(items).decode()
    except PydanticSerializationError as error:
        if "surrogates not allowed" in str(error):
            raise errors.ValidationFailed(NOT_TEXT) from None
        raise


def field_path(loc: Sequence[int | str], request: bool = False) -> str:
    """``("items", 3, "role")`` -> ``items[3].role``. With ``request`` (FastAPI's errors),
    the location starts with its source: ``("body", "items", 3)``, ``("query", "limit")``."""
    path = ""
    for position, part in enumerate(loc):
        if request and position == 0 and part in _SOURCES:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def _message(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field; remove it or check its spelling"
    if kind == "missing":
        return "required"
    return str(error.get("msg", "invalid"))


def problems_of(
    raw: Iterable[Any], prefix: str = "", request: bool = False
) -> list[dict[str, Any]]:
    """``[{"field", "message"}]`` for pydantic's error list."""
    found = []
    for error in raw:
        path = field_path(tuple(error.get("loc", ())), request)
        if prefix:
            path = f"{prefix}.{path}" if path and not path.startswith("[") else prefix + path
        found.append({"field": path, "message": _message(error)})
    return found


def failure(problems: list[dict[str, Any]]) -> errors.ValidationFailed:
    """One ValidationFailed that leads with the first problem and lists them all."""
    first = problems[0] if problems else {"field": None, "message": "invalid input"}
    field, message = first["field"], str(first["message"])
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return errors.ValidationFailed(
        f"{field}: {message}{more}" if field else message + more,
        field=field,
        errors=problems,
    )


def validate(model: type[M], data: Any, prefix: str = "") -> M:
    """``data`` as an instance of ``model``, or a ValidationFailed naming each bad field."""
    if isinstance(data, model):
        return data
    if isinstance(data, pydantic.BaseModel):
        data = data.model_dump(exclude_unset=True)
    if not isinstance(data, dict):
        raise errors.ValidationFailed(
            f"{prefix or 'body'}: expected a JSON object", field=prefix or None
        )
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise failure(problems_of(error.errors(), prefix)) from None


def validate_many(
    model: type[M], items: Any, field: str = "items", adapter: TypeAdapter[list[Any]] | None = None
) -> list[M]:
    """Every item validated; all problems reported together, each as ``items[i].field``.

    With ``adapter`` (a ``TypeAdapter(list[model])``) the list is validated in one call.
    """
    if not isinstance(items, list):
        raise errors.ValidationFailed(f"{field}: expected a list", field=field)
    if adapter is not None:
        try:
            return adapter.validate_python(items)
        except pydantic.ValidationError as error:
            raise failure(problems_of(error.errors(), field)) from None
    valid: list[M] = []
    problems: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        try:
            valid.append(validate(model, item, prefix=f"{field}[{index}]"))
        except errors.ValidationFailed as error:
            problems.extend(
                error.errors or [{"field": f"{field}[{index}]", "message": error.detail}]
            )
    if problems:
        raise failure(problems)
    return valid
