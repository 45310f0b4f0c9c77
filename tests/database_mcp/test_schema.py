"""The schema document on its own: the contract's shape, read from real SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, create_engine, insert

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.schema import SAMPLE_VALUES, describe_database
from tests.database_mcp.helpers import sample_rows
from tests.support.postgres import PostgresServer

SAMPLE_TABLES = ["customers", "order_items", "orders", "products", "sales"]


def table(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in schema["tables"] if t["name"] == name)


def column(schema: dict[str, Any], table_name: str, name: str) -> dict[str, Any]:
    return next(c for c in table(schema, table_name)["columns"] if c["name"] == name)


@pytest.fixture(scope="module")
def sqlite_schema(sample_db: Path) -> Iterator[dict[str, Any]]:
    engine = create_readonly_engine(str(sample_db))
    yield describe_database(engine, statement_timeout_seconds=5)
    engine.dispose()


def test_lists_every_table_with_its_dialect(sqlite_schema: dict[str, Any]) -> None:
    assert sqlite_schema["dialect"] == "sqlite"
    assert [t["name"] for t in sqlite_schema["tables"]] == SAMPLE_TABLES


def test_counts_the_rows_of_each_table(sqlite_schema: dict[str, Any]) -> None:
    expected = {name: len(rows) for name, rows in sample_rows().by_table().items()}
    assert {t["name"]: t["row_count"] for t in sqlite_schema["tables"]} == expected


def test_describes_columns_with_type_nullability_and_keys(sqlite_schema: dict[str, Any]) -> None:
    sales = table(sqlite_schema, "sales")
    assert sales["primary_key"] == ["sale_id"]
    assert column(sqlite_schema, "sales", "sale_id") == {
        "name": "sale_id",
        "type": "INTEGER",
        "nullable": False,
        "primary_key": True,
        "sample_values": [1, 2, 3],
    }
    amount = column(sqlite_schema, "sales", "total_amount")
    assert (amount["type"], amount["nullable"], amount["primary_key"]) == ("NUMERIC(10, 2)", False, False)


def test_describes_foreign_keys(sqlite_schema: dict[str, Any]) -> None:
    foreign_keys = table(sqlite_schema, "sales")["foreign_keys"]
    assert {"columns": ["product_id"], "references_table": "products", "references_columns": ["product_id"]} in (
        foreign_keys
    )
    assert {fk["references_table"] for fk in foreign_keys} == {"orders", "products", "customers"}


def test_gives_a_few_distinct_sample_values_per_column(sqlite_schema: dict[str, Any]) -> None:
    for t in sqlite_schema["tables"]:
        for c in t["columns"]:
            values = c["sample_values"]
            assert 1 <= len(values) <= SAMPLE_VALUES, (t["name"], c["name"])
            assert len({json.dumps(v) for v in values}) == len(values)
    assert column(sqlite_schema, "products", "product_name")["sample_values"][0] == "Magic Wand Pro"
    assert column(sqlite_schema, "sales", "sale_date")["sample_values"][0] == sample_rows().period.first_day.isoformat()


def test_is_plain_json(sqlite_schema: dict[str, Any]) -> None:
    assert json.loads(json.dumps(sqlite_schema, allow_nan=False)) == sqlite_schema


def test_shortens_long_text_hexes_bytes_and_skips_nulls(tmp_path: Path) -> None:
    path = tmp_path / "odd.db"
    writer = create_engine(f"sqlite:///{path}")
    metadata = MetaData()
    notes = Table(
        "notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("body", String),
        Column("blob", LargeBinary),
    )
    metadata.create_all(writer)
    with writer.begin() as conn:
        conn.execute(
            insert(notes), [{"id": 1, "body": None, "blob": None}, {"id": 2, "body": "x" * 500, "blob": b"\xca\xfe"}]
        )
    writer.dispose()

    engine = create_readonly_engine(str(path))
    schema = describe_database(engine)
    engine.dispose()
    (body,) = column(schema, "notes", "body")["sample_values"]
    assert len(body) == 80
    assert body.endswith("…")
    assert column(schema, "notes", "blob")["sample_values"] == ["cafe"]
    assert table(schema, "notes")["foreign_keys"] == []


def test_samples_keep_scanning_until_every_column_has_its_values_and_stop_at_the_row_limit(tmp_path: Path) -> None:
    path = tmp_path / "sparse.db"
    writer = create_engine(f"sqlite:///{path}")
    metadata = MetaData()
    events = Table("events", metadata, Column("id", Integer, primary_key=True), Column("kind", String))
    sparse = Table("sparse", metadata, Column("id", Integer, primary_key=True), Column("note", String))
    Table("empty", metadata, Column("id", Integer, primary_key=True))
    metadata.create_all(writer)
    # `id` has its 3 samples after 3 rows; `kind` is NULL or repeated until rows 31 and 32.
    rows = [{"id": n, "kind": None if n <= 20 else "same"} for n in range(1, 31)]
    rows += [{"id": 31, "kind": "late"}, {"id": 32, "kind": "later"}]
    with writer.begin() as conn:
        conn.execute(insert(events), rows)
        # `note` has a value only in row 51: past the 50 rows scanned, so no sample.
        conn.execute(insert(sparse), [{"id": n, "note": "found" if n == 51 else None} for n in range(1, 52)])
    writer.dispose()

    engine = create_readonly_engine(str(path))
    schema = describe_database(engine, statement_timeout_seconds=5)
    engine.dispose()
    assert column(schema, "events", "id")["sample_values"] == [1, 2, 3]
    assert column(schema, "events", "kind")["sample_values"] == ["same", "late", "later"]
    assert column(schema, "sparse", "note")["sample_values"] == []
    assert [table(schema, name)["row_count"] for name in ("empty", "events", "sparse")] == [0, 32, 51]
    assert column(schema, "empty", "id")["sample_values"] == []


def test_an_empty_database_has_no_tables(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    create_engine(f"sqlite:///{path}").connect().close()
    engine = create_readonly_engine(str(path))
    assert describe_database(engine) == {"dialect": "sqlite", "schema": "main", "tables": []}
    engine.dispose()


@pytest.mark.postgres
def test_describes_postgres_with_the_same_tables_and_counts(
    postgres_sample: PostgresServer, sqlite_schema: dict[str, Any]
) -> None:
    engine = create_readonly_engine(postgres_sample.reader_url)
    schema = describe_database(engine, statement_timeout_seconds=5)
    engine.dispose()
    assert schema["dialect"] == "postgres"
    assert [(t["name"], t["row_count"]) for t in schema["tables"]] == [
        (t["name"], t["row_count"]) for t in sqlite_schema["tables"]
    ]
    assert column(schema, "sales", "total_amount")["type"] == "NUMERIC(10, 2)"
    assert column(schema, "sales", "sale_date")["type"] == "DATE"
    assert column(schema, "products", "price")["sample_values"][0] == 49.99
    assert table(schema, "orders")["foreign_keys"] == [
        {"columns": ["customer_id"], "references_table": "customers", "references_columns": ["customer_id"]}
    ]


def test_row_counts_stop_at_a_cap_and_say_so(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from talk2tables.database_mcp import schema as schema_module

    monkeypatch.setattr(schema_module, "ROW_COUNT_CAP", 100)
    engine = create_readonly_engine(str(sample_db))
    try:
        described = describe_database(engine)
    finally:
        engine.dispose()
    sales = table(described, "sales")
    assert sales["row_count"] == 100
    assert sales["row_count_capped"] is True
    products = table(described, "products")
    assert products["row_count"] == 18
    assert "row_count_capped" not in products


def test_row_counts_of_many_tables_are_split_over_several_statements(
    sample_db: Path, sqlite_schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from talk2tables.database_mcp import schema as schema_module

    monkeypatch.setattr(schema_module, "_COUNTS_PER_STATEMENT", 2)  # 5 tables: statements of 2, 2 and 1
    engine = create_readonly_engine(str(sample_db))
    try:
        described = describe_database(engine)
    finally:
        engine.dispose()
    counts = {t["name"]: t["row_count"] for t in described["tables"]}
    assert counts == {t["name"]: t["row_count"] for t in sqlite_schema["tables"]}
    assert counts["order_items"] > counts["orders"] > counts["customers"] > counts["products"] > 0


def test_a_database_with_more_tables_than_one_count_statement_takes_is_described_whole(tmp_path: Path) -> None:
    from talk2tables.database_mcp import schema as schema_module

    path = tmp_path / "wide.db"
    count = 2 * schema_module._COUNTS_PER_STATEMENT + 1  # two full statements and one more
    writer = create_engine(f"sqlite:///{path}")
    with writer.begin() as conn:
        for n in range(count):
            conn.exec_driver_sql(f"CREATE TABLE t{n:04d} (id INTEGER PRIMARY KEY)")
            for i in range(n % 3):
                conn.exec_driver_sql(f"INSERT INTO t{n:04d} (id) VALUES ({i})")
    writer.dispose()

    engine = create_readonly_engine(str(path))
    try:
        described = describe_database(engine, statement_timeout_seconds=30)
    finally:
        engine.dispose()
    assert len(described["tables"]) == count
    assert [t["row_count"] for t in described["tables"]] == [n % 3 for n in range(count)]
