"""Combining the parts of a question that spans databases: each part's rows become a table of a memory-only
SQLite database inside the API process, and the LLM's combining query runs there, through the same
read-only guard, within caps on rows and time. Past the caps, a federated engine (Trino) is the way on.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from talk2tables.errors import ToolExecutionError
from talk2tables.models import QueryRows
from talk2tables.sql_generation.validator import SQLValidator

BEYOND = "results this large need a federated query engine such as Trino (docs/sql-generation.md)"
# SQLite checks the progress handler every this many virtual-machine steps.
PROGRESS_STEPS = 10_000
# Bounds on what the combination may hold in the API process: one value, and the whole combined result.
MAX_VALUE_BYTES = 1_000_000
MAX_RESULT_BYTES = 16_000_000
MAX_COLUMNS = 100


@dataclass(frozen=True)
class CombineLimits:
    """The caps the docs state: rows per part, rows in all (parts together and the result), seconds."""

    max_part_rows: int = 1000
    max_total_rows: int = 5000
    timeout_seconds: float = 5.0


class CombineError(ToolExecutionError):
    """The combination could not be done within its caps, or its query failed: the LLM may write it anew."""


def check_parts(parts: Mapping[str, QueryRows], limits: CombineLimits) -> None:
    """Every part whole (never truncated) and within the caps, before anything is combined."""
    for name, rows in parts.items():
        if rows.truncated or len(rows.rows) > limits.max_part_rows:
            raise CombineError(
                f"Part {name!r} returned more than {limits.max_part_rows} rows (T2T_COMBINE_MAX_PART_ROWS), so it "
                f"cannot be combined whole: aggregate or filter inside the part; {BEYOND}.",
                part=name,
                cap="max_part_rows",
            )
    total = sum(len(r.rows) for r in parts.values())
    if total > limits.max_total_rows:
        raise CombineError(
            f"The parts returned {total} rows together; the limit is {limits.max_total_rows} "
            f"(T2T_COMBINE_MAX_TOTAL_ROWS): aggregate inside the parts; {BEYOND}.",
            cap="max_total_rows",
        )


def parts_schema(parts: Mapping[str, QueryRows]) -> dict[str, Any]:
    """The parts as a `database://schema`-shaped object, so the combining query is validated like any other."""
    tables = [
        {"name": name, "columns": [{"name": c, "type": _type(rows, i)} for i, c in enumerate(rows.columns)]}
        for name, rows in parts.items()
    ]
    return {"dialect": "sqlite", "tables": tables}


def combine(sql: str, parts: Mapping[str, QueryRows], limits: CombineLimits) -> QueryRows:
    """Validate the combining query (read-only guard, the parts' tables and columns), then run what was approved
    over the parts' rows. Blocking: call it in a thread."""
    check_parts(parts, limits)
    for name, rows in parts.items():
        if len({c.lower() for c in rows.columns}) != len(rows.columns):
            raise CombineError(
                f"Part {name!r} has two columns with the same name ({', '.join(rows.columns)}): give each an alias.",
                part=name,
            )
    approved = SQLValidator(parts_schema(parts), "sqlite").validate(sql).sql(dialect="sqlite")
    # Memory only, holding nothing but the parts' rows: no file of the user's is ever opened here.
    connection = sqlite3.connect(":memory:", check_same_thread=False)  # noqa: TID251
    try:
        connection.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        connection.setlimit(sqlite3.SQLITE_LIMIT_COLUMN, MAX_COLUMNS)
        for name, rows in parts.items():
            try:
                _load(connection, name, rows)
            except sqlite3.Error as exc:
                raise CombineError(f"Part {name!r} could not be loaded for combining: {exc}", part=name) from exc
        connection.execute("PRAGMA query_only = ON")
        return _run(connection, approved, limits)
    finally:
        connection.close()


def _load(connection: sqlite3.Connection, name: str, rows: QueryRows) -> None:
    columns = ", ".join(_quote(c) for c in rows.columns)
    connection.execute(f"CREATE TABLE {_quote(name)} ({columns})")
    marks = ", ".join("?" for _ in rows.columns)
    connection.executemany(f"INSERT INTO {_quote(name)} VALUES ({marks})", [[_value(v) for v in r] for r in rows.rows])


def _run(connection: sqlite3.Connection, sql: str, limits: CombineLimits) -> QueryRows:
    deadline = time.monotonic() + limits.timeout_seconds
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), PROGRESS_STEPS)
    try:
        cursor = connection.execute(sql)
        fetched = _fetch(cursor, limits)
    except sqlite3.OperationalError as exc:
        if time.monotonic() > deadline:
            raise CombineError(
                f"Combining the parts took longer than {limits.timeout_seconds:g} s (T2T_COMBINE_TIMEOUT); "
                f"write a simpler combining query; {BEYOND}.",
                cap="timeout_seconds",
            ) from exc
        raise CombineError(f"The combining query failed in SQLite: {exc}", sqlite_error=str(exc)) from exc
    except sqlite3.Error as exc:
        raise CombineError(f"The combining query failed in SQLite: {exc}", sqlite_error=str(exc)) from exc
    if len(fetched) > limits.max_total_rows:
        raise CombineError(
            f"The combined result has more than {limits.max_total_rows} rows (T2T_COMBINE_MAX_TOTAL_ROWS): "
            f"aggregate or add a LIMIT; {BEYOND}.",
            cap="max_total_rows",
        )
    columns = [d[0] for d in cursor.description or ()]
    return QueryRows(columns=columns, rows=[list(r) for r in fetched], row_count=len(fetched))


def _fetch(cursor: sqlite3.Cursor, limits: CombineLimits) -> list[Any]:
    """At most one row past the row cap, and never more than MAX_RESULT_BYTES of values: row by row, so no more
    than one row is held beyond the budget."""
    fetched: list[Any] = []
    size = 0
    for row in cursor:
        fetched.append(row)
        size += sum(len(v.encode()) if isinstance(v, str) else len(v) if isinstance(v, bytes) else 8 for v in row)
        if len(fetched) > limits.max_total_rows:
            break
        if size > MAX_RESULT_BYTES:
            raise CombineError(
                f"The combined result is larger than {MAX_RESULT_BYTES // 1_000_000} MB: return fewer or shorter "
                f"values; {BEYOND}.",
                cap="result_bytes",
            )
    return fetched


def _value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bytes):
        return value
    return json.dumps(value, default=str)  # lists and objects (PostgreSQL arrays, JSON) as their JSON text


def _type(rows: QueryRows, index: int) -> str:
    for row in rows.rows:
        value = row[index] if index < len(row) else None
        if isinstance(value, bool | int):
            return "INTEGER"
        if isinstance(value, float):
            return "REAL"
        if value is not None:
            return "TEXT"
    return "TEXT"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
