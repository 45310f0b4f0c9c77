"""The sample store's business description: the example queries it shows the LLM are right for the data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from talk2tables.sample_data.database import load_into, write_sample_database
from talk2tables.sample_data.description import describe
from tests.sample_data.test_database import rows_of
from tests.support.postgres import PostgresServer


def example_queries() -> list[str]:
    """The SQL of each example under "## Example queries" (in backticks, over one or more lines)."""
    section = describe().split("## Example queries", 1)[1]
    return [" ".join(sql.split()) for sql in re.findall(r"`(SELECT [^`]+)`", section)]


def test_the_description_shows_example_queries() -> None:
    assert len(example_queries()) == 4


def test_each_example_query_answers_with_rows_in_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{write_sample_database(tmp_path / 'shop.db')}"
    for sql in example_queries():
        rows = rows_of(url, sql)
        assert rows, sql
        assert all(value is not None for value in rows[0]), sql


@pytest.mark.postgres
def test_each_example_query_answers_with_the_same_rows_in_postgres(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    url = postgres_server.create_database("description_examples")
    load_into(url)
    lite = f"sqlite:///{write_sample_database(tmp_path / 'shop.db')}"
    pg = url.replace("postgresql://", "postgresql+psycopg://")
    for sql in example_queries():
        expected = sorted(tuple(round(float(v), 2) if isinstance(v, float) else v for v in row)
                          for row in rows_of(lite, sql))  # fmt: skip
        got = sorted(
            tuple(round(float(v), 2) if not isinstance(v, str) else v for v in row) for row in rows_of(pg, sql)
        )
        assert got == expected, sql
