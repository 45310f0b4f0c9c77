"""Run an ASGI app with uvicorn the same way for every server process (the API and each MCP server)."""

from __future__ import annotations

import gc

import uvicorn
from starlette.types import ASGIApp

GRACEFUL_SHUTDOWN_SECONDS = 5


def serve(app: ASGIApp, *, host: str, port: int) -> None:
    """Serve `app` until SIGINT/SIGTERM. Logging is already configured (structlog), so uvicorn adds none.

    Everything imported and built so far lives as long as the process: `gc.freeze()` moves it out of the
    garbage collector's reach, so a full collection no longer walks those objects (a pause of several
    milliseconds at random requests otherwise; docs/benchmarks.md). uvicorn picks uvloop and httptools
    when installed.
    """
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_config=None, timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
