"""Connection pools and the two drivers that run service operations on them.

``Database`` runs operations on a synchronous psycopg pool (the in-process SDK, the CLI, the
tests); ``AsyncDatabase`` on an asynchronous one (the REST API). The drivers are the only
code that touches a connection; see ``rapport.db.operation`` for why.

Every connection is configured the same way: autocommit (an operation opts into a
transaction), UTC session time zone (so timestamps come back as ``...+00:00``), JSON decoded
with orjson, and acting as ``rapport_app`` under row-level security, with the org of the
operation it runs (``rapport.db.isolation``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any, TypeVar, cast

import orjson
import psycopg
from psycopg.types.json import set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from rapport import errors
from rapport.db import failures, isolation, sql
from rapport.db.health import Health
from rapport.db.operation import Compute, Operation, Query
from rapport.validation import NOT_TEXT

T = TypeVar("T")

_CONNECT_OPTIONS = "-c TimeZone=UTC -c statement_timeout=60000"
POOL_TIMEOUT = 30.0  # seconds a request waits for a free connection before a 503
WAIT_STEP = 0.25  # ... in steps this long, checking the database's health between them
_BUSY = (
    f"no database connection became free within {POOL_TIMEOUT:g} s; the server is "
    "overloaded, retry shortly (or raise RAPPORT_POOL_MAX)"
)


def _json(conn: psycopg.Connection[Any] | psycopg.AsyncConnection[Any]) -> None:
    set_json_loads(orjson.loads, conn)
    set_json_dumps(orjson.dumps, conn)


def _configure(conn: psycopg.Connection[Any]) -> None:
    _json(conn)
    isolation.become_app(conn)


def _kwargs() -> dict[str, Any]:
    return {"autocommit": True, "options": _CONNECT_OPTIONS}


def _result(cursor: psycopg.RawCursor[Any], query: Query) -> Any:
    fetch = query.fetch
    if fetch == "rowcount":
        return cursor.rowcount
    if fetch == "one":
        return cursor.fetchone()
    if fetch == "scalar":
        row = cursor.fetchone()
        return None if row is None else row[0]
    rows = cursor.fetchall()
    if fetch == "scalars":
        return [row[0] for row in rows]
    return rows


async def _async_result(cursor: psycopg.AsyncRawCursor[Any], query: Query) -> Any:
    fetch = query.fetch
    if fetch == "rowcount":
        return cursor.rowcount
    if fetch == "one":
        return await cursor.fetchone()
    if fetch == "scalar":
        row = await cursor.fetchone()
        return None if row is None else row[0]
    rows = await cursor.fetchall()
    if fetch == "scalars":
        return [row[0] for row in rows]
    return rows


def _drive(conn: psycopg.Connection[Any], op: Operation[T], first: Query) -> T:
    """Run ``op`` from its first query on: each query's result (or error) goes back. The
    session is set to the op's org with the first statement that finds it set otherwise."""
    steps = op.steps
    step: Query | Compute = first
    while True:
        send: Any = None
        throw: Exception | None = None
        if isinstance(step, Compute):
            send = step.function(*step.args)
        else:
            try:
                cursor = psycopg.RawCursor(conn)
                statement, params = sql.arguments(step.sql, step.params)
                if isolation.needs_org(conn, op.org):
                    isolation.execute(conn, cursor, op.org, statement, params)
                else:
                    cursor.execute(statement, params)
                send = _result(cursor, step)
            except psycopg.Error as error:
                isolation.remember(conn, isolation.UNKNOWN)
                throw = failures.wrap(error)
            except UnicodeEncodeError:
                throw = errors.ValidationFailed(NOT_TEXT)
        try:
            step = steps.throw(throw) if throw is not None else steps.send(send)
        except StopIteration as done:
            return cast(T, done.value)


async def _drive_async(conn: psycopg.AsyncConnection[Any], op: Operation[T], first: Query) -> T:
    steps = op.steps
    step: Query | Compute = first
    while True:
        send: Any = None
        throw: Exception | None = None
        if isinstance(step, Compute):
            send = await asyncio.to_thread(step.function, *step.args)
        else:
            try:
                cursor = psycopg.AsyncRawCursor(conn)
                statement, params = sql.arguments(step.sql, step.params)
                if isolation.needs_org(conn, op.org):
                    await isolation.execute_async(conn, cursor, op.org, statement, params)
                else:
                    await cursor.execute(statement, params)
                send = await _async_result(cursor, step)
            except psycopg.Error as error:
                isolation.remember(conn, isolation.UNKNOWN)
                throw = failures.wrap(error)
            except UnicodeEncodeError:
                throw = errors.ValidationFailed(NOT_TEXT)
        try:
            step = steps.throw(throw) if throw is not None else steps.send(send)
        except StopIteration as done:
            return cast(T, done.value)


class _Done(Exception):
    """The operation finished before its first query (it needed no database)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _until_query(steps: Generator[Query | Compute, Any, Any]) -> Query:
    """Run the operation's leading computations; its first query (or _Done)."""
    send: Any = None
    while True:
        try:
            step = steps.send(send)
        except StopIteration as done:
            raise _Done(done.value) from None
        if isinstance(step, Query):
            return step
        send = step.function(*step.args)


async def _until_query_async(steps: Generator[Query | Compute, Any, Any]) -> Query:
    send: Any = None
    while True:
        try:
            step = steps.send(send)
        except StopIteration as done:
            raise _Done(done.value) from None
        if isinstance(step, Query):
            return step
        send = await asyncio.to_thread(step.function, *step.args)


class Database:
    """A synchronous pool and the driver that runs operations on it."""

    def __init__(
        self, url: str, *, min_size: int = 1, max_size: int = 10, health: Health | None = None
    ) -> None:
        self.url = url
        self.health = health or Health()
        self.pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            kwargs=_kwargs(),
            configure=_configure,
            open=True,
            name="rapport",
        )
        self.health.on_up(self.pool.check)  # drop connections to the server that died

    def _connection(self) -> psycopg.Connection[Any]:
        """A connection from the pool, waited for in short steps so that a database that
        went down meanwhile fails the wait at once rather than after the pool's timeout."""
        waited = 0.0
        while True:
            try:
                return self.pool.getconn(timeout=WAIT_STEP)
            except PoolTimeout:
                waited += WAIT_STEP
                self.health.check()
                if waited >= POOL_TIMEOUT:
                    raise errors.Unavailable(_BUSY, retry_after=1) from None

    def run(self, op: Operation[T]) -> T:
        """Run ``op`` and return its result (in one transaction if it is atomic)."""
        self.health.check()
        try:
            first = _until_query(op.steps)
        except _Done as done:
            return cast(T, done.value)
        try:
            conn = self._connection()
            try:
                if op.atomic:
                    with conn.transaction():
                        return _drive(conn, op, first)
                return _drive(conn, op, first)
            except BaseException:  # a rollback undoes set_config too
                isolation.remember(conn, isolation.UNKNOWN)
                raise
            finally:
                self.pool.putconn(conn)
        except psycopg.Error as error:  # connect or commit failures
            translated = failures.translate(error)
            if translated is None:
                raise
            raise translated from error

    def close(self) -> None:
        self.pool.close()


class AsyncDatabase:
    """An asynchronous pool and the driver that runs operations on it."""

    def __init__(
        self, url: str, *, min_size: int = 1, max_size: int = 10, health: Health | None = None
    ) -> None:
        self.url = url
        self.health = health or Health()
        self.pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] = AsyncConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            kwargs=_kwargs(),
            configure=_configure_async,
            open=False,
            name="rapport-async",
        )

    async def open(self) -> None:
        await self.pool.open(wait=True)
        loop = asyncio.get_running_loop()

        def refresh() -> None:  # from the supervisor's thread, onto this pool's loop
            asyncio.run_coroutine_threadsafe(self.pool.check(), loop)

        self.health.on_up(refresh)

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        """As ``Database._connection``."""
        waited = 0.0
        while True:
            try:
                return await self.pool.getconn(timeout=WAIT_STEP)
            except PoolTimeout:
                waited += WAIT_STEP
                self.health.check()
                if waited >= POOL_TIMEOUT:
                    raise errors.Unavailable(_BUSY, retry_after=1) from None

    async def run(self, op: Operation[T]) -> T:
        """Run ``op`` and return its result (in one transaction if it is atomic)."""
        self.health.check()
        try:
            first = await _until_query_async(op.steps)
        except _Done as done:
            return cast(T, done.value)
        try:
            conn = await self._connection()
            try:
                if op.atomic:
                    async with conn.transaction():
                        return await _drive_async(conn, op, first)
                return await _drive_async(conn, op, first)
            except BaseException:  # a rollback undoes set_config too
                isolation.remember(conn, isolation.UNKNOWN)
                raise
            finally:
                await self.pool.putconn(conn)
        except psycopg.Error as error:  # connect or commit failures
            translated = failures.translate(error)
            if translated is None:
                raise
            raise translated from error

    async def close(self) -> None:
        await self.pool.close()


async def _configure_async(conn: psycopg.AsyncConnection[Any]) -> None:
    _json(conn)
    await isolation.become_app_async(conn)
