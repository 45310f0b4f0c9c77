"""Run an ASGI app with uvicorn the same way for every server process (the API and each MCP server)."""

from __future__ import annotations

import gc
import sys

import uvicorn
from starlette.types import ASGIApp
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

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
    listening socket; uvicorn restarts a worker that dies and stops them all on SIGINT/SIGTERM/SIGHUP. The
    workers are fresh interpreters: they read their settings from the environment, not from this process.
    Exits 3 (uvicorn's start-up failure code, as one process does) when a worker could not start."""
    config = uvicorn.Config(
        factory,
        factory=True,
        workers=workers,
        host=host,
        port=port,
        http=http,
        log_config=None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    supervisor = _Workers(config, sockets=[config.bind_socket()])
    supervisor.run()
    if any(process.exitcode == STARTUP_FAILURE for process in supervisor.processes):
        sys.exit(STARTUP_FAILURE)


class _Workers(Multiprocess):
    """uvicorn's worker supervisor, except that SIGHUP (the terminal closing) stops everything: uvicorn would
    restart the workers and keep serving with no terminal left."""

    def handle_hup(self) -> None:
        self.handle_term()


def freeze_heap() -> None:
    """Move everything built so far out of the garbage collector's reach (see `serve`)."""
    gc.collect()
    gc.freeze()
