"""`talk2tables api`: the FastAPI app (and the built web UI) over HTTP."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from talk2tables.cli.main import app
from talk2tables.config import Settings
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
    overrides: dict[str, object] = {}
    if config is not None:
        overrides["mcp_config_path"] = config
    if host is not None:
        overrides["api_host"] = host
    if port is not None:
        overrides["api_port"] = port
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if not settings.mcp_config_path.is_file():
        typer.secho(
            f"error: MCP registry not found: {settings.mcp_config_path}. Pass --config PATH or set MCP_CONFIG_PATH.",
            err=True,
            fg="red",
        )
        raise typer.Exit(1)
    configure_logging(settings.log_level)
    from talk2tables.api import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_config=None,
        timeout_graceful_shutdown=5,
    )
