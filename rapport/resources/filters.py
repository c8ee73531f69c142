"""The filter language: a small Mongo-style JSON dialect compiled to parameterised SQL.

    {"status": "active", "updated_at": {"$gte": "2025-01-01"}, "tags": {"$contains": "vip"},
     "follow_up.scheduled_date": {"$lt": "2025-02-01T00:00:00Z"}, "metadata.campaign": "bf",
     "$or": [{"sales_stage": "closing"}, {"is_qualified": true}]}

Operators: ``$eq $ne $gt $gte $lt $lte $in $nin $exists $contains``, combined with ``$and``
and ``$or``. Field names are whitelisted (a resource's public fields, plus any key under an
open JSON object such as ``metadata``); values are checked against the field's type and sent
as parameters, never spliced into SQL. Anything unknown is a ``BadRequest`` that names it.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from rapport import errors
from rapport.db.sql import Fragment
from rapport.resources.fields import Field
from rapport.validation import json_text

OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$contains")
_RANGE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_JSON_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_DEPTH = 8


def parse_timestamp(value: Any, field: str) -> datetime.datetime:
    """An ISO 8601 date or date-time (naive ones are UTC), or a BadRequest naming ``field``."""
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, datetime.date):
        parsed = datetime.datetime.combine(value, datetime.time())
    elif isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise errors.BadRequest(
                f"{field}: {value!r} is not an ISO 8601 date or date-time "
                "(e.g. 2025-01-15 or 2025-01-15T09:30:00Z)",
                field=field,
            ) from None
    else:
        raise errors.BadRequest(f"{field}: expected an ISO 8601 date-time string", field=field)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def check_value(field: Field, value: Any, where: str) -> Any:
    """``value`` checked against ``field``'s type, in the form psycopg should send.

    A BadRequest naming ``where`` if it does not fit.
    """
    kind = field.sql_type
    if kind == "timestamptz":
        return parse_timestamp(value, where)
    if kind == "uuid":
        try:
            return str(uuid.UUID(str(value)))
        except ValueError:
            raise errors.BadRequest(f"{where}: {value!r} is not a valid id", field=where) from None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise errors.BadRequest(f"{where}: expected true or false", field=where)
        return value
    if kind in ("integer", "double precision"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise errors.BadRequest(f"{where}: expected a number", field=where)
        if kind == "integer" and not float(value).is_integer():
            raise errors.BadRequest(f"{where}: expected a whole number", field=where)
        return value
    if not isinstance(value, str):
        raise errors.BadRequest(f"{where}: expected a string", field=where)
    if field.choices and value not in field.choices:
        raise errors.BadRequest(
            f"{where}: {value!r} is not one of {', '.join(field.choices)}", field=where
        )
    return value


def _array_of(field: Field, value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise errors.BadRequest(f"{where}: expected a list", field=where)
    return [check_value(field, item, where) for item in value]


class FilterCompiler:
    """Compiles filters for one resource (its fields, its table alias ``t``)."""

    def __init__(self, fields: Mapping[str, Field], resource: str) -> None:
        self.fields = fields
        self.resource = resource
        self.open_objects = {n for n, f in fields.items() if f.json_shape == "object"}

    def compile(self, spec: Any, out: Fragment) -> str:
        """SQL for ``spec`` (a parsed filter), appending its parameters to ``out``."""
        if spec is None:
            return "TRUE"
        return self._document(spec, out, depth=0)

    def _document(self, spec: Any, out: Fragment, depth: int) -> str:
        if not isinstance(spec, dict):
            raise errors.BadRequest("filter: expected a JSON object", field="filter")
        if depth > MAX_DEPTH:
            raise errors.BadRequest("filter: nested too deeply", field="filter")
        clauses = []
        for key, condition in spec.items():
            if key in ("$and", "$or"):
                if not isinstance(condition, list) or not condition:
                    raise errors.BadRequest(f"filter: {key} takes a non-empty list", field=key)
                parts = [self._document(item, out, depth + 1) for item in condition]
                joiner = " AND " if key == "$and" else " OR "
                clauses.append("(" + joiner.join(parts) + ")")
            elif key.startswith("$"):
                raise errors.BadRequest(
                    f"filter: unknown operator {key!r} at the top level; use $and or $or, "
                    "or put the operator under a field",
                    field=key,
                )
            elif key in self.fields:
                clauses.append(self._field(self.fields[key], condition, out))
            else:
                head, _, rest = key.partition(".")
                if head in self.open_objects and rest:
                    clauses.append(self._json_path(self.fields[head], rest, key, condition, out))
                else:
                    raise errors.BadRequest(
                        f"filter: unknown field {key!r} for {self.resource}; filterable fields: "
                        + ", ".join(sorted(self.fields)),
                        field=key,
                    )
        return " AND ".join(clauses) if clauses else "TRUE"

    @staticmethod
    def _operators(condition: Any) -> dict[str, Any]:
        if isinstance(condition, dict) and condition and all(k.startswith("$") for k in condition):
            return condition
        return {"$eq": condition}

    def _field(self, field: Field, condition: Any, out: Fragment) -> str:
        column = f"t.{field.column}"
        clauses = []
        for op, value in self._operators(condition).items():
            where = field.name
            if op not in OPERATORS:
                raise errors.BadRequest(
                    f"filter: unknown operator {op!r} on {where}; use one of "
                    + ", ".join(OPERATORS),
                    field=where,
                )
            if op == "$exists":
                if not isinstance(value, bool):
                    raise errors.BadRequest(f"{where}: $exists takes true or false", field=where)
                clauses.append(f"{column} IS {'NOT ' if value else ''}NULL")
            elif field.is_json:
                clauses.append(self._json_column(field, column, op, value, out))
            elif op == "$eq" and value is None:
                clauses.append(f"{column} IS NULL")
            elif op == "$ne" and value is None:
                clauses.append(f"{column} IS NOT NULL")
            elif op == "$eq":
                clauses.append(
                    f"{column} = {out.param(check_value(field, value, where), field.sql_type)}"
                )
            elif op == "$ne":
                placeholder = out.param(check_value(field, value, where), field.sql_type)
                clauses.append(f"{column} IS DISTINCT FROM {placeholder}")
            elif op in _RANGE:
                placeholder = out.param(check_value(field, value, where), field.sql_type)
                clauses.append(f"{column} {_RANGE[op]} {placeholder}")
            elif op in ("$in", "$nin"):
                placeholder = out.param(_array_of(field, value, where), f"{field.sql_type}[]")
                clauses.append(
                    f"{column} = ANY({placeholder})"
                    if op == "$in"
                    else f"coalesce({column} <> ALL({placeholder}), true)"
                )
            else:  # $contains on a scalar: case-insensitive substring of text
                if field.sql_type != "text" or not isinstance(value, str):
                    raise errors.BadRequest(
                        f"{where}: $contains takes a string on text fields and lists", field=where
                    )
                pattern = "%" + re.sub(r"([\\%_])", r"\\\1", value) + "%"
                clauses.append(f"{column} ILIKE {out.param(pattern)}")
        return " AND ".join(clauses)

    def _json_column(self, field: Field, column: str, op: str, value: Any, out: Fragment) -> str:
        where = field.name
        if op == "$contains":
            if field.json_shape == "array" and not isinstance(value, list):
                value = [value]
            return f"{column} @> {out.param(json_text(value), 'jsonb')}"
        if op == "$eq":
            return f"{column} = {out.param(json_text(value), 'jsonb')}"
        if op == "$ne":
            return f"{column} IS DISTINCT FROM {out.param(json_text(value), 'jsonb')}"
        if op == "$in" and field.json_shape == "array":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise errors.BadRequest(f"{where}: $in takes a list of strings", field=where)
            return f"{column} ?| {out.param(value, 'text[]')}"
        raise errors.BadRequest(
            f"{where}: {op} does not apply to a JSON {field.json_shape}; use $contains, $eq, "
            f"$exists{', $in' if field.json_shape == 'array' else ''} or filter on "
            f"{where}.<key>",
            field=where,
        )

    def _json_path(self, field: Field, path: str, where: str, condition: Any, out: Fragment) -> str:
        keys = path.split(".")
        if not all(_JSON_KEY.match(k) for k in keys):
            raise errors.BadRequest(
                f"filter: {where!r} is not a valid path (letters, digits, _ and - only)",
                field=where,
            )
        clauses = []
        for op, value in self._operators(condition).items():
            target = "" if op == "$eq" else f"(t.{field.column} #> {out.param(keys, 'text[]')})"
            if op == "$exists":
                if not isinstance(value, bool):
                    raise errors.BadRequest(f"{where}: $exists takes true or false", field=where)
                # a JSON null counts as missing, as a NULL column does
                present = f"coalesce({target} <> 'null'::jsonb, false)"
                clauses.append(present if value else f"NOT {present}")
                continue
            if op == "$eq":
                nested: Any = value
                for key in reversed(keys):
                    nested = {key: nested}
                document = json_text(nested)
                clauses.append(f"t.{field.column} @> {out.param(document, 'jsonb')}")
            elif op == "$ne":
                document = json_text(value)
                clauses.append(f"{target} IS DISTINCT FROM {out.param(document, 'jsonb')}")
            elif op in _RANGE:
                if not isinstance(value, int | float | str) or isinstance(value, bool):
                    raise errors.BadRequest(f"{where}: {op} takes a number or string", field=where)
                document = json_text(value)
                clauses.append(f"{target} {_RANGE[op]} {out.param(document, 'jsonb')}")
            elif op in ("$in", "$nin"):
                if not isinstance(value, list):
                    raise errors.BadRequest(f"{where}: {op} takes a list", field=where)
                placeholder = out.param(json_text(value), "jsonb")
                test = f"{target} IN (SELECT jsonb_array_elements({placeholder}))"
                clauses.append(test if op == "$in" else f"NOT coalesce({test}, false)")
            elif op == "$contains":
                document = json_text(value)
                clauses.append(f"{target} @> {out.param(document, 'jsonb')}")
            else:
                raise errors.BadRequest(
                    f"filter: unknown operator {op!r} on {where}; use one of "
                    + ", ".join(OPERATORS),
                    field=where,
                )
        return " AND ".join(clauses)


def parse_filter_param(text: str | None) -> Any:
    """The ``filter`` query parameter, parsed; malformed JSON is a BadRequest."""
    if text is None or text == "":
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise errors.BadRequest(f"filter: not valid JSON ({error})", field="filter") from None
