"""``order_by`` and keyset pagination.

``order_by=-updated_at,name`` sorts by any scalar public field; the id always breaks ties, so
the order is total and a cursor is exact. A cursor carries the sort values of the last row a
page returned (and the ``order_by`` it belongs to), and the next page starts strictly after
it, so pages stay stable while rows are inserted and each page is an index range scan, not
an OFFSET.

PostgreSQL sorts NULLs last ascending and first descending; the keyset predicate follows the
same rule, so nullable sort fields page correctly.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from rapport import errors
from rapport.db.sql import Fragment
from rapport.resources.fields import Field
from rapport.resources.filters import check_value

MAX_LIMIT = 1000
DEFAULT_LIMIT = 50


@dataclass(frozen=True, slots=True)
class SortKey:
    field: Field
    descending: bool


def parse_order_by(
    text: str | list[str] | None, fields: Mapping[str, Field], default: str, id_field: Field
) -> list[SortKey]:
    """Sort keys for ``text`` (``-updated_at,name`` or a list), ending with the id."""
    parts = text if isinstance(text, list) else (text or default).split(",")
    keys: list[SortKey] = []
    for raw in parts:
        part = raw.strip()
        if not part:
            continue
        descending = part.startswith("-")
        name = part.lstrip("+-")
        field = fields.get(name)
        if field is None or not field.sortable:
            sortable = sorted(n for n, f in fields.items() if f.sortable)
            raise errors.BadRequest(
                f"order_by: cannot sort by {name!r}; sortable fields: {', '.join(sortable)}",
                field="order_by",
            )
        if field.column == id_field.column:
            keys.append(SortKey(field, descending))
            return keys
        keys.append(SortKey(field, descending))
    last_descending = keys[-1].descending if keys else True
    keys.append(SortKey(id_field, last_descending))
    return keys


def order_sql(keys: list[SortKey]) -> str:
    return ", ".join(f"t.{k.field.column}{' DESC' if k.descending else ''}" for k in keys)


def _signature(keys: list[SortKey]) -> str:
    return ",".join(("-" if k.descending else "") + k.field.name for k in keys)


def encode_cursor(keys: list[SortKey], row: Mapping[str, Any]) -> str:
    """The cursor that continues after ``row`` (a JSON document of this resource)."""
    values = []
    for key in keys:
        value: Any = row
        for part in key.field.name.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        values.append(value)
    raw = orjson.dumps([_signature(keys), values])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: list[SortKey]) -> list[Any]:
    """The sort values a cursor carries; a BadRequest if it is malformed or for another order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        signature, values = orjson.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise errors.BadRequest("cursor: not a cursor this API issued", field="cursor") from None
    if signature != _signature(keys) or not isinstance(values, list) or len(values) != len(keys):
        raise errors.BadRequest(
            "cursor: it belongs to a different order_by; pass the same order_by as the "
            "request that returned it",
            field="cursor",
        )
    for key, value in zip(keys, values, strict=True):
        if value is None or (key.field.sql_type == "timestamptz" and isinstance(value, str)):
            continue  # PostgreSQL reads back every timestamp it wrote, even beyond Python's range
        try:  # values this API encoded always pass; anything else was not issued by it
            check_value(key.field, value, "cursor")
        except errors.BadRequest:
            raise errors.BadRequest(
                "cursor: not a cursor this API issued", field="cursor"
            ) from None
    return values


def keyset_sql(keys: list[SortKey], values: list[Any], out: Fragment) -> str:
    """The predicate "sorts strictly after ``values``" for ``keys``."""
    if len({k.descending for k in keys}) == 1 and all(
        not k.field.nullable and v is not None for k, v in zip(keys, values, strict=True)
    ):
        # One direction, no NULLs: a row comparison, which PostgreSQL matches to the index.
        columns = ", ".join(f"t.{k.field.column}" for k in keys)
        placeholders = ", ".join(
            out.param(v, k.field.sql_type) for k, v in zip(keys, values, strict=True)
        )
        return f"({columns}) {'<' if keys[0].descending else '>'} ({placeholders})"
    alternatives = []
    for i, key in enumerate(keys):
        equal = [_equal(k, v, out) for k, v in zip(keys[:i], values[:i], strict=True)]
        after = _after(key, values[i], out)
        if after is not None:
            alternatives.append("(" + " AND ".join([*equal, after]) + ")")
    return "(" + " OR ".join(alternatives) + ")" if alternatives else "FALSE"


def _equal(key: SortKey, value: Any, out: Fragment) -> str:
    column = f"t.{key.field.column}"
    if value is None:
        return f"{column} IS NULL"
    return f"{column} = {out.param(value, key.field.sql_type)}"


def _after(key: SortKey, value: Any, out: Fragment) -> str | None:
    column = f"t.{key.field.column}"
    if key.descending:  # NULLS FIRST: after a NULL come all non-NULLs
        if value is None:
            return f"{column} IS NOT NULL"
        return f"{column} < {out.param(value, key.field.sql_type)}"
    if value is None:  # ascending, NULLS LAST: nothing sorts after a NULL
        return None
    return f"({column} > {out.param(value, key.field.sql_type)} OR {column} IS NULL)"


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.BadRequest(f"limit: must be between 1 and {MAX_LIMIT}", field="limit")
    return limit
