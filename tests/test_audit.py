"""The audit log: every admin write recorded with actor, time and target, readable by
admins with a filter, and not changeable through the API or by the application's role."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest

from rapport.db.database import Database
from rapport.db.operation import Operation, Query, Steps
from tests.conftest import ServerThread, Tenant
from tests.test_tenancy import assert_problem, client_for, ok


def test_admin_writes_are_audited_and_readable_by_admins(
    http: httpx.Client, server: ServerThread, tenant: Tenant
) -> None:
    made = ok(http.post("/v1/keys", json={"role": "viewer", "name": "jane@example.com"}), 201)
    ok(http.delete(f"/v1/keys/{made['id']}"))
    ok(http.patch("/v1/org", json={"settings": {"retention": {"messages_days": 30}}}))
    ok(http.post("/v1/retention/run"))
    person = ok(http.post("/v1/contacts", json={"name": "Not an admin action"}), 201)
    hold = ok(http.post("/v1/legal-holds", json={"contact_id": person["id"], "reason": "x"}), 201)

    page = ok(http.get("/v1/audit"))["items"]
    expected = ["legal_holds.create", "retention.run", "update_org", "keys.revoke", "keys.create"]
    assert [event["action"] for event in page] == expected
    by_action = {event["action"]: event for event in page}
    assert "contacts.create" not in by_action  # an operator's work is not an admin action
    created = by_action["keys.create"]
    assert created["target"] == made["id"]
    assert created["actor"].startswith("key:")
    assert created["details"]["role"] == "viewer"
    assert "jane@example.com" not in str(created)  # names of fields, not their values
    assert by_action["keys.revoke"]["target"] == made["id"]
    assert by_action["legal_holds.create"]["target"] == hold["id"]
    settings = next(e for e in page if e["details"].get("settings"))
    assert settings["details"]["settings"] == {"retention": {"messages_days": 30}}

    only = ok(http.get("/v1/audit", params={"filter": '{"action": "keys.revoke"}'}))["items"]
    assert [e["target"] for e in only] == [made["id"]]
    with client_for(server, tenant.key("operator")) as operator:
        assert_problem(operator.get("/v1/audit"), 403)
    for method in ("POST", "PATCH", "DELETE"):
        assert http.request(method, "/v1/audit").status_code in (404, 405)


def test_the_application_role_cannot_change_audit_rows(
    http: httpx.Client, database: Database, tenant: Tenant, database_url: str
) -> None:
    ok(http.post("/v1/keys", json={"role": "viewer"}), 201)

    def tamper(statement: str) -> Steps[Any]:
        return (yield Query(statement, fetch="rowcount"))

    for statement in ("UPDATE audit_events SET actor = 'nobody'", "DELETE FROM audit_events"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            database.run(Operation(tamper(statement), org=tenant.id))
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*), min(actor) FROM audit_events").fetchone()[0] == 1
