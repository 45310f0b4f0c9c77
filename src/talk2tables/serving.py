"""Run an ASGI app with uvicorn the same way for every server process (the API and each MCP server)."""

from __future__ import annotations

import gc

import uvicorn
from starlette.types import ASGIApp

GRACEFUL_SHUTDOWN_SECONDS = 5
# HTTP parsers. The API, which people and browsers reach, uses h11: it refuses what httptools lets through
# (an HTTP/0.9 request, for one; tests/security). The MCP servers parse several messages per question and
# use httptools (C, fast) when it is installed.
API_HTTP = "h11"
MCP_HTTP = "auto"


def serve(app: ASGIApp, *, host: str, port: int, http: str) -> None:
    """Serve `app` until SIGINT/SIGTERM, on uvloop when it is installed. Logging is already configured
    (structlog), so uvicorn adds none.

    Everything imported and built so far lives as long as the process: `gc.freeze()` moves it out of the
    garbage collector's reach, so a full collection no longer walks those objects.
    """
    freeze_heap()
    uvicorn.run(
        app, host=host, port=port, http=http, log_config=None, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS
    )


def serve_workers(factory: str, *, workers: int, host: str, port: int, http: str) -> None:
    """Serve the app that `factory` ("module:function") builds in each of `workers` processes, sharing one
    listening socket; uvicorn restarts a worker that dies and stops them all on SIGINT/SIGTERM. The workers
    are fresh interpreters: they read their settings from the environment, not from this process."""
    uvicorn.run(
        factory,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        http=http,
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def freeze_heap() -> None:
    """Move everything built so far out of the garbage collector's reach (see `serve`)."""
    gc.collect()
    gc.freeze()
