"""Tenant isolation enforced by PostgreSQL: row-level security on every tenant table, the
rapport_app role the application runs as, and the few SECURITY DEFINER lookups that cross
orgs.

The SQL lives beside this file (0006_isolation.sql).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0006_isolation.sql").read_text())


def downgrade() -> None:
    op.execute("""
        DO $$
        DECLARE
          found record;
        BEGIN
          FOR found IN SELECT tablename FROM pg_policies
                       WHERE schemaname = 'public' AND policyname = 'tenant' LOOP
            EXECUTE format('DROP POLICY tenant ON %I', found.tablename);
            EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', found.tablename);
            EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', found.tablename);
          END LOOP;
          FOR found IN SELECT p.oid::regprocedure AS definer FROM pg_proc AS p
                       WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
            EXECUTE format('DROP FUNCTION %s', found.definer);
          END LOOP;
        END $$
    """)
    op.execute("DROP FUNCTION rapport_isolate(regclass), rapport_grant_definers(), rapport_org()")
    # The role is the cluster's (other databases may use it): only this database's rights go.
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        "REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM rapport_app"
    )
    op.execute(
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES "
        "FROM rapport_app"
    )
    op.execute("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM rapport_app")
    op.execute("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM rapport_app")
    op.execute("REVOKE USAGE ON SCHEMA public FROM rapport_app")
