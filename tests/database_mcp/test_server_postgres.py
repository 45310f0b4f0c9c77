"""The Database MCP as a real process over SSE against a real PostgreSQL server (SELECT-only role)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from talk2tables.sample_data.description import write_database_description
from tests.database_mcp.helpers import (
    REFUSED_EVERYWHERE,
    REFUSED_POSTGRES,
    error_text,
    mcp_session,
    query,
    read_json,
    sample_rows,
)
from tests.support.postgres import PostgresServer
from tests.support.processes import ServerProcess, free_port, running

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
MAX_ROWS = 100
SLOW = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
QUESTIONS = [
    "SELECT region, ROUND(SUM(total_amount), 2) AS revenue FROM sales GROUP BY region ORDER BY region",
    "SELECT p.category, COUNT(DISTINCT s.customer_id) AS buyers FROM sales s "
    "JOIN products p ON p.product_id = s.product_id GROUP BY p.category ORDER BY p.category",
    f"SELECT status, COUNT(*) FROM orders WHERE order_date >= '{sample_rows().period.first_day.year}-11-22' "
    f"AND order_date <= '{sample_rows().period.first_day.year}-11-30' GROUP BY status ORDER BY status",
    "SELECT MIN(sale_date), MAX(sale_date), SUM(quantity) FROM sales",
]
FINGERPRINT = (
    "SELECT (SELECT md5(string_agg(s::text, ',' ORDER BY sale_id)) FROM sales s), "
    "(SELECT md5(string_agg(p::text, ',' ORDER BY product_id)) FROM products p), "
    "(SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public')"
)


@pytest.fixture(scope="module")
def pg_served(postgres_sample: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("db-server-pg")
    description = write_database_description(folder / "description.md")
    port = free_port()
    args = ["db-server", "--database-url", postgres_sample.reader_url, "--port", str(port)]
    args += ["--description", str(description), "--max-rows", str(MAX_ROWS), "--statement-timeout", "1"]
    with running(args, port, env={"T2T_MCP_TOKEN": ""}, log=folder / "server.log") as server:
        yield server


@pytest.fixture(scope="module")
def sqlite_served(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("db-server-sqlite-twin")
    database = shutil.copy(sample_db, folder / "shop.db")
    description = write_database_description(folder / "description.md")
    port = free_port()
    args = ["db-server", "--database-url", str(database), "--port", str(port), "--description", str(description)]
    with running(args, port, env={"T2T_MCP_TOKEN": ""}) as server:
        yield server


async def test_describes_the_postgres_schema(pg_served: ServerProcess) -> None:
    async with mcp_session(pg_served.sse_url) as session:
        schema = await read_json(session, "database://schema")
        metadata = await read_json(session, "database://metadata")
    assert schema["dialect"] == "postgres"
    counts = {t["name"]: t["row_count"] for t in schema["tables"]}
    assert counts == {name: len(rows) for name, rows in sample_rows().by_table().items()}
    assert metadata["description"].startswith("# Sample store")


@pytest.mark.parametrize("sql", QUESTIONS)
async def test_answers_exactly_like_the_sqlite_twin(
    pg_served: ServerProcess, sqlite_served: ServerProcess, sql: str
) -> None:
    async with mcp_session(pg_served.sse_url) as pg, mcp_session(sqlite_served.sse_url) as lite:
        from_postgres = await query(pg, sql)
        from_sqlite = await query(lite, sql)
    assert from_postgres.structured_content is not None
    assert from_sqlite.structured_content is not None
    assert from_postgres.structured_content["rows"] == from_sqlite.structured_content["rows"]
    assert from_postgres.structured_content["row_count"] > 0


async def test_returns_the_databases_own_error_message(pg_served: ServerProcess) -> None:
    async with mcp_session(pg_served.sse_url) as session:
        result = await query(session, "SELECT full_name FROM customers")
    assert error_text(result) == 'column "full_name" does not exist'


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_POSTGRES)
async def test_refuses_and_leaves_the_data_unchanged(
    pg_served: ServerProcess, postgres_sample: PostgresServer, sql: str, reason: str
) -> None:
    before = postgres_sample.execute(FINGERPRINT)
    async with mcp_session(pg_served.sse_url) as session:
        result = await query(session, sql)
    message = error_text(result)
    assert message.startswith("Refused: ")
    assert reason in message
    assert postgres_sample.execute(FINGERPRINT) == before


async def test_caps_rows_and_reports_truncation(pg_served: ServerProcess) -> None:
    async with mcp_session(pg_served.sse_url) as session:
        result = await query(session, "SELECT sale_id, sale_date FROM sales ORDER BY sale_id")
    assert result.structured_content is not None
    assert result.structured_content["row_count"] == MAX_ROWS
    assert result.structured_content["truncated"] is True
    assert result.structured_content["rows"][0] == [1, sample_rows().period.first_day.isoformat()]


async def test_stops_a_slow_query_at_the_statement_timeout(pg_served: ServerProcess) -> None:
    async with mcp_session(pg_served.sse_url) as session:
        slow = await query(session, SLOW)
        after = await query(session, "SELECT 1 AS alive")
    assert error_text(slow).startswith("Timed out: ")
    assert after.structured_content is not None
    assert after.structured_content["rows"] == [[1]]
