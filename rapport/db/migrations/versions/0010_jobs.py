"""The job queue: procrastinate's schema (its tables, types and functions, all named
``procrastinate_*``), which ``rapport worker`` and the server's in-process worker run jobs
from.

The SQL is the installed procrastinate's own (``SchemaManager.get_schema()``), applied as
this revision, so the queue is part of Rapport's schema history and of ``schema.sql``; the
package is pinned to a minor version whose schema this revision matches. A procrastinate
upgrade that changes its schema comes with a revision applying its migrations.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op
from procrastinate.schema import SchemaManager

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(SchemaManager.get_schema())


def downgrade() -> None:
    op.execute("""
        DO $$
        DECLARE
          found record;
        BEGIN
          DROP TABLE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
                     procrastinate_workers CASCADE;
          FOR found IN SELECT p.oid::regprocedure AS fn FROM pg_proc AS p
                       WHERE p.pronamespace = 'public'::regnamespace
                         AND p.proname LIKE 'procrastinate\\_%' LOOP
            EXECUTE format('DROP FUNCTION %s CASCADE', found.fn);
          END LOOP;
          DROP TYPE procrastinate_job_to_defer_v1, procrastinate_job_event_type,
                    procrastinate_job_status;
        END $$
    """)
