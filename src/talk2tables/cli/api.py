"""`talk2tables api`: the FastAPI app (and the built web UI) over HTTP."""

from __future__ import annotations

from pathlib import Path

import typer

from talk2tables.cli.main import app
from talk2tables.cli.settings import settings_or_exit
from talk2tables.logging import configure_logging


@app.command("api")
def api(
    config: Path | None = typer.Option(
        None, "--config", help="The MCP server registry (YAML). Default: MCP_CONFIG_PATH or ./mcp_config.yaml."
    ),
    host: str | None = typer.Option(None, help="Bind address. Default: T2T_API_HOST or 127.0.0.1."),
    port: int | None = typer.Option(None, help="Port. Default: T2T_API_PORT or 8001."),
    workers: int | None = typer.Option(
        None,
        min=1,
        max=64,
        help="Worker processes sharing the port. One uses one CPU core; about one per core serves more questions "
        "at once. Default: T2T_API_WORKERS or 1.",
    ),
) -> None:
    """Serve the HTTP API (POST /api/query, /api/query/stream, GET /api/servers, /metrics, /docs) and the UI."""
    overrides = {"mcp_config_path": config, "api_host": host, "api_port": port, "api_workers": workers}
    settings = settings_or_exit(**overrides)
    configure_logging(settings.log_level, process_id=settings.api_workers > 1)
    from talk2tables.api.workers import serve_api
    from talk2tables.config import Settings

    # Worker processes read their settings from the environment: the options travel as their variables.
    serve_api(settings, env={Settings.variable(k): str(v) for k, v in overrides.items() if v is not None})
