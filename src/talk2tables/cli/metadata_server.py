"""`talk2tables metadata-server`: the Product Metadata MCP over SSE (default port 8002, path /sse)."""

from __future__ import annotations

from pathlib import Path

import typer

from talk2tables.cli.main import app
from talk2tables.cli.settings import read_settings
from talk2tables.errors import MetadataError

DEFAULT_PORT = 8002


@app.command("metadata-server")
def metadata_server(
    metadata: Path | None = typer.Option(
        None,
        "--metadata",
        help="Product metadata JSON file to serve (default: T2T_METADATA_PATH, else test_data/product_metadata.json). "
        "It is read again on every resource read, so edits apply without a restart.",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(
        DEFAULT_PORT, "--port", help="Port to listen on; clients connect to http://HOST:PORT/sse."
    ),
) -> None:
    """Serve product aliases and column terms as MCP resources over SSE (no tools)."""
    # Heavy imports stay inside the command so other commands start quickly.
    from talk2tables.logging import configure_logging, get_logger
    from talk2tables.product_metadata_mcp.server import create_app
    from talk2tables.product_metadata_mcp.store import load_metadata
    from talk2tables.serving import MCP_HTTP, serve

    settings = read_settings()
    configure_logging(settings.log_level)
    path = metadata if metadata is not None else settings.metadata_path
    try:
        metadata_file = load_metadata(path)
    except MetadataError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(1) from None
    # An empty T2T_MCP_TOKEN means "no token", not "the empty token".
    token = (settings.mcp_token.get_secret_value() if settings.mcp_token else "") or None
    get_logger(__name__).info(
        "metadata_server_start",
        server="product-metadata",
        url=f"http://{host}:{port}/sse",
        metadata=str(path),
        products=len(metadata_file.product_aliases),
        auth="bearer" if token else "none",
    )
    serve(create_app(path, token=token, host=host), host=host, port=port, http=MCP_HTTP)
