"""Run one guarded query on a read-only engine, with a row cap and a statement time limit.

Layers, outermost first: the sqlglot guard (against the live catalog; the database runs the SQL rendered from
the approved tree, never the text it was sent), the read-only connection, the time limit (SQLite: a progress
handler; PostgreSQL: statement_timeout), and the row and size caps (rows fetched one at a time, `truncated`
reported). Database errors come back with the database's own words; only a failed connection counts as the
database being unavailable.
"""

from __future__ import annotations

import json
import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from talk2tables.database_mcp.alarm import time_limit
from talk2tables.database_mcp.catalog import DatabaseCatalog
from talk2tables.database_mcp.engine import sqlglot_dialect, statement_deadline
from talk2tables.database_mcp.values import json_safe
from talk2tables.errors import DatabaseError, UnsafeQueryError
from talk2tables.models import QueryRows
from talk2tables.protocol import UNAVAILABLE_PREFIX
from talk2tables.sql_guard import ApprovedQuery, check_read_only

# PostgreSQL's SQLSTATE for "canceling statement due to statement timeout".
_QUERY_CANCELED = "57014"
# Parsing and checking one query (the size cap bounds the parse; this bounds everything together).
CHECK_SECONDS = 2.0


class QueryExecutor:
    """Executes read-only queries against one engine; safe to share between threads."""

    def __init__(
        self, engine: Engine, *, max_rows: int, statement_timeout_seconds: float, check_seconds: float = CHECK_SECONDS
    ) -> None:
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        self.engine = engine
        self.dialect = sqlglot_dialect(engine)
        self.max_rows = max_rows
        self.statement_timeout_seconds = statement_timeout_seconds
        self.check_seconds = check_seconds

    def execute(self, sql: str) -> QueryRows:
        """Guard, run and fetch `sql`. Raises UnsafeQueryError (refused) or DatabaseError."""
        try:
            connection = self.engine.connect()
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc
        try:
            with connection as conn:
                approved = self._approve(conn, sql)
                columns, rows, cut = self._run(conn, approved)
        except DBAPIError as exc:
            raise self._database_error(exc) from exc
        except SQLAlchemyError as exc:
            raise DatabaseError(f"The database could not run the query: {exc}", dialect=self.dialect) from exc
        except TimeoutError as exc:
            raise self._timeout_error() from exc
        truncated = len(rows) > self.max_rows or cut
        rows = rows[: self.max_rows]
        return QueryRows(columns=columns, rows=rows, row_count=len(rows), truncated=truncated)

    def _approve(self, conn: Connection, sql: str) -> ApprovedQuery:
        deadline = time.monotonic() + self.check_seconds
        try:
            with time_limit(self.check_seconds):
                return check_read_only(sql, self.dialect, DatabaseCatalog(conn), deadline=deadline)
        except TimeoutError as exc:
            raise UnsafeQueryError(
                f"Refused: checking the query took longer than {self.check_seconds:g} s; write a shorter query."
            ) from exc

    def _run(self, conn: Connection, approved: ApprovedQuery) -> tuple[list[str], list[list[Any]], bool]:
        # PostgreSQL's statement_timeout bounds each FETCH of the server-side cursor, not all of them together.
        deadline = time.monotonic() + self.statement_timeout_seconds
        with statement_deadline(conn, self.statement_timeout_seconds):
            # no_parameters: the SQL goes to the driver verbatim, so "%" and ":name" stay literal text;
            # stream_results: PostgreSQL keeps the result on the server and we fetch only what we keep, at most
            # FETCH_AHEAD_ROWS ahead of it.
            options = conn.execution_options(no_parameters=True, stream_results=True, max_row_buffer=FETCH_AHEAD_ROWS)
            result = options.exec_driver_sql(approved.sql)
            if not result.returns_rows:
                return [], [], False
            columns = [str(name) for name in result.keys()]  # noqa: SIM118 - a Result is not a dict
            rows, cut = fetch_within_budget(result, self.max_rows + 1, deadline)
            result.close()
            conn.rollback()
        return columns, rows, cut

    def _timeout_error(self) -> DatabaseError:
        return DatabaseError(
            f"Timed out: the query ran longer than the {self.statement_timeout_seconds:g} s statement time limit "
            "and was stopped; add filters, aggregate in SQL, or avoid unbounded recursion.",
            dialect=self.dialect,
            reason="timeout",
        )

    def _unavailable(self, exc: BaseException) -> DatabaseError:
        # Not the query's fault: no other SQL would do better, so the client must not ask the LLM again.
        original = getattr(exc, "orig", None) or exc
        return DatabaseError(
            f"{UNAVAILABLE_PREFIX} the database could not serve the query: {_database_message(original)}",
            dialect=self.dialect,
            reason="unavailable",
        )

    def _database_error(self, exc: DBAPIError) -> DatabaseError:
        original = exc.orig
        if _timed_out(original):
            return self._timeout_error()
        if exc.connection_invalidated or _sqlite_unavailable(original):
            return self._unavailable(exc)
        return DatabaseError(_database_message(original), dialect=self.dialect, reason="database")


_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error", "database is busy")


def _sqlite_unavailable(original: BaseException | None) -> bool:
    """The SQLite file, not the SQL, failed: locked by a writer, gone, unreadable. (On PostgreSQL only a lost
    connection means unavailable, whatever SQLSTATE a query raised: a query can raise class 08 itself.)"""
    if isinstance(original, sqlite3.OperationalError):
        return str(original).lower().startswith(_SQLITE_UNAVAILABLE)
    return False


MAX_CELL_CHARS = 10_000
# Counted as JSON text (escapes included). A result travels to the orchestrator as one server-sent event, and the
# MCP SDK's client refuses events over 1 MiB, breaking the session: the rows go twice in a tool result (as
# indented JSON text, escaped again inside the message, and as structured content).
MAX_RESULT_CHARS = 200_000
FETCH_AHEAD_ROWS = 20


def fetch_within_budget(result: Any, limit: int, deadline: float) -> tuple[list[list[Any]], bool]:
    """Up to `limit` rows, fetched one at a time, each cell made JSON-safe and cut to MAX_CELL_CHARS, and no
    further once they hold MAX_RESULT_CHARS: a result is for a person to read and an LLM to explain, not a bulk
    export, and the row cap alone does not bound memory when every row carries megabytes. Returns (rows, cut).
    Raises TimeoutError once `deadline` (time.monotonic()) has passed between two rows."""
    rows: list[list[Any]] = []
    size = 0
    cut = False
    while len(rows) < limit:
        if time.monotonic() > deadline:
            raise TimeoutError
        row = result.fetchone()
        if row is None:
            break
        cells = []
        for value in row:
            cell, chars, shortened = _cell(value)
            cells.append(cell)
            size += chars
            cut = cut or shortened
        if size > MAX_RESULT_CHARS:
            return rows, True
        rows.append(cells)
    return rows, cut


def _cell(value: Any) -> tuple[Any, int, bool]:
    """A value as it goes on the wire, how many characters of JSON it takes, and whether it was cut."""
    shortened = False
    if isinstance(value, bytes | bytearray | memoryview) and len(value) * 2 > MAX_CELL_CHARS:
        value, shortened = bytes(value[: MAX_CELL_CHARS // 2 + 1]), True  # cut before the (twice as long) hex copy
    safe = json_safe(value)
    if isinstance(safe, list | dict):  # PostgreSQL arrays and JSON: as they are, or cut as JSON text
        text = json.dumps(safe)
        if len(text) <= MAX_CELL_CHARS:
            return safe, len(text), shortened
        safe = text
    if isinstance(safe, str):
        if len(safe) > MAX_CELL_CHARS:
            safe, shortened = safe[:MAX_CELL_CHARS] + "…", True
        return safe, len(json.dumps(safe)), shortened
    return safe, 8, shortened


def _timed_out(original: BaseException | None) -> bool:
    if isinstance(original, sqlite3.OperationalError):
        return str(original) == "interrupted"
    return getattr(original, "sqlstate", None) == _QUERY_CANCELED


def _database_message(original: BaseException | None) -> str:
    """The database's own words: the first line, plus PostgreSQL's HINT when there is one."""
    lines = [line.strip() for line in str(original).strip().splitlines() if line.strip()]
    if not lines:
        return "The database refused the query without saying why."
    hints = [line for line in lines[1:] if line.startswith("HINT:")]
    return " ".join([lines[0], *hints])
