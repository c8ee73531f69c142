"""SQL injection: hostile strings through every filter (as values, field names, operators
and JSON paths), every order_by, every cursor and every search input, over HTTP against
the real server. Each is answered as data (200) or refused by name (400/404/422), never a
5xx, and afterwards every table and row is still there and nothing of another org leaked.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from rapport.resources.registry import all_verbs
from tests.conftest import ServerThread, Store, Tenant

HOSTILE = [
    "'; DROP TABLE contacts; --",
    "x' OR '1'='1",
    "x') OR 1=1 --",
    "1; SELECT pg_sleep(3)",
    "$$; DELETE FROM messages; $$",
    "%(org)s",
    "%s%s%s",
    "{org}",
    '"; DROP TABLE messages; --',
    "\\'; TRUNCATE orgs; --",
    "x' UNION SELECT org_id::text FROM orgs --",
    "*/ SELECT 1 /*",
]
ANSWERED = {200, 400, 404, 422}


def _filterable() -> list[tuple[str, Any]]:
    """Every GET verb that takes ``filter``, with the Resource its filter names."""
    found = []
    for verb in all_verbs():
        if verb.method == "GET" and verb.over is not None and "{" not in verb.path:
            found.append((verb.path, verb.over))
    return sorted({path: over for path, over in found}.items())


FILTERABLE = _filterable()


@pytest.fixture
def http(server: ServerThread, tenant: Tenant, other_tenant: Tenant, store: Store) -> Iterator[Any]:
    """The tenant admin's client, after rows in both orgs (the other org's hold a secret word
    the probes must never see); afterwards, every table holds exactly what it held before."""
    for who, word in ((tenant, "mine"), (other_tenant, "theirsecret")):
        with who.local() as r:
            person = r.contacts.create(name=f"Ana {word}", metadata={"note": word})
            chat = r.conversations.create(contact_id=person["id"], channel="sms")
            r.conversations.append_message(chat["id"], role="user", content=f"hello {word}")
            r.enrichment.flush()
    headers = {"Authorization": f"Bearer {tenant.key('admin')}"}
    before = _counts(store.url)
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        yield client
    assert _counts(store.url) == before


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p') AND relname NOT LIKE 'procrastinate%%' "
            "AND relname <> 'audit_events' ORDER BY 1"
        ).fetchall()
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for (t,) in tables}  # type: ignore[index]


def _check(response: httpx.Response, probe: str) -> None:
    assert response.status_code in ANSWERED, f"{probe}: {response.status_code} {response.text}"
    assert "theirsecret" not in response.text, f"{probe}: another org's data"
    assert "syntax error" not in response.text.lower(), f"{probe}: SQL reached the parser"


def test_hostile_filters_orders_and_cursors_are_data_or_refused(http: httpx.Client) -> None:
    for path, over in FILTERABLE:
        texts = [n for n, f in over.fields.items() if f.sql_type == "text"][:3]
        objects = [n for n, f in over.fields.items() if f.json_shape == "object"][:1]
        for bad in HOSTILE:
            filters: list[Any] = [{bad: "x"}, {"$or": [{bad: 1}]}]
            filters += [{name: bad} for name in texts]
            filters += [{name: {"$in": [bad]}} for name in texts]
            filters += [{name: {bad: "x"}} for name in texts]
            filters += [{name: {"$contains": bad}} for name in texts]
            filters += [{f"{name}.{bad}": 1} for name in objects]
            filters += [{f"{name}.note": bad} for name in objects]
            for spec in filters:
                response = http.get(path, params={"filter": json.dumps(spec)})
                _check(response, f"GET {path} filter={spec}")
            for params in ({"order_by": bad}, {"order_by": f"-{bad}"}, {"cursor": bad},
                           {"limit": bad}):  # fmt: skip
                _check(http.get(path, params=params), f"GET {path} {params}")


def test_hostile_search_inputs_are_searched_for_as_text(http: httpx.Client) -> None:
    for bad in [*HOSTILE, "theirsecret' OR org_id IS NOT NULL --"]:
        found = http.get("/v1/messages/search", params={"q": bad})
        _check(found, f"messages search {bad!r}")
        assert found.status_code == 200, found.text
        for mode in ("hybrid", "keyword", "semantic"):
            body = {"query": bad, "mode": mode, "filter": {"metadata.note": bad}}
            _check(http.post("/v1/search", json=body), f"search {mode} {bad!r}")
    # The other org's word is there, and found by its own org only.
    assert http.get("/v1/messages/search", params={"q": "theirsecret"}).json()["items"] == []
