"""execute_query through the orchestrator against the real Database MCP: routing, tool errors, kills, timeouts."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from talk2tables.errors import (
    DatabaseBusyError,
    DatabaseError,
    MCPConnectionError,
    MCPTimeoutError,
    NoMCPAvailableError,
    ToolExecutionError,
)
from talk2tables.orchestrator import Orchestrator, parse_registry
from tests.orchestrator.conftest import Live, TinyServer, db_server, dead_url, registry_for, wait_until_busy

pytestmark = pytest.mark.e2e

# About five seconds of pure CPU in SQLite: long enough to kill the server, or time out, mid-query.
SLOW_QUERY = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT COUNT(*) AS n FROM c"
)


def with_tiny(live: Live, tiny: TinyServer, *, tiny_priority: int) -> dict[str, object]:
    return {
        "tiny": {
            "name": "Tiny echo",
            "url": tiny.sse_url,
            "priority": tiny_priority,
            "capabilities": ["execute_query"],
        }
    }


@pytest.mark.parametrize(("tiny_priority", "expected_columns"), [(20, ["one"]), (5, ["query"])])
async def test_execute_query_goes_to_the_highest_priority_server_with_the_capability(
    shared_live: Live, tiny_server: TinyServer, tiny_priority: int, expected_columns: list[str]
) -> None:
    # The metadata server (priority 1) outranks both but cannot run queries; the tiny server echoes the SQL.
    registry = registry_for(
        database_url=shared_live.db.sse_url,
        metadata_url=shared_live.metadata.sse_url,
        extra=with_tiny(shared_live, tiny_server, tiny_priority=tiny_priority),
    )
    async with Orchestrator(registry) as orchestrator:
        rows = await orchestrator.execute_query("SELECT 1 AS one")
        assert orchestrator.query_server().key == ("database" if tiny_priority > 10 else "tiny")
    assert rows.columns == expected_columns
    assert rows.row_count == 1


async def test_returns_rows_from_the_real_database(shared_live: Live) -> None:
    async with Orchestrator(shared_live.registry()) as orchestrator:
        rows = await orchestrator.execute_query(
            "SELECT product_id, product_name FROM products WHERE product_id = 123", request_id="r1"
        )
    assert rows.columns == ["product_id", "product_name"]
    assert rows.rows == [[123, "Magic Wand Pro"]]
    assert rows.row_count == 1
    assert rows.truncated is False


async def test_a_database_error_raises_tool_execution_error_with_the_databases_own_message(shared_live: Live) -> None:
    async with Orchestrator(shared_live.registry()) as orchestrator:
        with pytest.raises(ToolExecutionError) as caught:
            await orchestrator.execute_query("SELECT full_name FROM customers")
        error = caught.value
        assert error.server == "database"
        assert error.context["tool_message"] == "no such column: full_name"
        assert "no such column: full_name" in error.message
        assert "Database MCP" in error.message
        assert error.context["sql"] == "SELECT full_name FROM customers"

        with pytest.raises(ToolExecutionError) as refused:
            await orchestrator.execute_query("DELETE FROM customers")
        assert refused.value.context["tool_message"].startswith("Refused:")

        # The session survives tool errors.
        assert (await orchestrator.execute_query("SELECT 2 AS two")).rows == [[2]]


async def test_a_server_killed_mid_query_fails_fast_with_a_clear_error_then_recovers(live: Live) -> None:
    async with Orchestrator(live.registry(tool=60)) as orchestrator:
        await orchestrator.execute_query("SELECT 1 AS one")
        query = asyncio.create_task(orchestrator.execute_query(SLOW_QUERY))
        assert live.db.process is not None
        await asyncio.to_thread(wait_until_busy, live.db.process.pid)
        assert not query.done()

        killed_at = time.monotonic()
        live.db.kill()
        with pytest.raises(MCPConnectionError) as caught:
            await asyncio.wait_for(query, 30)
        assert time.monotonic() - killed_at < 10  # far inside the 60 s tool deadline: no hang
        assert caught.value.server == "database"
        assert "Database MCP" in caught.value.message

        live.db.start()
        assert (await orchestrator.execute_query("SELECT 3 AS three")).rows == [[3]]


async def test_a_slow_query_hits_the_tool_deadline_and_the_next_query_works(data_copy: Path, tmp_path: Path) -> None:
    db = db_server(data_copy, tmp_path, statement_timeout=8).start()
    try:
        registry = registry_for(database_url=db.sse_url, metadata_url=dead_url(), tool=1)
        async with Orchestrator(registry, enable_multi_mcp=False) as orchestrator:
            started = time.monotonic()
            with pytest.raises(MCPTimeoutError) as caught:
                await orchestrator.execute_query(SLOW_QUERY)
            elapsed = time.monotonic() - started
            assert elapsed < 5, f"a 1 s tool deadline took {elapsed:.1f}s"
            assert caught.value.server == "database"
            assert caught.value.context["tool"] == "execute_query"

            # The server is still busy with the abandoned query for a while; the next call reconnects.
            deadline = time.monotonic() + 60
            while True:
                try:
                    rows = await orchestrator.execute_query("SELECT 4 AS four")
                    break
                except MCPTimeoutError:
                    assert time.monotonic() < deadline
            assert rows.rows == [[4]]
    finally:
        db.stop()


async def test_a_busy_database_server_is_a_busy_error_not_a_query_to_rewrite(data_copy: Path, tmp_path: Path) -> None:
    db = db_server(
        data_copy, tmp_path, statement_timeout=3, extra=("--query-processes", "1", "--max-queued-queries", "0")
    )
    db.start()
    try:
        registry = registry_for(database_url=db.sse_url, metadata_url=dead_url(), tool=10)
        async with Orchestrator(registry, enable_multi_mcp=False) as orchestrator:
            slow = asyncio.create_task(orchestrator.execute_query(SLOW_QUERY))
            await asyncio.sleep(0.5)
            with pytest.raises(DatabaseBusyError) as caught:
                await orchestrator.execute_query("SELECT 1 AS one")
            assert caught.value.status_code == 503
            assert "Busy:" in caught.value.message
            with pytest.raises(ToolExecutionError, match="Timed out"):
                await slow
            assert (await orchestrator.execute_query("SELECT 1 AS one")).rows == [[1]]
    finally:
        db.stop()


async def test_bearer_token_is_sent_when_given_and_its_absence_is_named(data_copy: Path, tmp_path: Path) -> None:
    db = db_server(data_copy, tmp_path, token="s3cret-token").start()
    try:
        registry = registry_for(database_url=db.sse_url, metadata_url=dead_url())
        async with Orchestrator(registry, enable_multi_mcp=False, token="s3cret-token") as orchestrator:
            assert (await orchestrator.execute_query("SELECT 5 AS five")).rows == [[5]]
        async with Orchestrator(registry, enable_multi_mcp=False) as orchestrator:
            with pytest.raises(MCPConnectionError) as caught:
                await orchestrator.execute_query("SELECT 5 AS five")
        assert "401" in caught.value.message
        assert "T2T_MCP_TOKEN" in caught.value.message
        assert "s3cret-token" not in caught.value.message
    finally:
        db.stop()


async def test_no_enabled_server_with_execute_query_raises_no_mcp_available() -> None:
    registry = parse_registry(
        {
            "mcp_servers": {
                "database": {"name": "DB", "url": dead_url(), "priority": 2, "capabilities": ["execute_query"]},
                "meta": {"name": "Meta", "url": dead_url(), "priority": 1},
            }
        }
    )
    orchestrator = Orchestrator(registry)
    orchestrator.servers = [registry.mcp_servers["meta"]]  # as if only the metadata server were enabled
    with pytest.raises(NoMCPAvailableError, match="execute_query"):
        await orchestrator.execute_query("SELECT 1")
    await orchestrator.close()


async def test_a_locked_database_is_a_database_error_not_a_query_to_rewrite(live: Live) -> None:
    """The database failing (here: locked by a writer) is not the SQL's fault: it must not go back to the LLM."""
    async with Orchestrator(live.registry(tool=30)) as orchestrator:
        assert (await orchestrator.execute_query("SELECT 1 AS one")).rows == [[1]]
        writer = sqlite3.connect(live.data / "multi_mcp_test.db", isolation_level=None)  # noqa: TID251 - the test's writer
        try:
            writer.execute("BEGIN EXCLUSIVE")
            with pytest.raises(DatabaseError) as caught:
                await orchestrator.execute_query("SELECT COUNT(*) FROM sales")
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        assert not isinstance(caught.value, ToolExecutionError)
        assert caught.value.status_code == 502
        assert caught.value.context["server"] == "database"
        assert "Unavailable:" in caught.value.message
        assert "locked" in caught.value.message
        assert (await orchestrator.execute_query("SELECT 2 AS two")).rows == [[2]]
