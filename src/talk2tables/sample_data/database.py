"""Write the sample store to a SQLite file, or load the same rows into any SQLAlchemy database.

Both paths share the table definitions (`tables.py`) and the seeded rows (`generator.py`), so
SQLite and PostgreSQL hold exactly the same data. Each load is one transaction: all or nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError

from talk2tables.database_mcp.engine import normalize_database_url
from talk2tables.errors import ConfigurationError, DatabaseError
from talk2tables.logging import Timer, get_logger, redact_text
from talk2tables.sample_data.generator import SEED, Period, SampleData, generate
from talk2tables.sample_data.tables import TABLES, metadata

log = get_logger(__name__)

# Rows per INSERT batch: large enough to be fast, small enough to keep statements modest.
_BATCH = 1000


def write_sample_database(path: Path | str, *, seed: int = SEED, period: Period | None = None) -> Path:
    """Create (or replace) the sample SQLite database at `path`; returns the path.

    The file is built beside the target and renamed into place, so a reader never sees half a
    database and a failed run leaves any previous file untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        _load(f"sqlite:///{partial.resolve()}", generate(seed, period=period), replace=False)
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
    url = normalize_database_url(database_url)
    return _load(url, generate(seed, period=period), replace=replace)


def _load(url: str, data: SampleData, *, replace: bool) -> dict[str, int]:
    timer = Timer()
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _transactional_sqlite_ddl(engine)
    try:
        with engine.begin() as conn:
            _prepare(conn, replace=replace)
            counts = _insert(conn, data)
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


def _prepare(conn: Connection, *, replace: bool) -> None:
    existing = sorted(set(inspect(conn).get_table_names()) & {t.name for t in TABLES})
    if existing and not replace:
        raise ConfigurationError(
            f"The database already has the sample tables {', '.join(existing)}; "
            "pass --replace (replace=True) to drop and reload them, or use an empty database."
        )
    if existing:
        metadata.drop_all(conn)
    metadata.create_all(conn)


def _insert(conn: Connection, data: SampleData) -> dict[str, int]:
    rows_by_table = data.by_table()
    counts: dict[str, int] = {}
    for table in TABLES:
        rows = rows_by_table[table.name]
        for start in range(0, len(rows), _BATCH):
            conn.execute(table.insert(), rows[start : start + _BATCH])
        counts[table.name] = len(rows)
    return counts
