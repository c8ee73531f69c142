"""Retake the dashboard's pictures in docs/images on the demo data.

    .venv/bin/python docs/screenshots.py [--leads 150]

Fills a fresh embedded database (a temporary RAPPORT_HOME) with `rapport demo`'s sales team,
serves it, signs in to /dashboard in Debian's chromium-headless-shell (through Playwright)
and saves what a laptop screen shows.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from rapport import Rapport
from rapport.api.app import create_app
from rapport.config import Settings
from rapport.demo.simulation import run
from rapport.tenancy import api_keys

IMAGES = Path(__file__).parent / "images"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=150)
    args = parser.parse_args()
    browser = shutil.which("chromium-headless-shell")
    if browser is None:
        raise SystemExit("needs Debian's chromium-headless-shell (apt-get install it)")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        settings = Settings(home=Path(home), database_url=None)
        with Rapport(org="demo", settings=settings) as r:
            run(r, args.leads, seed=7)
            r.enrichment.flush()
            r.triggers.run()
            _, key = r.database.run(api_keys.create_key(r.principal.org_id, "operator", "shots"))
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            server = uvicorn.Server(uvicorn.Config(create_app(settings), port=port,
                                                   log_level="warning"))  # fmt: skip
            threading.Thread(target=server.run, daemon=True).start()
            while not server.started:
                time.sleep(0.1)
            with sync_playwright() as playwright:
                chromium = playwright.chromium.launch(executable_path=browser)
                page = chromium.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"http://127.0.0.1:{port}/dashboard")
                page.screenshot(path=str(IMAGES / "dashboard-login.png"))
                page.fill("#key", key)
                page.click("button[type=submit]")
                page.wait_for_selector("#live.on")
                page.wait_for_selector("#health dt")
                page.wait_for_timeout(500)
                page.screenshot(path=str(IMAGES / "dashboard.png"), full_page=True)
                chromium.close()
            server.should_exit = True
    print(f"saved {IMAGES / 'dashboard.png'} and {IMAGES / 'dashboard-login.png'}")


if __name__ == "__main__":
    main()
