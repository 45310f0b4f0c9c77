"""The guard's view of the live database: which served tables exist and are readable, and their columns.

Read on the query's own connection for every query (nothing is cached), and only for the tables the query
names: one catalog query each time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, bindparam, text

from talk2tables.database_mcp.alarm import paused

_SQLITE_TABLES = text(
    "SELECT m.name, p.name FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p "
    "WHERE m.type = 'table' AND lower(m.name) IN :names AND m.name NOT LIKE 'sqlite!_%' ESCAPE '!'"
).bindparams(bindparam("names", expanding=True))
_SQLITE_ALL = text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")
_POSTGRES_TABLES = text(
    "SELECT c.relname, a.attname FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid "
    "WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') "
    "AND a.attnum > 0 AND NOT a.attisdropped AND c.relname = ANY(:names) "
    "AND has_table_privilege(c.oid, 'SELECT')"
)
_POSTGRES_ALL = text(
    "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') "
    "AND has_table_privilege(oid, 'SELECT') ORDER BY 1"
)


class DatabaseCatalog:
    """A `talk2tables.sql_guard.Catalog` over one open connection (SQLite or PostgreSQL)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._postgres = conn.dialect.name == "postgresql"
        self.case_sensitive = self._postgres
        self.schema = "main"
        if self._postgres:
            with paused():
                self.schema = str(conn.exec_driver_sql("SELECT current_schema()").scalar())

    def lookup(self, tables: set[str]) -> Mapping[str, frozenset[str]]:
        with paused():
            if self._postgres:
                return _group(self._conn.execute(_POSTGRES_TABLES, {"names": sorted(tables)}), fold=False)
            return _group(self._conn.execute(_SQLITE_TABLES, {"names": sorted(tables)}), fold=True)

    def table_names(self) -> list[str]:
        with paused():
            return [str(row[0]) for row in self._conn.execute(_POSTGRES_ALL if self._postgres else _SQLITE_ALL)]


def _group(rows: Any, *, fold: bool) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = {}
    for table, column in rows:
        key, name = (str(table).lower(), str(column).lower()) if fold else (str(table), str(column))
        grouped.setdefault(key, set()).add(name)
    return {table: frozenset(columns) for table, columns in grouped.items()}
