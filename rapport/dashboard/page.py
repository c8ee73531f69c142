"""``/dashboard``: the operator's page and its assets, all served from this machine.

The page is static: it holds no data and needs no login to load; everything it shows it
reads with the key the operator types in (kept in the tab's session storage), through the
same API as any client, so a viewer key shows it all and only an operator's can pause.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse

ASSETS = Path(__file__).parent / "static"
STATIC = "/dashboard/static"


def install(app: FastAPI) -> None:
    """/dashboard and its assets under /dashboard/static."""
    app.mount(STATIC, StaticFiles(directory=ASSETS), name="dashboard-assets")

    @app.get("/dashboard", include_in_schema=False)
    async def dashboard() -> FileResponse:
        return FileResponse(ASSETS / "index.html", headers={"Cache-Control": "no-cache"})
