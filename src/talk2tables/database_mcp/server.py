"""The Database MCP server: tool `execute_query`, resources `database://schema` and `database://metadata`.

`create_server(config)` builds the MCP server; `create_app(config)` wraps its SSE app (with the
bearer-token check when a token is configured) for uvicorn. Nothing here reads the environment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import ToolAnnotations
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp

from talk2tables import __version__
from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.query_pool import DEFAULT_MAX_WAITING, DEFAULT_PROCESSES, QueryPool
from talk2tables.database_mcp.query_process import QuerySettings
from talk2tables.database_mcp.schema import describe_database
from talk2tables.errors import DatabaseError, UnsafeQueryError
from talk2tables.logging import Timer, get_logger
from talk2tables.mcp_auth import BearerTokenMiddleware
from talk2tables.models import QueryRows
from talk2tables.protocol import EXECUTE_QUERY, METADATA_URI, SCHEMA_URI
from talk2tables.sql_guard import MAX_QUERY_CHARS
from talk2tables.sse_guard import OneResponsePerRequest

log = get_logger(__name__)

SERVER_NAME = "Talk 2 Tables Database"
_LOGGED_SQL_CHARS = 500

EXECUTE_QUERY_DESCRIPTION = (
    "Run one read-only SQL SELECT (or WITH ... SELECT) query and return "
    '{{"columns", "rows", "row_count", "truncated"}}. Anything else is refused; results are capped at '
    "{max_rows} rows (truncated=true when there were more) and each query may run at most {timeout:g} s. "
    "Errors carry the database's own message so the query can be fixed."
)


@dataclass(frozen=True)
class DatabaseServerConfig:
    """What the Database MCP needs; the CLI fills it from `talk2tables.config.Settings`."""

    database_url: str
    description_path: Path
    max_rows: int = 1000
    statement_timeout_seconds: float = 10.0
    token: str | None = None
    query_processes: int = DEFAULT_PROCESSES
    max_queued_queries: int = DEFAULT_MAX_WAITING
    query_memory_mb: int = 1024
    temp_file_limit: bool = False  # PostgreSQL: the role may set temp_file_limit itself (role.check_role)

    def query_pool(self) -> QueryPool:
        """The pool of query processes for this configuration (not started)."""
        settings = QuerySettings(
            database_url=self.database_url,
            max_rows=self.max_rows,
            statement_timeout_seconds=self.statement_timeout_seconds,
            temp_file_limit=self.temp_file_limit,
            memory_limit_bytes=self.query_memory_mb * 1024 * 1024,
        )
        return QueryPool(settings, processes=self.query_processes, max_waiting=self.max_queued_queries)


def create_server(
    config: DatabaseServerConfig, *, engine: Engine | None = None, pool: QueryPool | None = None
) -> MCPServer:
    """Build the MCP server. `engine` (for the schema resource) defaults to a read-only engine for
    `config.database_url`; `pool` (where queries run) to `config.query_pool()`, started at the first query."""
    engine = engine or create_readonly_engine(
        config.database_url,
        statement_timeout_seconds=config.statement_timeout_seconds,
        temp_file_limit=config.temp_file_limit,
    )
    queries = pool or config.query_pool()
    server: MCPServer = MCPServer(
        SERVER_NAME,
        version=__version__,
        instructions="Read database://schema and database://metadata, then call execute_query with one SELECT.",
    )

    @server.tool(
        name=EXECUTE_QUERY,
        description=EXECUTE_QUERY_DESCRIPTION.format(
            max_rows=config.max_rows, timeout=config.statement_timeout_seconds
        ),
        annotations=ToolAnnotations(read_only_hint=True, destructive_hint=False, open_world_hint=False),
    )
    async def execute_query(query: str) -> QueryRows:
        return await _execute(queries, query)

    @server.resource(
        SCHEMA_URI,
        name="database_schema",
        description="Tables, columns (type, nullability, keys, sample values), foreign keys and row counts.",
        mime_type="application/json",
    )
    def schema() -> str:
        return _read_resource(
            SCHEMA_URI, lambda: describe_database(engine, statement_timeout_seconds=config.statement_timeout_seconds)
        )

    @server.resource(
        METADATA_URI,
        name="database_metadata",
        description="A business description of the data (Markdown, from a file the user edits).",
        mime_type="application/json",
    )
    async def metadata() -> str:
        # On the event loop, not in a worker thread: reading a small local file takes microseconds, while a
        # thread would wait for the GIL behind a schema read running beside it (~5 ms per switch).
        return _read_resource(METADATA_URI, lambda: read_description(config.description_path))

    return server


def create_app(
    config: DatabaseServerConfig,
    *,
    host: str = "127.0.0.1",
    engine: Engine | None = None,
    pool: QueryPool | None = None,
) -> ASGIApp:
    """The SSE app (`/sse`, `/messages/`), behind the bearer-token check when `config.token` is set."""
    app: ASGIApp = OneResponsePerRequest(create_server(config, engine=engine, pool=pool).sse_app(host=host))
    if config.token:
        app = BearerTokenMiddleware(app, config.token, server="database")
    return app


def read_description(path: Path) -> dict[str, Any]:
    """The business description, read from disk on every call so edits show up at once."""
    if not path.exists():
        return {
            "description": f"No business description has been written yet. Write one in Markdown at {path}; "
            "it is read again on every request.",
            "source": str(path),
        }
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ResourceError(
            f"Could not read the business description {path}: {exc}. Fix the file's permissions or encoding."
        ) from exc
    return {"description": text, "source": str(path)}


async def _execute(pool: QueryPool, query: str) -> QueryRows:
    timer = Timer()
    logged_sql = query[:_LOGGED_SQL_CHARS]
    try:
        if len(query) > MAX_QUERY_CHARS:  # refused before it is sent anywhere, let alone parsed
            raise UnsafeQueryError(
                f"Refused: the query is {len(query):,} characters long; the limit is {MAX_QUERY_CHARS:,}."
            )
        rows = await pool.execute(query)
    except UnsafeQueryError as exc:
        log.info(
            "execute_query",
            server="database",
            outcome="refused",
            duration_ms=timer.elapsed_ms,
            sql=logged_sql,
            error=exc.message,
        )
        raise ToolError(exc.message) from exc
    except DatabaseError as exc:
        outcome = {"timeout": "timeout", "busy": "busy"}.get(exc.context.get("reason", ""), "error")
        log.info(
            "execute_query",
            server="database",
            outcome=outcome,
            duration_ms=timer.elapsed_ms,
            sql=logged_sql,
            error=exc.message,
        )
        raise ToolError(exc.message) from exc
    log.info(
        "execute_query",
        server="database",
        outcome="ok",
        duration_ms=timer.elapsed_ms,
        row_count=rows.row_count,
        truncated=rows.truncated,
        sql=logged_sql,
    )
    return rows


def _read_resource(uri: str, read: Any) -> str:
    timer = Timer()
    try:
        document = read()
    except SQLAlchemyError as exc:
        log.warning(
            "resource_read", server="database", uri=uri, outcome="error", duration_ms=timer.elapsed_ms, error=str(exc)
        )
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ResourceError(f"Reading {uri} failed: {detail}") from exc
    except ResourceError as exc:
        log.warning(
            "resource_read", server="database", uri=uri, outcome="error", duration_ms=timer.elapsed_ms, error=str(exc)
        )
        raise
    log.info("resource_read", server="database", uri=uri, outcome="ok", duration_ms=timer.elapsed_ms)
    return json.dumps(document, ensure_ascii=False)
