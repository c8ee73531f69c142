"""Turning PostgreSQL's refusals into errors that name the caller's field.

The schema enforces what it can (unique phone per org, enums as CHECKs, foreign keys), and
the database's answer is the authority. This module reads the diagnostic PostgreSQL sends
(constraint, column, detail) and says it in the API's words: ``phone`` rather than
``contacts_org_id_phone_key``.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import errors as pg

from rapport import errors

# Storage columns whose public name differs ("ts" is stored for a message's "timestamp").
# Resource definitions register theirs at import; see rapport.resources.
PUBLIC_NAMES: dict[str, str] = {}

_KEY_DETAIL = re.compile(r"Key \((?P<columns>[^)]*)\)=\((?P<values>.*)\)")
_SCOPE_COLUMNS = {"org_id", "conversation_id"}


def public_name(column: str) -> str:
    """The API's name for a storage column."""
    return PUBLIC_NAMES.get(column, column)


def _key_field(error: psycopg.Error) -> tuple[str | None, str | None]:
    """The field (and its value) a unique or foreign-key violation is about."""
    match = _KEY_DETAIL.search(error.diag.message_detail or "")
    if not match:
        return error.diag.column_name, None
    columns = [c.strip() for c in match["columns"].split(",")]
    values = [v.strip() for v in match["values"].split(",")]
    pairs = [(c, v) for c, v in zip(columns, values, strict=False) if c not in _SCOPE_COLUMNS]
    if not pairs:
        pairs = list(zip(columns, values, strict=False))
    column, value_text = pairs[-1]
    return public_name(column), value_text


def translate(error: psycopg.Error) -> errors.RapportError | None:
    """The RapportError for a database error a caller caused, or None for our own bugs."""
    table = error.diag.table_name or "row"
    if isinstance(error, pg.UniqueViolation):
        field, value_text = _key_field(error)
        return errors.Conflict(
            f"{field} {value_text!s} is already used by another {table} record"
            if value_text
            else f"a {table} record with this {field} already exists",
            field=field,
        )
    if isinstance(error, pg.ForeignKeyViolation):
        field, value_text = _key_field(error)
        if error.diag.message_primary and "still referenced" in error.diag.message_primary:
            return errors.Conflict(f"this {table} record is still referenced", field=field)
        # Another organization's ids are not found, whether in a path or in a body.
        return errors.NotFound(
            f"{field}: no record with id {value_text} exists in your organization",
            field=field,
        )
    if isinstance(error, pg.CheckViolation):
        constraint = error.diag.constraint_name or ""
        if constraint == "rapport_stage_transition":  # rapport_check_stage() in the schema
            allowed = [s for s in (error.diag.message_detail or "").split(",") if s]
            return errors.Conflict(
                error.diag.message_primary or "sales_stage: move not allowed",
                field="sales_stage",
                allowed=allowed,
            )
        column = constraint.removeprefix(f"{table}_").removesuffix("_check")
        field = public_name(column)
        return errors.ValidationFailed(f"{field}: value not allowed ({constraint})", field=field)
    if isinstance(error, pg.NotNullViolation):
        field = public_name(error.diag.column_name or "")
        return errors.ValidationFailed(f"{field} is required", field=field)
    if isinstance(error, pg.UntranslatableCharacter) or "NUL" in str(error):
        return errors.ValidationFailed(
            "a string holds the NUL character (\\u0000), which PostgreSQL cannot store; remove it"
        )
    if isinstance(error, pg.DataError):
        reason = error.diag.message_primary or str(error)
        return errors.ValidationFailed(f"a value is out of range or malformed: {reason}")
    if isinstance(error, pg.OperationalError | pg.AdminShutdown | pg.CannotConnectNow):
        return errors.Unavailable(f"the database is unavailable: {error}")
    return None


def wrap(error: psycopg.Error) -> Exception:
    """The exception to raise in place of ``error``: translated, or the original."""
    return translate(error) or error
