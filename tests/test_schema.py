"""schema.sql is exactly what the migrations build.

One database is built from the migrations (the session's template), another from
``rapport/db/schema.sql``; their catalogs (tables and columns, indexes, constraints,
functions, triggers, policies, extensions, revision) must be identical, so neither can
drift from the other. A database made from the file is at the head revision already.
"""

from __future__ import annotations

from rapport.db import migrate, schema
from tests.conftest import create_database, drop_database


def test_schema_sql_builds_the_same_database_as_the_migrations(
    admin_url: str, template_url: str
) -> None:
    url = create_database(admin_url, "rapport_test_schema_sql")
    try:
        schema.load(url)
        from_migrations = schema.describe(template_url)
        from_file = schema.describe(url)
        for part, rows in from_migrations.items():
            assert from_file[part] == rows, f"schema.sql differs from the migrations: {part}"
        assert from_migrations["functions"]  # the comparison saw what it compares
        assert any(name == "rapport_qualified_threshold" for name, *_ in from_file["functions"])
        assert from_migrations["triggers"]
        assert migrate.current_revision(url) == migrate.head_revision()
        migrate.upgrade(url)  # nothing left to apply
        assert schema.describe(url) == from_file
    finally:
        drop_database(admin_url, "rapport_test_schema_sql")
