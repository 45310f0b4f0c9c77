"""Write the sample store to a SQLite file, or load the same rows into any SQLAlchemy database.

Both paths share the table definitions (`tables.py`) and the seeded rows (`generator.py`), so
SQLite and PostgreSQL hold exactly the same data. Each load is one transaction: all or nothing.
The support desk (`support_database.py`) is written by the same two functions, `write_sqlite_file`
and `load_rows`, with its own tables and rows.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError

from talk2tables.database_mcp.engine import normalize_database_url
from talk2tables.errors import ConfigurationError, DatabaseError
from talk2tables.logging import Timer, get_logger, redact_text
from talk2tables.sample_data.generator import SEED, Period, Row, generate
from talk2tables.sample_data.tables import TABLES

log = get_logger(__name__)

# Rows per INSERT batch: large enough to be fast, small enough to keep statements modest.
_BATCH = 1000


def write_sample_database(path: Path | str, *, seed: int = SEED, period: Period | None = None) -> Path:
    """Create (or replace) the sample SQLite database at `path`; returns the path.

    The file is built beside the target and renamed into place, so a reader never sees half a
    database and a failed run leaves any previous file untouched.
    """
    return write_sqlite_file(path, TABLES, generate(seed, period=period).by_table())


def write_sqlite_file(path: Path | str, tables: tuple[Table, ...], rows: dict[str, list[Row]]) -> Path:
    """Create (or replace) a SQLite file at `path` holding `tables` filled with `rows`; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        load_rows(f"sqlite:///{partial.resolve()}", tables, rows, replace=False)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def load_into(
    database_url: str, *, replace: bool = False, seed: int = SEED, period: Period | None = None
) -> dict[str, int]:
    """Load the sample store into the database at `database_url` in one transaction.

    Refuses when any sample table already exists unless `replace` is true (then they are
    dropped and recreated inside the same transaction). Returns the row count per table.
    """
    return load_rows(database_url, TABLES, generate(seed, period=period).by_table(), replace=replace)


def load_rows(
    database_url: str, tables: tuple[Table, ...], rows: dict[str, list[Row]], *, replace: bool
) -> dict[str, int]:
    """Create `tables` and insert `rows` (table name → rows) in one transaction; the row count per table."""
    url = normalize_database_url(database_url)
    timer = Timer()
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _transactional_sqlite_ddl(engine)
    try:
        with engine.begin() as conn:
            _prepare(conn, tables, replace=replace)
            counts = _insert(conn, tables, rows)
    except SQLAlchemyError as exc:
        detail = redact_text(str(getattr(exc, "orig", None) or exc)).strip()
        raise DatabaseError(
            f"Loading the sample data into {redact_text(url)} failed, nothing was changed: {detail}",
            url=redact_text(url),
        ) from exc
    finally:
        engine.dispose()
    log.info("sample_data_loaded", url=redact_text(url), rows=counts, duration_ms=timer.elapsed_ms, outcome="ok")
    return counts


def _transactional_sqlite_ddl(engine: Engine) -> None:
    """Make CREATE/DROP part of the transaction on SQLite too (Python's sqlite3 commits them on its own)."""

    @event.listens_for(engine, "connect")
    def _no_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")


def _prepare(conn: Connection, tables: tuple[Table, ...], *, replace: bool) -> None:
    existing = sorted(set(inspect(conn).get_table_names()) & {t.name for t in tables})
    if existing and not replace:
        raise ConfigurationError(
            f"The database already has the sample tables {', '.join(existing)}; "
            "pass --replace (replace=True) to drop and reload them, or use an empty database."
        )
    metadata = tables[0].metadata
    if existing:
        metadata.drop_all(conn, tables=list(tables))
    metadata.create_all(conn, tables=list(tables))


def _insert(conn: Connection, tables: tuple[Table, ...], rows_by_table: dict[str, list[Row]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in tables:
        rows = rows_by_table[table.name]
        for start in range(0, len(rows), _BATCH):
            conn.execute(table.insert(), rows[start : start + _BATCH])
        counts[table.name] = len(rows)
    return counts
