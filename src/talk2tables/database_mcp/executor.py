"""Run one guarded query on a read-only engine, with a row cap and a statement time limit.

Layers, outermost first: the sqlglot guard, the read-only connection, the time limit (SQLite:
a progress handler; PostgreSQL: statement_timeout), and the row cap (fetch max_rows + 1 rows,
report `truncated`). Database errors come back with the database's own words.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from talk2tables.database_mcp.engine import sqlglot_dialect, statement_deadline
from talk2tables.database_mcp.guard import check_read_only
from talk2tables.database_mcp.values import json_safe
from talk2tables.errors import DatabaseError
from talk2tables.models import QueryRows
from talk2tables.protocol import UNAVAILABLE_PREFIX

# PostgreSQL's SQLSTATE for "canceling statement due to statement timeout".
_QUERY_CANCELED = "57014"


class QueryExecutor:
    """Executes read-only queries against one engine; safe to share between threads."""

    def __init__(self, engine: Engine, *, max_rows: int, statement_timeout_seconds: float) -> None:
        if max_rows < 1:
            raise ValueError("max_rows must be at least 1")
        self.engine = engine
        self.dialect = sqlglot_dialect(engine)
        self.max_rows = max_rows
        self.statement_timeout_seconds = statement_timeout_seconds

    def execute(self, sql: str) -> QueryRows:
        """Guard, run and fetch `sql`. Raises UnsafeQueryError (refused) or DatabaseError."""
        check_read_only(sql, self.dialect)
        try:
            columns, rows = self._run(sql)
        except DBAPIError as exc:
            raise self._database_error(exc) from exc
        except SQLAlchemyError as exc:
            raise DatabaseError(f"The database could not run the query: {exc}", dialect=self.dialect) from exc
        truncated = len(rows) > self.max_rows
        rows, cut = _within_bytes(rows[: self.max_rows])
        return QueryRows(columns=columns, rows=rows, row_count=len(rows), truncated=truncated or cut)

    def _run(self, sql: str) -> tuple[list[str], list[list[Any]]]:
        with self.engine.connect() as conn, statement_deadline(conn, self.statement_timeout_seconds):
            # no_parameters: the SQL goes to the driver verbatim, so "%" and ":name" stay literal text;
            # stream_results: PostgreSQL keeps the result on the server and we fetch only what we keep, at most
            # FETCH_AHEAD_ROWS ahead of it.
            options = conn.execution_options(no_parameters=True, stream_results=True, max_row_buffer=FETCH_AHEAD_ROWS)
            result = options.exec_driver_sql(sql)
            if not result.returns_rows:
                return [], []
            columns = [str(name) for name in result.keys()]  # noqa: SIM118 - a Result is not a dict
            rows = _fetch_within_budget(result, self.max_rows + 1)
            result.close()
            conn.rollback()
        return columns, rows

    def _database_error(self, exc: DBAPIError) -> DatabaseError:
        original = exc.orig
        if _timed_out(original):
            return DatabaseError(
                f"Timed out: the query ran longer than the {self.statement_timeout_seconds:g} s statement time limit "
                "and was stopped; add filters, aggregate in SQL, or avoid unbounded recursion.",
                dialect=self.dialect,
                reason="timeout",
            )
        if exc.connection_invalidated or _unavailable(original):
            # Not the query's fault: no other SQL would do better, so the client must not ask the LLM again.
            return DatabaseError(
                f"{UNAVAILABLE_PREFIX} the database could not serve the query: {_database_message(original)}",
                dialect=self.dialect,
                reason="unavailable",
            )
        return DatabaseError(_database_message(original), dialect=self.dialect, reason="database")


_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "disk i/o error", "database is busy")


def _unavailable(original: BaseException | None) -> bool:
    """The database, not the SQL, failed: gone, locked, out of resources, shutting down."""
    if isinstance(original, sqlite3.OperationalError):
        return str(original).lower().startswith(_SQLITE_UNAVAILABLE)
    sqlstate = str(getattr(original, "sqlstate", None) or "")
    # 08: connection exception; 53: insufficient resources; 57P01-57P03: shutting down / cannot connect now
    return sqlstate.startswith(("08", "53")) or sqlstate in {"57P01", "57P02", "57P03"}


MAX_CELL_CHARS = 10_000
MAX_RESULT_CHARS = 5_000_000
FETCH_AHEAD_ROWS = 20


def _fetch_within_budget(result: Any, limit: int) -> list[list[Any]]:
    """Up to `limit` rows, fetched one at a time and no further once they hold more than MAX_RESULT_CHARS: the
    row cap alone does not bound memory when every row carries megabytes (zeroblob, repeat)."""
    rows: list[list[Any]] = []
    size = 0
    while len(rows) < limit and size <= MAX_RESULT_CHARS:
        row = result.fetchone()
        if row is None:
            break
        values = [json_safe(value) for value in row]
        size += _chars(values)
        rows.append(values)
    return rows


def _chars(values: list[Any]) -> int:
    return sum(len(v) if isinstance(v, str) else 8 for v in values)


def _within_bytes(rows: list[list[Any]]) -> tuple[list[list[Any]], bool]:
    """Long text cut to MAX_CELL_CHARS, and rows kept while the result stays under MAX_RESULT_CHARS:
    a result is for a person to read and an LLM to explain, not a bulk export. Returns (rows, cut)."""
    kept: list[list[Any]] = []
    size = 0
    cut = False
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                value = value[:MAX_CELL_CHARS] + "…"
                cut = True
            cells.append(value)
        size += _chars(cells)
        if size > MAX_RESULT_CHARS:
            return kept, True
        kept.append(cells)
    return kept, cut


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
