"""`talk2tables sample-data`: the five files, and loading the same rows into PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from talk2tables.sample_data.description import describe
from talk2tables.sample_data.generator import generate
from talk2tables.sample_data.support_description import describe_support
from talk2tables.sample_data.support_generator import generate_support
from tests.support.postgres import PostgresServer
from tests.support.processes import run_talk2tables


def count(database: Path, table: str) -> int:
    engine = create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


def test_writes_both_databases_the_metadata_and_the_descriptions(tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = run_talk2tables("sample-data", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "database_description.md",
        "multi_mcp_test.db",
        "product_metadata.json",
        "support.db",
        "support_description.md",
    ]
    assert count(out / "multi_mcp_test.db", "sales") == len(generate().sales)
    assert count(out / "support.db", "tickets") == len(generate_support().tickets)
    assert (out / "support_description.md").read_text(encoding="utf-8") == describe_support()
    metadata = json.loads((out / "product_metadata.json").read_text())
    assert metadata["product_aliases"]["abracadabra"]["canonical_name"] == "Magic Wand Pro"
    assert (out / "database_description.md").read_text(encoding="utf-8") == describe()


@pytest.mark.postgres
def test_loads_postgres_once_and_refuses_a_second_load_without_replace(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database("cli_load")
    first = run_talk2tables("sample-data", "--out", str(tmp_path / "a"), "--database-url", url)
    second = run_talk2tables("sample-data", "--out", str(tmp_path / "b"), "--database-url", url)
    assert first.returncode == 0, first.stderr
    assert f"sales {len(generate().sales)}" in first.stdout
    assert second.returncode == 1
    assert "already has the sample tables" in second.stderr
    assert "--replace" in second.stderr


@pytest.mark.postgres
def test_loads_the_support_desk_into_postgres(postgres_server: PostgresServer, tmp_path: Path) -> None:
    url = postgres_server.create_database("cli_support_load")
    result = run_talk2tables("sample-data", "--out", str(tmp_path / "a"), "--support-database-url", url)
    assert result.returncode == 0, result.stderr
    assert f"tickets {len(generate_support().tickets)}" in result.stdout
