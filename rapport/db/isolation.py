"""Who the application is to PostgreSQL, and which org each operation acts for.

Row-level security (migration 0006) shows a statement only the rows of the org in the
session setting ``rapport.org``; the application runs as ``rapport_app``, a role that owns
no table, is not a superuser and cannot bypass row security. So a statement that forgets
its ``org_id`` filter finds nothing of another org instead of everything.

The org is set without a round trip of its own: a connection remembers the org its session
was last set to, and only when an operation acts for another one is ``set_config`` sent, in
one pipeline with the operation's first statement. After any failure the connection's org
is unknown (a rolled-back transaction undoes ``set_config`` too) and is set again next time.
"""

from __future__ import annotations

from typing import Any

import psycopg

from rapport import errors

APP_ROLE = "rapport_app"

# Under row security PostgreSQL uses an index for a condition only when its operator's
# function is LEAKPROOF (it cannot reveal, through an error, rows the policy hides). Full-text
# match and JSON containment raise no error that depends on a row's value, but are not marked
# so: left as they are, every keyword search and tag filter would read all of the org's rows
# instead of its index. Only a superuser may mark them, and the mark lives in the database's
# catalog (pg_dump does not carry it), so ``rapport.db.migrate.upgrade`` applies it after
# every upgrade when it can; elsewhere an administrator runs these (`rapport db leakproof`).
LEAKPROOF = (
    "ALTER FUNCTION pg_catalog.ts_match_vq(tsvector, tsquery) LEAKPROOF",
    "ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) LEAKPROOF",
)
_SET_ORG = "SELECT set_config('rapport.org', $1, false)"
_ORG = "_rapport_org"  # the connection attribute holding its session's org, when known
UNKNOWN = object()


def become_app(conn: psycopg.Connection[Any]) -> None:
    """Act as ``rapport_app`` on a new connection (a no-op when it logged in as it), and
    refuse a role that would see every org's rows."""
    if conn.info.parameter_status("session_authorization") != APP_ROLE:
        conn.execute(f"SET ROLE {APP_ROLE}")
    _check(conn.execute(_POWERS).fetchone())


async def become_app_async(conn: psycopg.AsyncConnection[Any]) -> None:
    if conn.info.parameter_status("session_authorization") != APP_ROLE:
        await conn.execute(f"SET ROLE {APP_ROLE}")
    _check(await (await conn.execute(_POWERS)).fetchone())


_POWERS = "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"


def _check(row: Any) -> None:
    if row is None or row[1] or row[2]:
        raise errors.Unavailable(
            f"the database role {row and row[0]!r} bypasses row-level security; Rapport "
            f"must run as {APP_ROLE} (run `rapport migrate` with the owner's URL to create it)"
        )


def needs_org(conn: Any, org: str | None) -> bool:
    """Whether the connection's session must be set to ``org`` (None: no org) first."""
    return getattr(conn, _ORG, UNKNOWN) != (org or "")


def remember(conn: Any, org: str | object | None) -> None:
    """What the connection's session is now set to (``UNKNOWN`` after a failure)."""
    setattr(conn, _ORG, org if org is UNKNOWN else (org or ""))


def execute(
    conn: psycopg.Connection[Any], cursor: psycopg.RawCursor[Any], org: str | None,
    statement: Any, params: Any,
) -> None:  # fmt: skip
    """Run ``statement`` after setting the session's org, in one round trip."""
    with conn.pipeline():
        psycopg.RawCursor(conn).execute(_SET_ORG, [org or ""], prepare=True)
        cursor.execute(statement, params)
    remember(conn, org)


async def execute_async(
    conn: psycopg.AsyncConnection[Any], cursor: psycopg.AsyncRawCursor[Any], org: str | None,
    statement: Any, params: Any,
) -> None:  # fmt: skip
    async with conn.pipeline():
        await psycopg.AsyncRawCursor(conn).execute(_SET_ORG, [org or ""], prepare=True)
        await cursor.execute(statement, params)
    remember(conn, org)
