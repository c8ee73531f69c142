"""Personas' facets on the contact: its latest conversation's stage, its channels and its
keywords, kept as conversations change and as enrichment reads its messages; and contacts
counted per facet value as they change.

The SQL lives beside this file (0021_facets.sql); rapport/personas reads it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from __future__ import annotations

from pathlib import Path

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute((Path(__file__).parent / "0021_facets.sql").read_text())


def downgrade() -> None:
    op.execute(
        """
        DROP TRIGGER contacts_facets_counted_update ON contacts;
        DROP TRIGGER contacts_facets_counted_delete ON contacts;
        DROP TRIGGER contacts_facets_counted_insert ON contacts;
        DROP FUNCTION rapport_count_facets();
        DROP FUNCTION rapport_facet_values(text, text, text, text, text[], text[]);
        DROP TABLE contact_facet_tallies;
        DROP TRIGGER conversations_facets_changed ON conversations;
        DROP TRIGGER conversations_facets_removed ON conversations;
        DROP TRIGGER conversations_facets_added ON conversations;
        DROP FUNCTION rapport_contact_facets_of_row();
        DROP FUNCTION rapport_contact_facets_of_statement();
        DROP FUNCTION rapport_contact_facets(uuid, uuid[]);
        ALTER TABLE contacts DROP COLUMN sales_stage, DROP COLUMN channels,
          DROP COLUMN keywords;
        DROP INDEX contacts_industry_idx;
        """
    )
