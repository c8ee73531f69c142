"""Revision 0003 upgrades a database with data in it, and downgrades it back to 0002."""

from __future__ import annotations

from typing import Any

import psycopg

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
        with psycopg.connect(url, autocommit=True) as conn:  # the owner: 0002 has no app role
            # 0002's tally triggers work again: a conversation written at 0002 is counted.
            conn.execute(
                "INSERT INTO conversations (org_id, contact_id, channel)"
                " SELECT org_id, id, 'sms' FROM contacts"
            )
            description = conn.execute("SELECT description FROM agents").fetchone()
            keys = conn.execute("SELECT count(*) FROM conversation_tallies").fetchone()
            tallies = conn.execute(
                "SELECT sales_stage, sum(n)::int FROM conversation_tallies GROUP BY 1 ORDER BY 1"
            ).fetchall()
        assert description == ("closes",)
        assert tallies == [("closing", 2), ("qualification", 2)]
        assert keys == (3,)  # one row per (stage, status, agent) again
        migrate.upgrade(url)
        with rapport.Rapport(org="m", database=database, enrich="off") as r:
            after = r.pipeline.counts()
            assert after["total"] == before["total"] + 1
            assert after["stages"]["closing"] == before["stages"]["closing"]
            assert r.agents.list()["items"][0]["persona"]["description"] == "closes"
    finally:
        database.close()
        drop_database(admin_url, "rapport_test_migrations")
