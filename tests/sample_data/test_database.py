"""Writing the sample store to SQLite and loading it into PostgreSQL: same rows, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from talk2tables.errors import ConfigurationError, DatabaseError
from talk2tables.sample_data.database import load_into, write_sample_database
from talk2tables.sample_data.generator import generate
from tests.support.postgres import PostgresServer

TABLES = ["customers", "order_items", "orders", "products", "sales"]
FINGERPRINT = "SELECT COUNT(*), ROUND(SUM(total_amount), 2), MIN(sale_date), MAX(sale_date) FROM sales"


def rows_of(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    return [str(name) for (name,) in rows_of(url, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def test_writes_every_table_with_the_generated_rows(tmp_path: Path) -> None:
    path = write_sample_database(tmp_path / "nested" / "shop.db")
    url = f"sqlite:///{path}"
    assert table_names(url) == TABLES
    expected = generate()
    for table, rows in expected.by_table().items():
        assert rows_of(url, f"SELECT COUNT(*) FROM {table}") == [(len(rows),)]
    first = expected.sales[0]
    assert rows_of(url, "SELECT sale_date, total_amount, region FROM sales WHERE sale_id = 1") == [
        (first["sale_date"].isoformat(), first["total_amount"], first["region"])
    ]


def test_two_writes_hold_identical_data(tmp_path: Path) -> None:
    a = write_sample_database(tmp_path / "a.db")
    b = write_sample_database(tmp_path / "b.db")
    for table in TABLES:
        sql = f"SELECT * FROM {table} ORDER BY 1"
        assert rows_of(f"sqlite:///{a}", sql) == rows_of(f"sqlite:///{b}", sql)


def test_replaces_an_existing_file_and_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "shop.db"
    target.write_text("an old file that is not even a database")
    write_sample_database(target)
    assert table_names(f"sqlite:///{target}") == TABLES
    assert list(tmp_path.iterdir()) == [target]


def test_load_into_a_bare_sqlite_path_creates_the_tables(tmp_path: Path) -> None:
    counts = load_into(str(tmp_path / "loaded.db"))
    assert counts == {name: len(rows) for name, rows in generate().by_table().items()}
    assert table_names(f"sqlite:///{tmp_path / 'loaded.db'}") == TABLES


def test_load_into_refuses_a_database_that_already_has_the_tables(tmp_path: Path) -> None:
    path = write_sample_database(tmp_path / "shop.db")
    with pytest.raises(ConfigurationError, match="already has the sample tables customers, order_items"):
        load_into(str(path))


def test_load_into_is_all_or_nothing(tmp_path: Path) -> None:
    """A view named like the last table makes its CREATE fail after four tables were created: none remain."""
    url = f"sqlite:///{tmp_path / 'clash.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE VIEW sales AS SELECT 1 AS x"))
    engine.dispose()
    with pytest.raises(DatabaseError, match="nothing was changed"):
        load_into(url)
    assert rows_of(url, "SELECT type, name FROM sqlite_master") == [("view", "sales")]


def test_replace_drops_and_reloads_the_tables(tmp_path: Path) -> None:
    path = write_sample_database(tmp_path / "shop.db")
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sales WHERE sale_id > 10"))
    engine.dispose()
    load_into(url, replace=True)
    assert rows_of(url, "SELECT COUNT(*) FROM sales") == [(len(generate().sales),)]


@pytest.mark.postgres
class TestPostgres:
    def test_loads_the_same_rows_as_sqlite(self, postgres_server: PostgresServer, tmp_path: Path) -> None:
        url = postgres_server.create_database("load_same")
        counts = load_into(url)
        sqlite_path = write_sample_database(tmp_path / "shop.db")
        assert counts == {name: len(rows) for name, rows in generate().by_table().items()}
        pg = rows_of(url.replace("postgresql://", "postgresql+psycopg://"), FINGERPRINT)
        lite = rows_of(f"sqlite:///{sqlite_path}", FINGERPRINT)
        assert [(n, float(total), str(first), str(last)) for n, total, first, last in pg] == [
            (n, float(total), str(first), str(last)) for n, total, first, last in lite
        ]

    def test_a_failed_load_leaves_the_database_as_it_was(self, postgres_server: PostgresServer) -> None:
        url = postgres_server.create_database("load_clash")
        postgres_server.execute("CREATE VIEW sales AS SELECT 1 AS x", database="load_clash")
        with pytest.raises(DatabaseError, match="nothing was changed") as error:
            load_into(url)
        assert "sales" in error.value.message
        tables = postgres_server.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public'",
            database="load_clash",
        )
        assert tables == [("sales", "VIEW")]

    def test_refuses_to_load_twice_without_replace(self, postgres_server: PostgresServer) -> None:
        url = postgres_server.create_database("load_twice")
        load_into(url)
        with pytest.raises(ConfigurationError, match="--replace"):
            load_into(url)
        assert load_into(url, replace=True)["sales"] == len(generate().sales)
