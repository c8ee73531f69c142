"""Turning PostgreSQL's refusals into errors that name the caller's field.

The schema enforces what it can (unique phone per org, enums as CHECKs, foreign keys), and
the database's answer is the authority. This module reads the diagnostic PostgreSQL sends
(constraint, column, detail) and says it in the API's words: ``phone`` rather than
``contacts_org_id_phone_key``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import psycopg
from psycopg import errors as pg

from rapport import errors

# Storage columns whose public name differs ("ts" is stored for a message's "timestamp").
# Resource definitions register theirs at import; see rapport.resources.
PUBLIC_NAMES: dict[str, str] = {}

_SCOPE_COLUMNS = {"org_id", "conversation_id"}
# A constraint's (or unique index's) columns, from the checked-in schema: under row-level
# security PostgreSQL leaves the key's values out of a violation's detail (they could be
# another org's), so the constraint's name is all a violation says. It never repeats a
# value either, so no personal data reaches an error message or a log through it.
_DECLARED = re.compile(
    r"(?:ADD CONSTRAINT (?P<constraint>\w+) (?:UNIQUE|PRIMARY KEY|FOREIGN KEY)"
    r"|CREATE UNIQUE INDEX (?P<index>\w+) ON \S+ USING \w+) \((?P<columns>.*?)\)(?: |;|$)",
    re.MULTILINE,
)


def public_name(column: str) -> str:
    """The API's name for a storage column."""
    return PUBLIC_NAMES.get(column, column)


@functools.cache
def _constraint_columns() -> dict[str, list[str]]:
    text = (Path(__file__).with_name("schema.sql")).read_text()
    return {
        match["constraint"] or match["index"]: [
            c.strip().strip('"') for c in match["columns"].split(",")
        ]
        for match in _DECLARED.finditer(text)
    }


def _key_field(error: psycopg.Error) -> str | None:
    """The field a unique or foreign-key violation is about: the constraint's last column
    that is not a scope (org, conversation)."""
    columns = _constraint_columns().get(error.diag.constraint_name or "", [])
    named = [c for c in columns if re.fullmatch(r"\w+", c)]
    chosen = [c for c in named if c not in _SCOPE_COLUMNS] or named
    if not chosen:
        return error.diag.column_name
    return public_name(chosen[-1])


def translate(error: psycopg.Error) -> errors.RapportError | None:
    """The RapportError for a database error a caller caused, or None for our own bugs."""
    table = error.diag.table_name or "row"
    if isinstance(error, pg.UniqueViolation):
        field = _key_field(error)
        return errors.Conflict(f"another {table} record has this {field} already", field=field)
    if isinstance(error, pg.ForeignKeyViolation):
        field = _key_field(error)
        if error.diag.message_primary and "still referenced" in error.diag.message_primary:
            return errors.Conflict(f"this {table} record is still referenced", field=field)
        # Another organization's ids are not found, whether in a path or in a body.
        return errors.NotFound(
            f"{field}: no such record exists in your organization",
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
        field = public_name(error.diag.column_name) if error.diag.column_name else None
        what = _DATA_ERRORS.get(error.diag.sqlstate or "", "a value is malformed or out of range")
        where = f"{field}: " if field else ""
        return errors.ValidationFailed(f"{where}{what}", field=field)
    if isinstance(error, pg.ProgramLimitExceeded | pg.StatementTooComplex):
        return errors.BadRequest(
            "the request is too large for one statement (too many conditions or values); "
            "split it into smaller requests"
        )
    if isinstance(error, pg.OperationalError | pg.AdminShutdown | pg.CannotConnectNow):
        return errors.Unavailable("the database is unavailable; retry shortly")
    return None


# What a value PostgreSQL refused was wrong with, in Rapport's words (its own messages repeat
# the value, which may be personal data, and speak of SQL types).
_DATA_ERRORS = {
    "22001": "a text is longer than the field allows",
    "22003": "a number is out of range",
    "22007": "a date or time is malformed",
    "22008": "a date or time is out of range",
    "2201B": "a pattern is not a valid regular expression",
    "22P02": "a value is malformed for its type",
    "22023": "a value is not allowed here",
    "22012": "a computation divides by zero",
    "22021": "a text is not valid UTF-8",
    "22P05": "a text holds a character PostgreSQL cannot store",
}


def wrap(error: psycopg.Error) -> Exception:
    """The exception to raise in place of ``error``: translated, or the original."""
    return translate(error) or error
