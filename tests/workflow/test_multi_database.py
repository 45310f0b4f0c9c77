"""Several databases against real servers: the shop on PostgreSQL (SELECT-only role) and a support desk on
SQLite, each behind its own Database MCP over SSE, with the scripted LLM routing to each, making a routing
mistake and recovering, and combining across both. Every failure is whole: no rows, the part named."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from talk2tables.models import QueryResult
from talk2tables.orchestrator import Orchestrator, load_registry
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.combine import CombineLimits
from talk2tables.workflow.pipeline import Pipeline
from tests.support.postgres import PostgresServer
from tests.support.processes import ServerProcess, free_port
from tests.support.scripted_llm import ScriptedLLMServer, answer

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

OPEN_TICKETS = "SELECT product_id, COUNT(*) AS open_tickets FROM tickets WHERE status = 'open' GROUP BY product_id"
REVENUE = "SELECT product_id, SUM(total_amount) AS revenue FROM sales GROUP BY product_id"
COMBINED = (
    "SELECT r.product_id, r.revenue, t.open_tickets FROM revenue AS r "
    "JOIN open_tickets AS t ON t.product_id = r.product_id ORDER BY r.product_id"
)


@dataclass
class Desk:
    """The two databases and a registry naming both (and a dead twin of the support server)."""

    registry: Path
    support_db: Path
    postgres: PostgresServer
    workdir: Path


def _write_support_db(path: Path, product_ids: list[int]) -> None:
    connection = sqlite3.connect(path)  # noqa: TID251 - the test's own writer, before any server reads it
    connection.executescript(
        "CREATE TABLE tickets (ticket_id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL, customer_id INTEGER,"
        " status TEXT NOT NULL, opened_at TEXT NOT NULL);"
        # Same table name as the shop's, other columns: the servers keep them apart.
        "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, tier TEXT NOT NULL);"
    )
    rows = [
        (n, product_ids[n % len(product_ids)], n, "open" if n % 3 == 0 else "closed", f"2026-01-{n % 28 + 1:02d}")
        for n in range(1, 40)
    ]
    connection.executemany("INSERT INTO tickets VALUES (?, ?, ?, ?, ?)", rows)
    connection.executemany("INSERT INTO customers VALUES (?, ?)", [(n, ("gold", "silver")[n % 2]) for n in range(1, 9)])
    connection.commit()
    connection.close()


def _registry(path: Path, shop_port: int, support_port: int) -> Path:
    def server(name: str, port: int, priority: int, domains: list[str]) -> dict[str, Any]:
        return {"name": name, "url": f"http://127.0.0.1:{port}/sse", "priority": priority, "domains": domains,
                "capabilities": ["execute_query", "list_resources"], "transport": "sse"}  # fmt: skip

    registry = {
        "mcp_servers": {
            "database": server("Shop Database", shop_port, 10, ["sales", "products"]),
            "support": server("Support Desk", support_port, 20, ["tickets"]),
        },
        "orchestration": {"fail_fast": True, "log_level": "INFO",
                          "timeouts": {"connect_seconds": 5, "resource_seconds": 5, "tool_seconds": 15}},
    }  # fmt: skip
    path.write_text(yaml.safe_dump(registry, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def desk(postgres_sample: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    workdir = tmp_path_factory.mktemp("two-databases")
    product_ids = [int(r[0]) for r in postgres_sample.execute("SELECT product_id FROM products ORDER BY 1 LIMIT 6")]
    support_db = workdir / "support.db"
    _write_support_db(support_db, product_ids)
    shop_port, support_port = free_port(), free_port()
    shop = ServerProcess(["db-server", "--database-url", postgres_sample.reader_url, "--port", str(shop_port)],
                         shop_port, log=workdir / "shop.log")  # fmt: skip
    support = ServerProcess(["db-server", "--database-url", str(support_db), "--port", str(support_port)],
                            support_port, log=workdir / "support.log")  # fmt: skip
    shop.start()
    try:
        support.start()
        try:
            registry = _registry(workdir / "mcp_config.yaml", shop_port, support_port)
            yield Desk(registry, support_db, postgres_sample, workdir)
        finally:
            support.stop()
    finally:
        shop.stop()


@pytest.fixture
async def pipeline(desk: Desk, llm_config: LLMConfig) -> AsyncIterator[Pipeline]:
    generator = SQLGenerator(llm_config)
    async with Orchestrator(load_registry(desk.registry)) as orchestrator:
        yield Pipeline(orchestrator, generator)
    await generator.aclose()


def routed(sql: str, server: str, parts: list[dict[str, str]] | None = None) -> dict[str, Any]:
    response = answer(sql, server=server)
    response["content"]["parts"] = parts or []
    return response


def part(name: str, server: str, sql: str) -> dict[str, str]:
    return {"name": name, "server": server, "sql": sql}


def script(llm: ScriptedLLMServer, match: str, *responses: dict[str, Any]) -> None:
    llm.llm.set_script([{"match": match, "responses": list(responses)}])


def expected_combination(desk: Desk) -> list[list[Any]]:
    """The oracle: each database asked directly, joined in Python."""
    connection = sqlite3.connect(f"file:{desk.support_db}?mode=ro", uri=True)  # noqa: TID251 - the test's oracle
    tickets = dict(connection.execute(OPEN_TICKETS).fetchall())
    connection.close()
    revenue = dict(desk.postgres.execute(REVENUE))
    return [[pid, float(revenue[pid]), tickets[pid]] for pid in sorted(tickets) if pid in revenue]


def _rounded(rows: list[list[Any]]) -> list[list[Any]]:
    return [[round(v, 2) if isinstance(v, float) else v for v in row] for row in rows]


def assert_failed_whole(result: QueryResult) -> None:
    assert not result.success
    assert result.result.rows == []
    assert result.result.columns == []
    assert result.explanation is None


async def test_the_llm_routes_each_question_to_its_database_and_the_result_names_it(
    llm: ScriptedLLMServer, pipeline: Pipeline, desk: Desk
) -> None:
    llm.llm.set_script([
        {"match": "open tickets", "responses": [routed("SELECT COUNT(*) AS n FROM tickets WHERE status = 'open'",
                                                       "support")]},
        {"match": "products", "responses": [routed("SELECT COUNT(*) AS n FROM products", "database")]},
    ])  # fmt: skip
    tickets = await pipeline.answer("How many open tickets are there?")
    products = await pipeline.answer("How many products do we sell?")
    assert tickets.success, tickets.error
    assert products.success, products.error
    assert (tickets.metadata["server"], tickets.metadata["dialect"]) == ("support", "sqlite")
    assert (products.metadata["server"], products.metadata["dialect"]) == ("database", "postgres")
    assert tickets.metadata["server_name"] == "Support Desk"
    assert tickets.result.rows == [[13]]  # tickets 3, 6, ..., 39
    assert products.result.rows == [[desk.postgres.execute("SELECT COUNT(*) FROM products")[0][0]]]
    assert tickets.metadata["databases"] == ["database", "support"]
    # Both schemas, each under its server's key, and the routing rules reach the LLM; the answer's shape asks
    # for the server before the SQL.
    request = llm.llm.requests[0]
    system = request["messages"][0]["content"]
    assert "key: database;" in system
    assert "key: support;" in system
    assert '{"server": "<key>", "sql": "<the query>"}' in system
    assert "PostgreSQL" in system
    assert "SQLite" in system
    schema = request["response_format"]["schema"]
    assert list(schema["properties"])[:3] == ["server", "parts", "sql"]
    # The grammar lets the model write only a database's key there, never a server that describes data.
    assert schema["properties"]["server"]["enum"] == ["database", "support", "combine"]
    assert schema["$defs"]["QueryPart"]["properties"]["server"]["enum"] == ["database", "support"]


async def test_a_routing_mistake_goes_back_to_the_llm_with_where_the_table_is_and_is_recovered(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    sql = "SELECT COUNT(*) AS n FROM tickets"
    script(llm, "tickets", routed(sql, "database"), routed(sql, "support"))
    result = await pipeline.answer("How many tickets were opened?")
    assert result.success, result.error
    first = result.metadata["attempts"][0]
    assert first["stage"] == "validating"
    assert "Table 'tickets' is on server support (Support Desk), not on database" in first["error"]
    assert (result.metadata["attempts_count"], result.metadata["recovered"]) == (2, True)
    assert result.result.rows == [[39]]
    # The error went back to the LLM in the second turn.
    assert "is on server support" in llm.llm.requests[1]["messages"][-1]["content"]


async def test_tables_of_the_same_name_are_kept_apart_by_server(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    sql = "SELECT tier, COUNT(*) AS n FROM customers GROUP BY tier ORDER BY tier"
    script(llm, "tier", routed(sql, "database"), routed(sql, "support"))
    result = await pipeline.answer("Customers by support tier")
    assert result.success, result.error
    assert "Unknown column 'tier'" in result.metadata["attempts"][0]["error"]  # the shop's customers have no tier
    assert result.result.rows == [["gold", 4], ["silver", 4]]
    assert result.metadata["server"] == "support"


async def test_an_unknown_or_missing_server_is_a_validation_error_naming_the_servers(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    sql = "SELECT COUNT(*) AS n FROM tickets"
    script(llm, "tickets", routed(sql, "warehouse"), routed(sql, ""), routed(sql, "Support Desk"))
    result = await pipeline.answer("How many tickets?")
    assert result.success, result.error  # the server's name is as good as its key
    errors = [a["error"] for a in result.metadata["attempts"][:2]]
    assert errors[0].startswith("There is no database server 'warehouse'. Set server to one of: database (")
    assert errors[1].startswith("The answer does not say which database the query runs on")
    assert (
        "support (Support Desk: tickets, customers)" in errors[1]
        or "support (Support Desk: customers, tickets)" in errors[1]
    )


async def test_a_question_spanning_both_databases_is_combined_into_one_answer(
    llm: ScriptedLLMServer, pipeline: Pipeline, desk: Desk
) -> None:
    parts = [part("open_tickets", "support", OPEN_TICKETS), part("revenue", "database", REVENUE)]
    script(llm, "revenue", routed(COMBINED, "combine", parts))
    result = await pipeline.answer("What is the revenue of the products that have open support tickets?")
    assert result.success, result.error
    assert result.result.columns == ["product_id", "revenue", "open_tickets"]
    assert _rounded(result.result.rows) == _rounded(expected_combination(desk))
    assert len(result.result.rows) >= 2
    meta = result.metadata
    assert (meta["server"], meta["dialect"]) == ("combine", "sqlite")
    assert [(p["name"], p["server"]) for p in meta["parts"]] == [("open_tickets", "support"), ("revenue", "database")]
    assert meta["parts"][0]["row_count"] == len(result.result.rows)
    assert meta["timings_ms"]["combine"] > 0
    # The SQL shown says where each part ran.
    assert result.sql is not None
    assert "-- part 'open_tickets' on Support Desk (support)" in result.sql
    assert COMBINED in result.sql


async def test_a_part_that_fails_fails_the_whole_answer_and_is_named(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    # Valid for the schema, refused by PostgreSQL when it runs: a text that is not a date.
    broken = "SELECT product_id, SUM(total_amount) AS revenue FROM sales WHERE sale_date > 'soon' GROUP BY product_id"
    parts = [part("open_tickets", "support", OPEN_TICKETS), part("revenue", "database", broken)]
    script(llm, "revenue", routed(COMBINED, "combine", parts))
    result = await pipeline.answer("Revenue of products with open tickets")
    assert_failed_whole(result)
    assert result.metadata["attempts_count"] == 3
    assert all(a["error"].startswith("Part 'revenue' (database): ") for a in result.metadata["attempts"])
    assert "'revenue'" in (result.error or "")


async def test_a_part_over_the_row_cap_fails_the_whole_answer_naming_the_cap(
    llm: ScriptedLLMServer, desk: Desk, llm_config: LLMConfig
) -> None:
    parts = [part("open_tickets", "support", OPEN_TICKETS), part("revenue", "database", REVENUE)]
    script(llm, "revenue", routed(COMBINED, "combine", parts))
    generator = SQLGenerator(llm_config)
    async with Orchestrator(load_registry(desk.registry)) as orchestrator:
        capped = Pipeline(orchestrator, generator, max_attempts=1, combine_limits=CombineLimits(max_part_rows=2))
        result = await capped.answer("Revenue of products with open tickets")
    await generator.aclose()
    assert_failed_whole(result)
    assert "more than 2 rows (T2T_COMBINE_MAX_PART_ROWS)" in (result.error or "")
    assert "Trino" in (result.error or "")


async def test_the_combining_query_goes_through_the_read_only_guard(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    parts = [part("open_tickets", "support", OPEN_TICKETS), part("revenue", "database", REVENUE)]
    script(
        llm, "revenue",
        routed("DELETE FROM revenue", "combine", parts),
        routed("SELECT * FROM revenue; ATTACH DATABASE '/tmp/x.db' AS x", "combine", parts),
        routed("SELECT load_extension('/tmp/evil') AS x FROM revenue", "combine", parts),
    )  # fmt: skip
    result = await pipeline.answer("Revenue of products with open tickets")
    assert_failed_whole(result)
    assert [a["stage"] for a in result.metadata["attempts"]] == ["validating"] * 3
    assert not Path("/tmp/x.db").exists()


async def test_a_database_server_that_is_down_fails_the_question_whole_and_is_named(
    llm: ScriptedLLMServer, desk: Desk, llm_config: LLMConfig
) -> None:
    data = yaml.safe_load(desk.registry.read_text())
    data["mcp_servers"]["support"]["url"] = f"http://127.0.0.1:{free_port()}/sse"
    registry = desk.workdir / "support-down.yaml"
    registry.write_text(yaml.safe_dump(data))
    script(llm, "products", routed("SELECT COUNT(*) AS n FROM products", "database"))
    generator = SQLGenerator(llm_config)
    async with Orchestrator(load_registry(registry)) as orchestrator:
        result = await Pipeline(orchestrator, generator).answer("How many products?")
    await generator.aclose()
    assert_failed_whole(result)
    assert "Support Desk" in (result.error or "") or "support" in (result.error or "")
    assert result.metadata["error"]["server"] == "support"
    assert llm.llm.requests == []  # nothing was asked of the LLM on half the resources


async def test_with_multi_mcp_off_only_the_first_database_is_used_as_before(
    llm: ScriptedLLMServer, desk: Desk, llm_config: LLMConfig
) -> None:
    script(llm, "products", answer("SELECT COUNT(*) AS n FROM products"))
    generator = SQLGenerator(llm_config)
    async with Orchestrator(load_registry(desk.registry), enable_multi_mcp=False) as orchestrator:
        result = await Pipeline(orchestrator, generator).answer("How many products?")
    await generator.aclose()
    assert result.success, result.error
    assert (result.metadata["server"], result.metadata["databases"]) == ("database", ["database"])
    request = llm.llm.requests[0]
    assert "server" not in request["response_format"]["schema"]["properties"]
    assert "key: support" not in request["messages"][0]["content"]
