"""`talk2tables db-server`: the Database MCP over SSE (default port 8000, path /sse)."""

from __future__ import annotations

from pathlib import Path

import typer

from talk2tables.cli.main import app
from talk2tables.cli.settings import read_settings
from talk2tables.config import DEFAULT_BUSINESS_DESCRIPTION_PATH

DEFAULT_PORT = 8000


@app.command("db-server")
def db_server(
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="SQLite file path or SQLAlchemy URL, e.g. postgresql://reader@localhost:5432/shop "
        "(default: DATABASE_URL, else test_data/multi_mcp_test.db).",
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(
        DEFAULT_PORT, "--port", help="Port to listen on; clients connect to http://HOST:PORT/sse."
    ),
    description: Path | None = typer.Option(
        None,
        "--description",
        help="Markdown file served as database://metadata, read again on every request "
        "(default: test_data/database_description.md; must exist when given).",
    ),
    max_rows: int | None = typer.Option(
        None, "--max-rows", min=1, help="Row cap per query (default: T2T_MAX_ROWS, else 1000)."
    ),
    statement_timeout: float | None = typer.Option(
        None,
        "--statement-timeout",
        min=0.001,
        help="Seconds one query may run before it is stopped (default: T2T_STATEMENT_TIMEOUT, else 10).",
    ),
) -> None:
    """Serve a database's schema and read-only queries as an MCP server over SSE."""
    # Heavy imports stay inside the command so other commands start quickly.
    from talk2tables.database_mcp.engine import (
        create_readonly_engine,
        privilege_warnings,
        sqlglot_dialect,
        verify_connection,
    )
    from talk2tables.database_mcp.server import DatabaseServerConfig, create_app
    from talk2tables.errors import Talk2TablesError
    from talk2tables.logging import configure_logging, get_logger, redact_text
    from talk2tables.serving import MCP_HTTP, serve

    settings = read_settings()
    configure_logging(settings.log_level)
    if description is not None and not description.is_file():
        typer.echo(
            f"Error: the description file {description} does not exist; create it or leave out --description.", err=True
        )
        raise typer.Exit(1)
    config = DatabaseServerConfig(
        database_url=database_url or settings.database_url,
        description_path=description or DEFAULT_BUSINESS_DESCRIPTION_PATH,
        max_rows=max_rows or settings.max_rows,
        statement_timeout_seconds=statement_timeout or settings.statement_timeout_seconds,
        token=settings.mcp_token.get_secret_value() if settings.mcp_token else None,
    )
    try:
        engine = create_readonly_engine(config.database_url, statement_timeout_seconds=config.statement_timeout_seconds)
        tables = verify_connection(engine)
    except Talk2TablesError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(1) from None
    for warning in privilege_warnings(engine):
        get_logger(__name__).warning(
            "db_server_privileged_role",
            server="database",
            detail=warning,
            advice="connect as a SELECT-only role: CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES ...",
        )
    get_logger(__name__).info(
        "db_server_start",
        server="database",
        url=f"http://{host}:{port}/sse",
        database=redact_text(config.database_url),
        dialect=sqlglot_dialect(engine),
        tables=len(tables),
        description=str(config.description_path),
        max_rows=config.max_rows,
        statement_timeout_seconds=config.statement_timeout_seconds,
        auth="bearer" if config.token else "none",
    )
    serve(create_app(config, host=host, engine=engine), host=host, port=port, http=MCP_HTTP)
