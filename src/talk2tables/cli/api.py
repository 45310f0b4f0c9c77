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
) -> None:
    """Serve the HTTP API (POST /api/query, /api/query/stream, GET /api/servers, /metrics, /docs) and the UI."""
    settings = settings_or_exit(mcp_config_path=config, api_host=host, api_port=port)
    configure_logging(settings.log_level)
    from talk2tables.api import create_app
    from talk2tables.serving import API_HTTP, serve

    serve(create_app(settings), host=settings.api_host, port=settings.api_port, http=API_HTTP)
