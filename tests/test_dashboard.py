"""The operator's dashboard: the overview it draws (both SDK ways), and the page itself in
a real headless Chromium (Debian's chromium-headless-shell, driven by Playwright): sign in,
see the demo data, watch a write through the API arrive within a second, pause a variant."""

from __future__ import annotations

import datetime
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from rapport.demo.simulation import run
from tests.conftest import ServerThread, Tenant

BROWSER = shutil.which("chromium-headless-shell")
SHOTS = os.environ.get("RAPPORT_SCREENSHOTS")  # a folder: the docs' pictures, retaken


def test_the_overview_holds_every_part_the_page_draws(sdk: Any) -> None:
    person = sdk.contacts.create(name="Ana")
    talk = sdk.conversations.create(contact_id=person["id"], channel="whatsapp",
                                    current_agent="qualifier")  # fmt: skip
    sent = sdk.messages.create(conversation_id=talk["id"], role="agent", content="Budget?")
    now = datetime.datetime.now(datetime.UTC)
    sdk.events.record(items=[
        {"type": "sent", "at": now.isoformat(), "external_id": "e1", "message_id": sent["id"]},
        {"type": "read", "at": now.isoformat(), "external_id": "e2", "message_id": sent["id"]},
    ])  # fmt: skip
    sdk.follow_ups.create(conversation_id=talk["id"], due_at="2020-01-01T00:00:00Z")
    seen = sdk.dashboard.overview()
    assert seen["pipeline"][0] == {"stage": "qualification", "total": 1, "active": 1}
    today = seen["messages"][-1]
    assert (today["sent"], today["delivered"], today["read"], today["replied"]) == (1, 1, 1, 0)
    assert len(seen["messages"]) == 14
    assert seen["follow_ups"]["overdue"] == 1
    assert {w["agent"]: w["count"] for w in seen["workload"]}.get("qualifier") == 1
    assert seen["volume"]["contacts"] == 1
    assert seen["volume"]["events"] == 2
    assert int(seen["position"]) > 0
    assert sdk.changes.list(after=seen["position"])["items"] == []  # the head, when read


@pytest.fixture
def demo(tenant: Tenant) -> dict[str, Any]:
    """The demo's sales team on a few simulated leads, with its experiment."""
    with tenant.local() as r:
        _, loop = run(r, leads=16, seed=5)
        r.enrichment.flush()
        return {"experiment": loop.experiment, "contacts": r.contacts.count()}


@pytest.fixture
def browser() -> Iterator[Any]:
    if BROWSER is None and not os.environ.get("RAPPORT_REQUIRE_BROWSER"):
        pytest.skip("needs Debian's chromium-headless-shell (.ci/run installs it)")
    assert BROWSER is not None, "chromium-headless-shell is not installed"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_the_dashboard_shows_the_demo_live_and_pauses_a_variant(
    server: ServerThread, tenant: Tenant, demo: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{server.url}/dashboard")
    page.fill("#key", "rk_not_a_key")
    page.click("button[type=submit]")
    page.wait_for_selector("#login-error:has-text('not accepted')")

    page.fill("#key", tenant.key("operator"))
    page.click("button[type=submit]")
    page.wait_for_selector("#board:not([hidden])")
    page.wait_for_selector("#live.on")
    shown = page.inner_text("[data-volume=contacts] b")
    assert int(shown.replace(",", "")) == demo["contacts"]
    assert page.locator("[data-variant]").count() == 2
    for canvas in ("pipeline-chart", "messages-chart", "workload-chart", "patterns-chart"):
        assert page.evaluate(f"Chart.getChart('{canvas}') !== undefined")
    stages = page.evaluate("Chart.getChart('pipeline-chart').data.datasets[0].data")
    assert sum(stages) > 0
    assert all(url.startswith(server.url) for url in requested)  # nothing from a CDN
    assert page.locator("#activity li").count() > 0  # the last changes, before any new one
    assert page.locator("#activity li.fresh").count() == 0
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "dashboard.png"), full_page=True)

    # A write through the API is on the page within a second, without a reload.
    with tenant.local() as r:
        person = r.contacts.create(name="Live Lead")
        talk = r.conversations.create(contact_id=person["id"], channel="instagram_dm")
        said = r.messages.create(conversation_id=talk["id"], role="agent", content="Hi!")
        before = page.inner_text("#messages-today")
        started = time.monotonic()
        r.events.record(items=[{"type": "sent", "external_id": "live-1",
                                 "at": datetime.datetime.now(datetime.UTC).isoformat(),
                                 "message_id": said["id"]}])  # fmt: skip
    page.wait_for_selector("#activity li.fresh[data-kind=events]", timeout=1000)
    page.wait_for_function(
        "before => document.getElementById('messages-today').textContent !== before",
        arg=before,
        timeout=1000,
    )
    assert time.monotonic() - started < 1.0

    # Pause the first variant from the page: the API says it is paused, and so does the page.
    row = page.locator("[data-variant]").first
    variant = row.get_attribute("data-variant")
    row.locator("button[data-pause]").click()
    page.wait_for_selector(f"[data-variant='{variant}'] .status.paused", timeout=3000)
    with tenant.local() as r:
        stored = r.prompt_variants.get(variant)
    assert stored["status"] == "paused"
    assert stored["paused_reason"] == "paused from the dashboard"
    assert page.locator(f"[data-variant='{variant}'] button[data-pause]").is_disabled()


def test_the_dashboard_is_served_with_its_assets(server: ServerThread) -> None:
    page = httpx.get(f"{server.url}/dashboard")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    for asset in ("dashboard.js", "dashboard.css", "chart.umd.min.js"):
        assert httpx.get(f"{server.url}/dashboard/static/{asset}").status_code == 200
