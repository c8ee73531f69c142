"""Revision 0003 upgrades a database with data in it, and downgrades it back to 0002."""

from __future__ import annotations

from typing import Any

import rapport
from rapport.db import migrate
from rapport.db.database import Database
from tests.conftest import TEMPLATE, create_database, drop_database


def test_0003_downgrades_and_upgrades_with_data(admin_url: str, template_url: Any) -> None:
    url = create_database(admin_url, "rapport_test_migrations", template=TEMPLATE)
    database = Database(url, min_size=1, max_size=2)
    try:
        with rapport.Rapport(org="m", database=database, enrich="off") as r:
            r.agents.create(name="closer", role="closer", persona={"description": "closes"})
            person = r.contacts.create(name="Ana")
            for stage in ("qualification", "closing", "closing"):
                r.conversations.create(
                    contact_id=person["id"], channel="sms", sales_stage=stage,
                    current_agent="closer",
                )  # fmt: skip
            before = r.pipeline.counts()
        migrate.downgrade(url, "0002")
        with database.pool.connection() as conn:
            description = conn.execute("SELECT description FROM agents").fetchone()
            tallies = conn.execute(
                "SELECT sales_stage, n FROM conversation_tallies ORDER BY 1"
            ).fetchall()
        assert description == ("closes",)
        assert tallies == [("closing", 2), ("qualification", 1)]  # one row per key again
        migrate.upgrade(url)
        with rapport.Rapport(org="m", database=database, enrich="off") as r:
            assert r.pipeline.counts() == before
            assert r.agents.list()["items"][0]["persona"]["description"] == "closes"
    finally:
        database.close()
        drop_database(admin_url, "rapport_test_migrations")
