"""Serves the built web UI (frontend/dist) at `/`, or a page saying how to build it."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

_NOT_BUILT = """<!doctype html><html><head><title>Talk 2 Tables</title></head><body style="font-family:sans-serif">
<h1>Talk 2 Tables</h1><p>The web UI is not built. Run <code>make install</code> (or <code>make run</code>),
or use the API directly: <a href="/docs">/docs</a>.</p></body></html>"""


def mount_ui(app: FastAPI, dist: Path) -> None:
    """Mounted last, so every API route wins over a static path."""
    if (dist / "index.html").is_file():
        app.mount("/", StaticFiles(directory=dist, html=True), name="ui")
        return

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def ui_not_built() -> str:
        return _NOT_BUILT
