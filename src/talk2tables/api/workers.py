"""Serving the API from one process or several (`T2T_API_WORKERS`, `talk2tables api --workers N`).

One process runs everything on one event loop, so it uses one CPU core however many the machine has. With N
workers, uvicorn starts N processes that share the listening socket; each has its own orchestrator and MCP
sessions (connection reuse per process; every question still reads every resource fresh). `/metrics` then
adds up every worker's counters through Prometheus' multiprocess mode, whichever worker answers the scrape.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE  # "could not start": uvicorn's worker supervisor then stops the rest

from talk2tables.config import Settings
from talk2tables.logging import configure_logging, get_logger
from talk2tables.parent_death import die_with_parent

log = get_logger(__name__)

# prometheus_client reads this variable when it is imported: set, every process writes its metrics to files
# there, and a scrape reads them all.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"
# The supervisor's PID, so a worker can tell its supervisor died before the worker set its parent-death watch.
SUPERVISOR_PID_ENV = "T2T_API_SUPERVISOR_PID"
METRICS_DIR_PREFIX = "t2t-metrics-"  # then the pid of the `talk2tables api` that made it, then a random part
WORKER_APP = "talk2tables.api.workers:worker_app"


def serve_api(settings: Settings, env: Mapping[str, str] | None = None) -> None:
    """Serve the API until SIGINT/SIGTERM. `env` holds the command line's settings as environment variables
    (for example MCP_CONFIG_PATH for --config): worker processes read their settings from the environment."""
    from talk2tables.serving import API_HTTP, serve, serve_workers

    if settings.api_workers == 1:
        from talk2tables.api.app import create_app

        serve(create_app(settings), host=settings.api_host, port=settings.api_port, http=API_HTTP)
        return
    remove_orphaned_metrics_dirs()
    metrics_dir = tempfile.mkdtemp(prefix=f"{METRICS_DIR_PREFIX}{os.getpid()}-")  # fresh: old counts stay out
    os.environ.update({**(env or {}), METRICS_DIR_ENV: metrics_dir, SUPERVISOR_PID_ENV: str(os.getpid())})
    log.info("api_workers", workers=settings.api_workers, metrics_dir=metrics_dir)
    try:
        serve_workers(
            WORKER_APP, workers=settings.api_workers, host=settings.api_host, port=settings.api_port, http=API_HTTP
        )
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def remove_orphaned_metrics_dirs(parent: str | None = None) -> list[Path]:
    """Remove the metrics directories that a `talk2tables api` killed outright (SIGKILL, a crash) could not,
    those whose process is gone; returns them. A directory whose process still runs is another API's."""
    removed = []
    for path in Path(parent or tempfile.gettempdir()).glob(f"{METRICS_DIR_PREFIX}*-*"):
        owner = path.name.removeprefix(METRICS_DIR_PREFIX).split("-", 1)[0]
        if path.is_dir() and owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    if removed:
        log.info("api_metrics_dirs_removed", directories=[str(p) for p in removed])
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def worker_app() -> FastAPI:
    """One worker's app (uvicorn calls this in each worker process). Its log lines carry its `pid`. A worker that
    cannot build its app exits with uvicorn's start-up failure code, which stops them all, instead of being
    restarted forever; one whose supervisor is killed gets SIGTERM instead of serving on as an orphan."""
    from talk2tables.api.app import create_app
    from talk2tables.serving import freeze_heap

    _terminate_with_parent()
    try:
        settings = Settings()
        configure_logging(settings.log_level, process_id=True)
        app = create_app(settings)
    except Exception as exc:
        log.error("api_worker_failed", error=f"{type(exc).__name__}: {exc}")
        sys.exit(STARTUP_FAILURE)
    freeze_heap()
    return app


def _terminate_with_parent() -> None:
    """SIGTERM this process when its parent (the worker supervisor) dies."""
    supervisor = os.environ.get(SUPERVISOR_PID_ENV, "")
    try:
        die_with_parent(signal.SIGTERM, int(supervisor) if supervisor.isdigit() else None)
    except OSError as exc:
        log.warning("api_worker_parent_watch", outcome="error", errno=exc.errno)


def multiprocess_metrics_dir() -> str | None:
    """The directory the workers share their metrics through, when the API runs several."""
    return os.environ.get(METRICS_DIR_ENV) or None
