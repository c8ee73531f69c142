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
from rapport.validation import INT4_MAX, MOMENT_PATTERN, json_text

OPERATORS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$contains")
_RANGE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_JSON_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
MAX_DEPTH = 8
# Conditions one filter may hold: enough for any screen a person builds, few enough that
# PostgreSQL plans the statement in milliseconds (70,000 ORs take it seconds and gigabytes).
MAX_CONDITIONS = 500


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
        # one Python type per column type: psycopg sends a list of them as one array
        return int(value) if kind == "integer" else float(value)
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


def _conditions(spec: Any, depth: int = 0) -> int:
    """How many field conditions a filter holds (counting stops past the limit)."""
    if not isinstance(spec, dict) or depth > MAX_DEPTH:
        return 1
    total = 0
    for key, condition in spec.items():
        if key in ("$and", "$or") and isinstance(condition, list):
            for item in condition:
                total += _conditions(item, depth + 1)
                if total > MAX_CONDITIONS:
                    return total
        else:
            total += len(condition) if isinstance(condition, dict) and condition else 1
    return total


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
        found = _conditions(spec)
        if found > MAX_CONDITIONS:
            raise errors.BadRequest(
                f"filter: at most {MAX_CONDITIONS} conditions, this one has {found}; for many "
                'values of one field use $in, e.g. {"channel": {"$in": ["sms", "email"]}}',
                field="filter",
            )
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
            elif field.is_array:
                clauses.append(self._array_column(field, column, op, value, out))
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

    def _array_column(self, field: Field, column: str, op: str, value: Any, out: Fragment) -> str:
        """An array holds the value (or every value of a list): ``evidence: "<id>"``."""
        where = field.name
        if op not in ("$eq", "$contains"):
            raise errors.BadRequest(
                f"{where}: {op} does not apply to a list; use $contains (one value or a list "
                "of them, all of which it must hold) or $exists",
                field=where,
            )
        values = value if isinstance(value, list) else [value]
        wanted = [check_value(field.element, v, where) for v in values]
        return f"{column} @> {out.param(wanted, field.sql_type)}"

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


# --- what the language accepts, as JSON Schema (the OpenAPI schema of every ``filter``) ---

INT4 = {"minimum": -INT4_MAX - 1, "maximum": INT4_MAX}  # integer columns hold int4
NO_NUL = "^[^\\u0000]*$"  # PostgreSQL text cannot hold the NUL character


def _value_schema(field: Field) -> dict[str, Any]:
    """What a value compared with ``field`` may be."""
    kind = field.sql_type
    if kind == "uuid":
        return {"type": "string", "format": "uuid"}
    if kind == "timestamptz":
        return {"type": "string", "pattern": MOMENT_PATTERN}
    if kind == "boolean":
        return {"type": "boolean"}
    if kind == "integer":
        return {"type": "integer", **INT4}
    if kind == "double precision":
        return {"type": "number"}
    if field.choices:
        return {"type": "string", "enum": list(field.choices)}
    return {"type": "string", "pattern": NO_NUL}


def _condition_schema(field: Field) -> dict[str, Any]:
    """A field's condition: a value (equality) or an object of operators."""
    if field.is_array:
        one = _value_schema(field.element)
        held = {"anyOf": [one, {"type": "array", "items": one}]}
        return {"anyOf": [held, {"type": "object", "additionalProperties": False,
                                 "minProperties": 1, "properties": {
                                     "$eq": held, "$contains": held,
                                     "$exists": {"type": "boolean"}}}]}  # fmt: skip
    if field.is_json:
        value: dict[str, Any] = {"$ref": "#/components/schemas/JsonValue"}
        operators: dict[str, Any] = {"$eq": value, "$ne": value, "$contains": value,
                                     "$exists": {"type": "boolean"}}  # fmt: skip
        if field.json_shape == "array":
            operators["$in"] = {"type": "array", "items": {"type": "string", "pattern": NO_NUL}}
        bare: dict[str, Any] = _EQUAL_TO
    else:
        one = _value_schema(field)
        nullable = {"anyOf": [one, {"type": "null"}]}
        many = {"type": "array", "items": one}
        operators = {"$eq": nullable, "$ne": nullable, "$in": many, "$nin": many,
                     "$exists": {"type": "boolean"}}  # fmt: skip
        operators.update({name: one for name in ("$gt", "$gte", "$lt", "$lte")})
        if field.sql_type == "text" and not field.choices:
            operators["$contains"] = one
        bare = nullable
    return {
        "anyOf": [
            bare,
            {"type": "object", "properties": operators, "additionalProperties": False,
             "minProperties": 1},
        ]
    }  # fmt: skip


def json_schema(fields: Mapping[str, Field], name: str) -> dict[str, Any]:
    """The JSON Schema of a filter over ``fields``: exactly what ``FilterCompiler``
    accepts (fields, operators, value types, ``$and``/``$or``, paths into open objects)."""
    ref = {"$ref": f"#/components/schemas/{name}"}
    properties: dict[str, Any] = {n: _condition_schema(f) for n, f in sorted(fields.items())}
    properties["$and"] = properties["$or"] = {"type": "array", "items": ref, "minItems": 1}
    paths = {
        rf"^{re.escape(n)}(\.[A-Za-z0-9_\-]{{1,64}})+$": _PATH_CONDITION
        for n, f in sorted(fields.items())
        if f.json_shape == "object"
    }
    return {"type": "object", "properties": properties, "patternProperties": paths,
            "additionalProperties": False,
            "description": "A filter: " + ", ".join(sorted(fields))}  # fmt: skip


_SCALAR = {"anyOf": [{"type": "string", "pattern": NO_NUL}, {"type": "number"}]}
_ANY = {"$ref": "#/components/schemas/JsonValue"}
# A value compared with a JSON field (or a path into one) for equality: anything but an
# object of operators, which is one with keys, each starting with ``$``.
_EQUAL_TO: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": NO_NUL}, {"type": "number"}, {"type": "boolean"},
        {"type": "null"}, {"type": "array", "items": _ANY},
        {"type": "object", "maxProperties": 0},
        {"type": "object", "propertyNames": {"pattern": NO_NUL}, "additionalProperties": _ANY,
         "not": {"propertyNames": {"pattern": "^\\$"}}},
    ]
}  # fmt: skip
# A condition on a path into an open object (``metadata.campaign``): a value, or operators.
_PATH_CONDITION: dict[str, Any] = {
    "anyOf": [
        _EQUAL_TO,
        {"type": "object", "additionalProperties": False, "minProperties": 1,
         "properties": {"$eq": _ANY, "$ne": _ANY, "$contains": _ANY,
                        "$exists": {"type": "boolean"}, "$gt": _SCALAR, "$gte": _SCALAR,
                        "$lt": _SCALAR, "$lte": _SCALAR,
                        "$in": {"type": "array", "items": _ANY},
                        "$nin": {"type": "array", "items": _ANY}}},
    ]
}  # fmt: skip

JSON_VALUE: dict[str, Any] = {
    "description": "Any JSON value PostgreSQL can store: no NUL character in its strings",
    "anyOf": [
        {"type": "string", "pattern": NO_NUL},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
        {"type": "object", "propertyNames": {"pattern": NO_NUL},
         "additionalProperties": {"$ref": "#/components/schemas/JsonValue"}},
    ],
}  # fmt: skip
