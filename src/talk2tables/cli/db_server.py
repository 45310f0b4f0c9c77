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
    query_processes: int | None = typer.Option(
        None,
        "--query-processes",
        min=1,
        max=64,
        help="Queries run at once, each in a process of its own that is stopped at its deadline "
        "(default: T2T_QUERY_PROCESSES, else 2).",
    ),
    max_queued_queries: int | None = typer.Option(
        None,
        "--max-queued-queries",
        min=0,
        help="Queries that may wait for a free process; more are refused at once as busy "
        "(default: T2T_MAX_QUEUED_QUERIES, else 64).",
    ),
    allow_privileged_role: bool = typer.Option(
        False,
        "--allow-privileged-role",
        help="PostgreSQL: serve even when the role could write (a superuser, write or CREATE privileges, no "
        "temp_file_limit). Without it the server refuses to start and says why; use a SELECT-only role instead.",
    ),
) -> None:
    """Serve a database's schema and read-only queries as an MCP server over SSE."""
    # Heavy imports stay inside the command so other commands start quickly.
    from sqlalchemy.exc import SQLAlchemyError

    from talk2tables.database_mcp.engine import create_readonly_engine, sqlglot_dialect, verify_connection
    from talk2tables.database_mcp.role import check_role, refuse_privileged_role
    from talk2tables.database_mcp.server import DatabaseServerConfig, create_app
    from talk2tables.errors import Talk2TablesError
    from talk2tables.logging import configure_logging, get_logger, redact_text
    from talk2tables.serving import MCP_HTTP, serve

    settings = read_settings()
    configure_logging(settings.log_level)
    log = get_logger(__name__)
    if description is not None and not description.is_file():
        typer.echo(
            f"Error: the description file {description} does not exist; create it or leave out --description.", err=True
        )
        raise typer.Exit(1)
    url = database_url or settings.database_url
    timeout = statement_timeout or settings.statement_timeout_seconds
    try:
        probe = create_readonly_engine(url, statement_timeout_seconds=timeout)
        verify_connection(probe)
        report = check_role(probe)
        probe.dispose()
        if not allow_privileged_role:
            refuse_privileged_role(report)
    except Talk2TablesError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(1) from None
    except SQLAlchemyError as error:
        typer.echo(f"Error: could not inspect the database role: {redact_text(str(error)).splitlines()[0]}", err=True)
        raise typer.Exit(1) from None
    for problem in report.problems:  # only here with --allow-privileged-role
        log.warning("db_server_privileged_role", server="database", role=report.role, detail=problem, accepted=True)
    for warning in report.warnings:
        log.warning("db_server_role_warning", server="database", role=report.role, detail=warning)
    config = DatabaseServerConfig(
        database_url=url,
        description_path=description or DEFAULT_BUSINESS_DESCRIPTION_PATH,
        max_rows=max_rows or settings.max_rows,
        statement_timeout_seconds=timeout,
        token=settings.mcp_token.get_secret_value() if settings.mcp_token else None,
        query_processes=query_processes or settings.query_processes,
        max_queued_queries=settings.max_queued_queries if max_queued_queries is None else max_queued_queries,
        query_memory_mb=settings.query_memory_mb,
        temp_file_limit=report.may_set_temp_file_limit,
    )
    engine = create_readonly_engine(url, statement_timeout_seconds=timeout, temp_file_limit=config.temp_file_limit)
    tables = verify_connection(engine)
    pool = config.query_pool()
    pool.start()
    log.info(
        "db_server_start",
        server="database",
        url=f"http://{host}:{port}/sse",
        database=redact_text(config.database_url),
        dialect=sqlglot_dialect(engine),
        tables=len(tables),
        description=str(config.description_path),
        max_rows=config.max_rows,
        statement_timeout_seconds=config.statement_timeout_seconds,
        query_processes=config.query_processes,
        max_queued_queries=config.max_queued_queries,
        auth="bearer" if config.token else "none",
    )
    try:
        serve(create_app(config, host=host, engine=engine, pool=pool), host=host, port=port, http=MCP_HTTP)
    finally:
        pool.close()
