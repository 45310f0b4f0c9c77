"""The connection layer on its own: read-only even for SQL the guard would never let through."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from talk2tables.database_mcp.engine import (
    create_readonly_engine,
    normalize_database_url,
    sqlglot_dialect,
    statement_deadline,
    verify_connection,
)
from talk2tables.errors import ConfigurationError
from tests.database_mcp.helpers import file_digest
from tests.support.postgres import PostgresServer
from tests.support.processes import free_port

SLOW_SQLITE = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"


@pytest.fixture
def db_copy(sample_db: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(sample_db, tmp_path / "copy.db"))


class TestNormalizeDatabaseUrl:
    def test_turns_a_relative_path_into_an_absolute_sqlite_url(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        assert normalize_database_url("data/shop.db") == f"sqlite:///{tmp_path / 'data' / 'shop.db'}"

    def test_expands_the_home_directory(self) -> None:
        assert normalize_database_url("~/shop.db") == f"sqlite:///{Path.home() / 'shop.db'}"

    def test_keeps_a_sqlite_url(self) -> None:
        assert normalize_database_url("sqlite:////srv/shop.db") == "sqlite:////srv/shop.db"

    @pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
    def test_selects_the_psycopg_driver_for_postgres(self, scheme: str) -> None:
        url = normalize_database_url(f"{scheme}://reader:s3cret@db.internal:5433/shop")
        assert url == "postgresql+psycopg://reader:s3cret@db.internal:5433/shop"

    def test_keeps_an_explicit_driver(self) -> None:
        assert normalize_database_url("mysql+pymysql://u@h/db") == "mysql+pymysql://u@h/db"

    @pytest.mark.parametrize("empty", ["", "   "])
    def test_refuses_an_empty_url(self, empty: str) -> None:
        with pytest.raises(ConfigurationError, match="empty"):
            normalize_database_url(empty)

    def test_refuses_an_unreadable_url_without_echoing_its_password(self) -> None:
        with pytest.raises(ConfigurationError) as error:
            normalize_database_url("postgresql://reader:s3cret@host:notaport/db")
        assert "Could not read the database URL" in error.value.message
        assert "s3cret" not in error.value.message


@pytest.mark.parametrize("url", ["mysql://reader@localhost/shop", "nosuchdb://reader@localhost/shop"])
def test_a_database_without_an_installed_driver_is_explained(url: str) -> None:
    with pytest.raises(ConfigurationError, match="No database driver"):
        create_readonly_engine(url)


class TestSqliteEngine:
    def test_refuses_a_missing_file_and_says_how_to_create_one(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigurationError, match="talk2tables sample-data"):
            create_readonly_engine(str(tmp_path / "missing.db"))
        assert not (tmp_path / "missing.db").exists()  # opening read-only never creates the file

    @pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
    def test_refuses_an_in_memory_database(self, url: str) -> None:
        with pytest.raises(ConfigurationError, match="in-memory"):
            create_readonly_engine(url)

    def test_reports_the_sqlite_dialect(self, sample_db: Path) -> None:
        assert sqlglot_dialect(create_readonly_engine(str(sample_db))) == "sqlite"

    def test_opens_the_file_read_only_even_with_query_only_switched_off(self, db_copy: Path) -> None:
        before = file_digest(db_copy)
        engine = create_readonly_engine(str(db_copy))
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA query_only = OFF")
            with pytest.raises(OperationalError, match="readonly database"):
                conn.exec_driver_sql("DELETE FROM sales")
        engine.dispose()
        assert file_digest(db_copy) == before

    def test_switches_query_only_on_so_not_even_temporary_tables_can_be_written(self, db_copy: Path) -> None:
        engine = create_readonly_engine(str(db_copy))
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA query_only").scalar_one() == 1
            with pytest.raises(OperationalError, match="readonly database"):
                conn.exec_driver_sql("CREATE TEMP TABLE scratch AS SELECT 1")
            # The same statement works once the layer is off: it is query_only that stopped it.
            conn.exec_driver_sql("PRAGMA query_only = OFF")
            conn.exec_driver_sql("CREATE TEMP TABLE scratch AS SELECT 1")
        engine.dispose()

    def test_deadline_stops_a_runaway_statement(self, sample_db: Path) -> None:
        engine = create_readonly_engine(str(sample_db))
        started = time.monotonic()
        with (
            engine.connect() as conn,
            statement_deadline(conn, 0.2),
            pytest.raises(OperationalError, match="interrupted"),
        ):
            conn.exec_driver_sql(SLOW_SQLITE).scalar_one()
        assert time.monotonic() - started < 30  # the unbounded recursion would never finish by itself

    def test_deadline_is_removed_after_its_block(self, sample_db: Path) -> None:
        engine = create_readonly_engine(str(sample_db))
        with engine.connect() as conn:
            with statement_deadline(conn, 0.001):
                pass
            # Far past the old deadline, a statement with real work still completes.
            assert (
                conn.exec_driver_sql(SLOW_SQLITE.replace("FROM n)", "FROM n WHERE x < 200000)")).scalar_one() == 200000
            )

    def test_without_a_deadline_nothing_is_installed(self, sample_db: Path) -> None:
        engine = create_readonly_engine(str(sample_db))
        with engine.connect() as conn, statement_deadline(conn, None):
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM sales").scalar_one() > 0

    def test_verify_connection_lists_the_tables_of_a_readable_file(self, sample_db: Path) -> None:
        tables = verify_connection(create_readonly_engine(str(sample_db)))
        assert set(tables) == {"customers", "products", "orders", "order_items", "sales"}

    def test_verify_connection_explains_a_file_that_is_not_a_database(self, tmp_path: Path) -> None:
        bogus = tmp_path / "notes.db"
        bogus.write_text("this is not a database, " * 100)
        with pytest.raises(ConfigurationError, match="Could not connect to the database"):
            verify_connection(create_readonly_engine(str(bogus)))


@pytest.mark.postgres
class TestPostgresEngine:
    def test_reports_the_postgres_dialect(self, postgres_sample: PostgresServer) -> None:
        engine = create_readonly_engine(postgres_sample.admin_url)
        assert sqlglot_dialect(engine) == "postgres"
        engine.dispose()

    def test_even_the_owner_cannot_write_through_a_read_only_engine(self, postgres_sample: PostgresServer) -> None:
        before = postgres_sample.execute("SELECT COUNT(*), SUM(total_amount) FROM sales")
        engine = create_readonly_engine(postgres_sample.admin_url)
        with engine.connect() as conn, pytest.raises(DBAPIError, match="read-only transaction"):
            conn.exec_driver_sql("DELETE FROM sales")
        engine.dispose()
        assert postgres_sample.execute("SELECT COUNT(*), SUM(total_amount) FROM sales") == before

    def test_each_transaction_begins_read_only_even_after_the_session_default_is_changed(
        self, postgres_sample: PostgresServer
    ) -> None:
        engine = create_readonly_engine(postgres_sample.admin_url)
        with engine.connect() as conn:
            conn.exec_driver_sql("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE")
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar_one() == "on"
            with pytest.raises(DBAPIError, match="read-only transaction"):
                conn.exec_driver_sql("UPDATE products SET price = 0")
        engine.dispose()

    def test_sets_the_statement_timeout(self, postgres_sample: PostgresServer) -> None:
        engine = create_readonly_engine(postgres_sample.admin_url, statement_timeout_seconds=0.25)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar_one() == "250ms"
            with pytest.raises(DBAPIError, match="statement timeout"):
                conn.exec_driver_sql("SELECT pg_sleep(20)")
        engine.dispose()

    def test_the_reader_role_cannot_write_even_in_a_read_write_transaction(
        self, postgres_sample: PostgresServer
    ) -> None:
        import psycopg

        with psycopg.connect(postgres_sample.reader_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM sales")

    def test_verify_connection_explains_an_unreachable_server(self) -> None:
        engine = create_readonly_engine(f"postgresql://nobody@127.0.0.1:{free_port()}/none")
        with pytest.raises(ConfigurationError, match="Could not connect to the database"):
            verify_connection(engine)
