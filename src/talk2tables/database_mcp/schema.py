"""The `database://schema` resource: tables, columns, keys, row counts and a few sample values.

Read from the live database on every call (no caching), through the same read-only connection
and time limit as queries. Sample values come from one small query per table, not one per column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, func, inspect, literal_column, select
from sqlalchemy import column as column_clause
from sqlalchemy import table as table_clause
from sqlalchemy.engine.interfaces import ReflectedColumn
from sqlalchemy.sql.elements import ColumnClause

from talk2tables.database_mcp.engine import sqlglot_dialect, statement_deadline
from talk2tables.database_mcp.values import json_safe

SAMPLE_VALUES = 3
# Rows scanned per table to find distinct sample values.
_SAMPLE_ROWS = 50
# Long text samples are cut: they are hints for the LLM, not data.
_SAMPLE_CHARS = 80


def describe_database(engine: Engine, *, statement_timeout_seconds: float | None = None) -> dict[str, Any]:
    """The schema document: `{"dialect": ..., "tables": [...]}` (see docs/database-mcp.md)."""
    with engine.connect() as conn, statement_deadline(conn, statement_timeout_seconds):
        inspector = inspect(conn)
        unreadable = _unreadable_tables(conn)
        names = sorted(name for name in inspector.get_table_names() if name not in unreadable)
        counts = _row_counts(conn, names)
        tables = [_describe_table(conn, inspector, name, counts[name]) for name in names]
        conn.rollback()
    document: dict[str, Any] = {
        "dialect": sqlglot_dialect(engine),
        "schema": inspector.default_schema_name,
        "tables": tables,
    }
    if unreadable:
        document["omitted_tables"] = [
            {"name": name, "reason": "the database role has no SELECT privilege on it"} for name in sorted(unreadable)
        ]
    return document


_UNREADABLE = (
    "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') "
    "AND NOT has_table_privilege(oid, 'SELECT')"
)


def _unreadable_tables(conn: Connection) -> set[str]:
    """Tables of the served schema the role may not read (PostgreSQL): left out of the schema, and named, so a
    partly granted deployment still answers about the rest."""
    if conn.dialect.name != "postgresql":
        return set()
    return {str(row[0]) for row in conn.exec_driver_sql(_UNREADABLE)}


def _describe_table(conn: Connection, inspector: Any, name: str, row_count: dict[str, Any]) -> dict[str, Any]:
    columns: list[ReflectedColumn] = inspector.get_columns(name)
    primary_key = list(inspector.get_pk_constraint(name).get("constrained_columns") or [])
    samples = _sample_values(conn, name, [column["name"] for column in columns])
    return {
        "name": name,
        **row_count,
        "primary_key": primary_key,
        "columns": [
            {
                "name": column["name"],
                "type": _type_name(conn, column),
                "nullable": bool(column.get("nullable", True)),
                "primary_key": column["name"] in primary_key,
                "sample_values": samples.get(column["name"], []),
            }
            for column in columns
        ],
        "foreign_keys": [
            {
                "columns": list(fk["constrained_columns"]),
                "references_table": fk["referred_table"],
                "references_columns": list(fk["referred_columns"]),
            }
            for fk in inspector.get_foreign_keys(name)
        ],
    }


# SQLAlchemy Core (not SQL text) so quoting and LIMIT come out right in every dialect.
ROW_COUNT_CAP = 1_000_000
# Tables counted per statement. Each count binds two parameters (LIMIT, OFFSET): 400 stays under SQLite's
# oldest limit of 999 bound variables and its 2,000 result columns. On PostgreSQL one statement_timeout
# covers a whole batch (docs/database-mcp.md).
_COUNTS_PER_STATEMENT = 400


def _row_counts(conn: Connection, names: list[str]) -> dict[str, dict[str, Any]]:
    """`row_count` of every table in one statement per batch, each counted up to ROW_COUNT_CAP: the schema is read for
    every question, and an exact count of a huge table would be a full scan each time. Past the cap,
    `row_count_capped` says "at least"."""
    counts: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), _COUNTS_PER_STATEMENT):
        chunk = names[start : start + _COUNTS_PER_STATEMENT]
        capped = (
            select(func.count())
            .select_from(select(literal_column("1")).select_from(table_clause(n)).limit(ROW_COUNT_CAP + 1).subquery())
            .scalar_subquery()
            for n in chunk
        )
        row = conn.execute(select(*capped)).one()
        counts.update({name: _capped(int(count)) for name, count in zip(chunk, row, strict=True)})
    return counts


def _capped(count: int) -> dict[str, Any]:
    if count > ROW_COUNT_CAP:
        return {"row_count": ROW_COUNT_CAP, "row_count_capped": True}
    return {"row_count": count}


def _sample_values(conn: Connection, name: str, columns: list[str]) -> dict[str, list[Any]]:
    samples: dict[str, list[Any]] = {column: [] for column in columns}
    if not columns:
        return samples
    selected: list[ColumnClause[Any]] = [column_clause(c) for c in columns]
    result = conn.execute(select(*selected).select_from(table_clause(name)).limit(_SAMPLE_ROWS))
    try:
        for row in result:
            full = 0
            for column_name, value in zip(columns, row, strict=True):
                kept = samples[column_name]
                if len(kept) == SAMPLE_VALUES:
                    full += 1
                    continue
                value = _shorten(json_safe(value))
                if value is not None and value not in kept:
                    kept.append(value)
            if full == len(columns):
                break  # every column has its samples: the remaining rows would change nothing
    finally:
        result.close()
    return samples


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > _SAMPLE_CHARS:
        return value[: _SAMPLE_CHARS - 1] + "…"
    return value


def _type_name(conn: Connection, column: ReflectedColumn) -> str:
    try:
        return str(column["type"].compile(dialect=conn.dialect))
    except Exception:  # a type SQLAlchemy reflects but cannot render (rare, e.g. an extension's type)
        return str(type(column["type"]).__name__).upper()
