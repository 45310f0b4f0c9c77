"""One query process: the Database MCP runs every query in a process of its own, which its pool can kill.

A query can hold its thread where no time check reaches it (one SQLite function call over megabytes is one
step of the virtual machine) or build values until memory runs out. In a process of its own it is bounded from
outside: the pool kills it at its deadline, and an address-space limit turns a runaway allocation into an error
instead of the server's death. The process dies with its parent and ignores Ctrl-C (its pool stops it).
"""

from __future__ import annotations

import resource
import signal
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.executor import CHECK_SECONDS, QueryExecutor
from talk2tables.errors import ConfigurationError, DatabaseError, UnsafeQueryError
from talk2tables.parent_death import die_with_parent
from talk2tables.protocol import UNAVAILABLE_PREFIX

# Replies: ("ok", rows), ("refused", message), ("error", message, reason); `reason` "memory" retires the process.
Reply = tuple[Any, ...]


@dataclass(frozen=True)
class QuerySettings:
    """What a query process needs to open its own read-only engine and run queries (sent to it pickled)."""

    database_url: str
    max_rows: int
    statement_timeout_seconds: float
    check_seconds: float = CHECK_SECONDS
    temp_file_limit: bool = False
    memory_limit_bytes: int | None = None


def serve_queries(conn: Connection, settings: QuerySettings) -> None:
    """The process's main loop: receive a query, answer it, until the pool closes the pipe."""
    die_with_parent(signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if settings.memory_limit_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (settings.memory_limit_bytes, settings.memory_limit_bytes))
    executor: QueryExecutor | None = None
    while True:
        try:
            sql = conn.recv()
        except (EOFError, OSError):
            return
        if executor is None:
            try:
                executor = _executor(settings)
            except ConfigurationError as exc:
                conn.send(("error", f"{UNAVAILABLE_PREFIX} {exc.message}", "unavailable"))
                continue
        conn.send(answer(executor, sql))


def answer(executor: QueryExecutor, sql: str) -> Reply:
    """The reply for one query; never raises for anything the query did."""
    try:
        rows = executor.execute(sql)
    except UnsafeQueryError as exc:
        return ("refused", exc.message)
    except DatabaseError as exc:
        return ("error", exc.message, exc.context.get("reason", "database"))
    except MemoryError:
        return (
            "error",
            "Out of memory: the query needed more memory than a query may use on this server; "
            "aggregate in SQL or select fewer and smaller columns.",
            "memory",
        )
    return ("ok", rows.model_dump())


def _executor(settings: QuerySettings) -> QueryExecutor:
    engine = create_readonly_engine(
        settings.database_url,
        statement_timeout_seconds=settings.statement_timeout_seconds,
        temp_file_limit=settings.temp_file_limit,
    )
    return QueryExecutor(
        engine,
        max_rows=settings.max_rows,
        statement_timeout_seconds=settings.statement_timeout_seconds,
        check_seconds=settings.check_seconds,
    )
