"""Read-only database engines: the connection layer of the Database MCP's defence in depth.

SQLite files are opened with `mode=ro` and `PRAGMA query_only=ON`, with bounds on value size, SQL length, LIKE
patterns and heap. PostgreSQL sessions start read-only (and every transaction begins `READ ONLY`) with a
`statement_timeout`, `work_mem`, `idle_in_transaction_session_timeout` (and `temp_file_limit` where allowed), and
a connection goes back to the pool only after DISCARD ALL. Whatever the SQL guard lets through, these connections
cannot write.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from talk2tables.errors import ConfigurationError
from talk2tables.logging import get_logger, redact_text

log = get_logger(__name__)

# SQLAlchemy backend name -> sqlglot dialect name (what the guard and the schema resource use).
SQLGLOT_DIALECTS = {
    "sqlite": "sqlite",
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "mssql": "tsql",
    "oracle": "oracle",
    "duckdb": "duckdb",
    "snowflake": "snowflake",
    "bigquery": "bigquery",
}
# How many SQLite virtual-machine steps pass between two checks of the deadline: frequent enough
# to stop within milliseconds, rare enough to cost nothing measurable.
_PROGRESS_STEPS = 10_000


def normalize_database_url(url_or_path: str) -> str:
    """A SQLAlchemy URL for `url_or_path`: a bare file path becomes `sqlite:///<absolute path>`.

    `postgres://` and `postgresql://` select the installed psycopg 3 driver.
    """
    text = url_or_path.strip()
    if not text:
        raise ConfigurationError("The database URL is empty; pass a SQLite file path or a SQLAlchemy URL.")
    if "://" not in text and not text.startswith("sqlite:"):
        return f"sqlite:///{Path(text).expanduser().resolve()}"
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise ConfigurationError(
            f"Could not read the database URL {redact_text(text)!r}: {exc}. "
            "Use a file path or a URL such as postgresql://user@host:5432/dbname."
        ) from exc
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def sqlglot_dialect(engine: Engine) -> str:
    """The sqlglot dialect name of an engine's database (e.g. "sqlite", "postgres")."""
    return SQLGLOT_DIALECTS.get(engine.dialect.name, engine.dialect.name)


def create_readonly_engine(
    database_url: str, *, statement_timeout_seconds: float | None = None, temp_file_limit: bool = False
) -> Engine:
    """An engine whose every connection is read-only.

    `statement_timeout_seconds` is enforced by PostgreSQL itself; for SQLite wrap each use in
    `statement_deadline`, which stops the statement from inside the SQLite virtual machine. `temp_file_limit`:
    PostgreSQL sessions set `temp_file_limit` themselves (only a superuser, or a role granted SET on it, may);
    otherwise the role's own setting applies (`role.check_role` insists on one).
    """
    url = make_url(normalize_database_url(database_url))
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url)
    if backend == "postgresql":
        return _postgres_engine(url, statement_timeout_seconds, temp_file_limit=temp_file_limit)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ImportError, NoSuchModuleError) as exc:
        raise ConfigurationError(
            f"No database driver for {url.drivername!r} is installed ({exc}). SQLite and PostgreSQL work out of the "
            "box; for another database install its SQLAlchemy driver into the same environment."
        ) from exc
    log.warning(
        "read_only_connection_not_enforced",
        server="database",
        backend=backend,
        hint="only SQLite and PostgreSQL connections are made read-only; use a read-only database account",
    )
    return engine


MAX_VALUE_BYTES = 10_000_000
MAX_LIKE_PATTERN_BYTES = 1_000
MAX_SQL_BYTES = 1_000_000
# SQLite's own memory, per process (the Database MCP runs queries in worker processes of their own).
SQLITE_HEAP_LIMIT_BYTES = 512 * 1024 * 1024


def _sqlite_engine(url: URL) -> Engine:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise ConfigurationError(
            "An in-memory or URI-style SQLite database cannot be served read-only; pass the path of a database file."
        )
    path = Path(database).expanduser().resolve()
    if not path.is_file():
        raise ConfigurationError(
            f"SQLite database file not found: {path}. Create the sample with `talk2tables sample-data` "
            "or pass --database-url with an existing file.",
            path=str(path),
        )
    ro_uri = f"file:{quote(str(path))}?mode=ro"

    def connect() -> sqlite3.Connection:
        # check_same_thread=False: the pool hands a connection to whichever worker thread runs a query.
        conn = sqlite3.connect(ro_uri, uri=True, check_same_thread=False)  # noqa: TID251 - the read-only opener
        conn.execute("PRAGMA query_only = ON")
        limit_sqlite(conn)
        return conn

    return create_engine(URL.create("sqlite", database=str(path)), creator=connect)


def limit_sqlite(conn: sqlite3.Connection) -> None:
    """Bounds on what one SQLite query can build, for every connection that runs SQL from outside."""
    # No value bigger than this can be built (randomblob(1e9), a huge zeroblob or printf): the server's
    # memory stays bounded whatever the query asks for.
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    # A LIKE/GLOB pattern is matched inside one step of the virtual machine, where the time limit cannot
    # stop it; a pattern of many thousand characters against a long text takes minutes.
    conn.setlimit(sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH, MAX_LIKE_PATTERN_BYTES)
    # All of SQLite's allocations in this process together: past it, a query fails with "out of memory".
    conn.execute(f"PRAGMA hard_heap_limit = {SQLITE_HEAP_LIMIT_BYTES}")


# PostgreSQL session limits, set at connection start-up so that DISCARD ALL (run whenever a connection goes back
# to the pool) restores them too: reading only, a time limit, no transaction left open, bounded sort/hash memory.
POSTGRES_WORK_MEM = "32MB"
POSTGRES_TEMP_FILE_LIMIT = "256MB"
IDLE_IN_TRANSACTION_MS = 30_000


def postgres_session_options(statement_timeout_seconds: float | None, *, temp_file_limit: bool) -> str:
    """The `options` startup parameter of every PostgreSQL connection the Database MCP opens."""
    settings = {
        "default_transaction_read_only": "on",
        # Backslashes in '...' are plain characters, as the guard's parser reads them.
        "standard_conforming_strings": "on",
        "idle_in_transaction_session_timeout": str(IDLE_IN_TRANSACTION_MS),
        "work_mem": POSTGRES_WORK_MEM,
    }
    if statement_timeout_seconds is not None:
        settings["statement_timeout"] = str(max(1, round(statement_timeout_seconds * 1000)))
    if temp_file_limit:
        settings["temp_file_limit"] = POSTGRES_TEMP_FILE_LIMIT
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def _postgres_engine(url: URL, statement_timeout_seconds: float | None, *, temp_file_limit: bool) -> Engine:
    options = postgres_session_options(statement_timeout_seconds, temp_file_limit=temp_file_limit)
    if url.query.get("options"):
        options = f"{url.query['options']} {options}"  # the user's own come first; ours win where both set one
    engine = create_engine(
        url.difference_update_query(["options"]),
        pool_pre_ping=True,
        pool_reset_on_return=None,  # the reset listener below rolls back, then discards the session's state
        connect_args={"options": options},
    ).execution_options(postgresql_readonly=True)

    @event.listens_for(engine, "reset")
    def _discard_session_state(dbapi_connection: Any, _record: Any, _state: Any) -> None:
        # Advisory locks, settings, prepared statements and temporary state never outlive the call that made them;
        # a connection that cannot be reset is closed by the pool instead of reused.
        dbapi_connection.rollback()
        dbapi_connection.autocommit = True
        try:
            dbapi_connection.execute("DISCARD ALL")
        finally:
            dbapi_connection.autocommit = False

    return engine


def verify_connection(engine: Engine) -> list[str]:
    """Fail at start, not on the first question, when the database cannot be read; returns its tables."""
    try:
        with engine.connect() as conn:
            # Listing tables reads the catalog, so a file that is not a database fails here, not later.
            return list(inspect(conn).get_table_names())
    except SQLAlchemyError as exc:
        detail = redact_text(str(getattr(exc, "orig", None) or exc)).strip().splitlines()[0]
        raise ConfigurationError(
            f"Could not connect to the database {redact_text(engine.url.render_as_string())}: {detail}. "
            "Check the URL, that the server is running, and the user's rights."
        ) from exc


@contextmanager
def statement_deadline(conn: Connection, seconds: float | None) -> Iterator[None]:
    """Stop any SQLite statement run inside the block once `seconds` have passed.

    The statement then fails with sqlite3's "interrupted". Other databases rely on their own
    server-side limit (PostgreSQL's statement_timeout, set by `create_readonly_engine`).
    """
    dbapi = conn.connection.dbapi_connection
    if seconds is None or not isinstance(dbapi, sqlite3.Connection):
        yield
        return
    deadline = time.monotonic() + seconds
    dbapi.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
    try:
        yield
    finally:
        dbapi.set_progress_handler(None, 0)
