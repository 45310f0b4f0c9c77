"""The Database MCP as a real process over SSE, on the sample SQLite database, through a real MCP client."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp.shared.exceptions import MCPError

from talk2tables.sample_data.description import describe, write_database_description
from tests.database_mcp.helpers import (
    REFUSED_EVERYWHERE,
    REFUSED_SQLITE,
    error_text,
    file_digest,
    mcp_session,
    query,
    read_json,
    sample_rows,
)
from tests.support.processes import ServerProcess, free_port, running

pytestmark = pytest.mark.e2e
MAX_ROWS = 200
SLOW = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"


@dataclass
class Served:
    server: ServerProcess
    database: Path
    description: Path
    log: Path


@pytest.fixture(scope="module")
def served(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("db-server")
    database = Path(shutil.copy(sample_db, folder / "shop.db"))
    description = write_database_description(folder / "description.md")
    log = folder / "server.log"
    port = free_port()
    args = ["db-server", "--database-url", str(database), "--port", str(port), "--description", str(description)]
    args += ["--max-rows", str(MAX_ROWS), "--statement-timeout", "1"]
    with running(args, port, env={"T2T_MCP_TOKEN": ""}, log=log) as server:
        yield Served(server, database, description, log)


async def test_offers_the_execute_query_tool_as_read_only(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        (tool,) = (await session.list_tools()).tools
    assert tool.name == "execute_query"
    assert tool.input_schema["required"] == ["query"]
    assert set(tool.output_schema["properties"]) == {"columns", "rows", "row_count", "truncated"}  # type: ignore[index]
    assert tool.annotations is not None
    assert tool.annotations.read_only_hint is True
    assert f"{MAX_ROWS} rows" in (tool.description or "")


async def test_offers_schema_and_metadata_resources_as_json(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        resources = (await session.list_resources()).resources
    assert {(str(r.uri), r.mime_type) for r in resources} == {
        ("database://schema", "application/json"),
        ("database://metadata", "application/json"),
    }


async def test_schema_resource_describes_the_sample_tables(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        schema = await read_json(session, "database://schema")
    assert schema["dialect"] == "sqlite"
    tables = {t["name"]: t for t in schema["tables"]}
    assert set(tables) == {"customers", "products", "orders", "order_items", "sales"}
    assert tables["sales"]["row_count"] == len(sample_rows().sales)
    amount = next(c for c in tables["sales"]["columns"] if c["name"] == "total_amount")
    assert set(amount) == {"name", "type", "nullable", "primary_key", "sample_values"}


async def test_metadata_resource_is_read_from_the_file_again_on_every_read(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        first = await read_json(session, "database://metadata")
        served.description.write_text("# Edited\n\nRevenue is in euros now.\n", encoding="utf-8")
        try:
            second = await read_json(session, "database://metadata")
        finally:
            write_database_description(served.description)
    assert first == {"description": describe(), "source": str(served.description)}
    assert second["description"] == "# Edited\n\nRevenue is in euros now.\n"


async def test_runs_a_query_and_returns_structured_rows(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        result = await query(session, "SELECT COUNT(*) AS n, MIN(sale_date) AS first_day FROM sales")
    assert result.is_error is False
    assert result.structured_content == {
        "columns": ["n", "first_day"],
        "rows": [[len(sample_rows().sales), sample_rows().period.first_day.isoformat()]],
        "row_count": 1,
        "truncated": False,
    }
    assert json.loads(result.content[0].text) == result.structured_content  # type: ignore[union-attr]


async def test_answers_a_join_with_the_generated_data(served: Served) -> None:
    data = sample_rows()
    units: dict[int, int] = {}
    for sale in data.sales:
        units[sale["product_id"]] = units.get(sale["product_id"], 0) + sale["quantity"]
    best_id = max(units, key=lambda product_id: units[product_id])
    best_name = next(p["product_name"] for p in data.products if p["product_id"] == best_id)
    sql = (
        "SELECT p.product_name, SUM(s.quantity) AS units FROM sales s JOIN products p ON p.product_id = s.product_id "
        "GROUP BY p.product_name ORDER BY units DESC LIMIT 1"
    )
    async with mcp_session(served.server.sse_url) as session:
        result = await query(session, sql)
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [[best_name, units[best_id]]]


async def test_returns_the_databases_own_error_message(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        result = await query(session, "SELECT full_name FROM customers")
    assert error_text(result) == "no such column: full_name"


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_SQLITE)
async def test_refuses_and_leaves_the_database_file_unchanged(served: Served, sql: str, reason: str) -> None:
    before = file_digest(served.database)
    async with mcp_session(served.server.sse_url) as session:
        result = await query(session, sql)
        still_there = await query(session, "SELECT COUNT(*) FROM sales")
    message = error_text(result)
    assert message.startswith("Refused: ")
    assert reason in message
    assert file_digest(served.database) == before
    assert still_there.structured_content is not None
    assert still_there.structured_content["rows"] == [[len(sample_rows().sales)]]


async def test_caps_rows_and_reports_truncation(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        result = await query(session, "SELECT sale_id FROM sales ORDER BY sale_id")
    assert result.structured_content is not None
    assert result.structured_content["row_count"] == MAX_ROWS
    assert result.structured_content["truncated"] is True
    assert result.structured_content["rows"][-1] == [MAX_ROWS]


async def test_stops_a_slow_query_at_the_time_limit_and_keeps_serving(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        slow = await query(session, SLOW)
        after = await query(session, "SELECT 1 AS alive")
    assert error_text(slow).startswith("Timed out: the query ran longer than the 1 s statement time limit")
    assert after.structured_content is not None
    assert after.structured_content["rows"] == [[1]]


async def test_serves_concurrent_queries_on_one_session(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        results = await asyncio.gather(
            *(query(session, f"SELECT COUNT(*) FROM sales WHERE quantity >= {q}") for q in (1, 2, 3) * 4)
        )
    counts = [r.structured_content["rows"][0][0] for r in results if r.structured_content]
    assert len(counts) == 12
    assert counts[:3] == counts[3:6] == counts[6:9] == counts[9:]
    assert counts[0] > counts[1] > counts[2] > 0


async def test_a_call_without_a_query_is_a_tool_error(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        result = await session.call_tool("execute_query", {})
    assert result.is_error is True
    assert "query" in result.content[0].text  # type: ignore[union-attr]


async def test_an_unknown_resource_is_a_protocol_error(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        with pytest.raises(MCPError, match="Unknown resource"):
            await session.read_resource("database://nothing")


async def test_logs_each_query_as_json_with_outcome_and_duration(served: Served) -> None:
    async with mcp_session(served.server.sse_url) as session:
        await query(session, "SELECT 'logged' AS marker")
        await query(session, "DROP TABLE sales")
    events = [json.loads(line) for line in served.log.read_text().splitlines() if line.startswith("{")]
    queries = [e for e in events if e.get("event") == "execute_query"]
    ok = next(e for e in queries if e["sql"] == "SELECT 'logged' AS marker")
    refused = next(e for e in reversed(queries) if e["sql"] == "DROP TABLE sales")
    assert (ok["outcome"], ok["server"], ok["row_count"]) == ("ok", "database", 1)
    assert isinstance(ok["duration_ms"], float)
    assert refused["outcome"] == "refused"
