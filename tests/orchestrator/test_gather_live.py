"""Gathering from the real Database MCP and Product Metadata MCP over SSE on loopback: fresh, shared, all or nothing."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import structlog

from talk2tables.errors import MCPConnectionError, MCPTimeoutError, ResourceFetchError
from talk2tables.orchestrator import Orchestrator
from talk2tables.sql_generation.context import GenerationContext
from tests.orchestrator.conftest import Live, dead_url, registry_for

pytestmark = pytest.mark.e2e


async def test_gathers_every_resource_of_both_servers_in_priority_order(shared_live: Live) -> None:
    async with Orchestrator(shared_live.registry()) as orchestrator:
        result = await orchestrator.gather_all_resources(request_id="req-gather-1")

    assert result.request_id == "req-gather-1"
    assert [s.server_key for s in result.servers] == ["product_metadata", "database"]
    metadata, database = result.servers
    assert metadata.priority == 1
    assert database.priority == 10
    assert set(metadata.resources) == {
        "resource://product_aliases",
        "resource://column_mappings",
        "resource://metadata_summary",
    }
    assert metadata.resources["resource://product_aliases"]["abracadabra"]["canonical_id"] == "PROD_123"
    assert "sales amount" in metadata.resources["resource://column_mappings"]["user_friendly_terms"]
    assert set(database.resources) == {"database://schema", "database://metadata"}
    schema = database.resources["database://schema"]
    assert {t["name"] for t in schema["tables"]} >= {"customers", "products", "orders", "sales"}
    assert database.resources["database://metadata"]["description"].startswith("#")
    assert database.capabilities == ["execute_query", "list_resources"]
    assert database.domains == ["sales", "customers", "orders", "products"]
    assert GenerationContext.from_servers(result.servers).dialect == "sqlite"
    assert result.conflicts == []
    assert set(result.timings_ms) == {"product_metadata", "database"}
    assert all(ms > 0 for ms in result.timings_ms.values())
    assert result.total_ms >= max(result.timings_ms.values())


async def test_reads_the_metadata_file_fresh_on_every_gather_and_fails_whole_when_it_breaks(live: Live) -> None:
    async with Orchestrator(live.registry()) as orchestrator:
        before = await orchestrator.gather_all_resources()
        assert (
            "sparkle stick" not in before.servers[0].resources["resource://product_aliases"]["abracadabra"]["aliases"]
        )

        document = json.loads(live.metadata_path.read_text())
        document["product_aliases"]["abracadabra"]["aliases"].append("sparkle stick")
        document["column_mappings"]["user_friendly_terms"]["takings"] = "sales.total_amount"
        live.metadata_path.write_text(json.dumps(document))

        after = await orchestrator.gather_all_resources()

        resources = after.servers[0].resources
        assert "sparkle stick" in resources["resource://product_aliases"]["abracadabra"]["aliases"]
        assert resources["resource://column_mappings"]["user_friendly_terms"]["takings"] == "sales.total_amount"

        # A broken file fails the whole gather, naming the server and the file's problem: no partial result.
        live.metadata_path.write_text("{not json")
        with pytest.raises(ResourceFetchError) as caught:
            await orchestrator.gather_all_resources()
        assert caught.value.server == "product_metadata"
        assert "not valid JSON" in caught.value.message
        assert str(live.metadata_path) in caught.value.message

        live.metadata_path.write_text(json.dumps(document))
        assert (await orchestrator.gather_all_resources()).servers[0].resources == resources


async def test_fifty_concurrent_gathers_share_one_session_per_server(shared_live: Live) -> None:
    async with Orchestrator(shared_live.registry(resource=60)) as orchestrator:
        first = await orchestrator.gather_all_resources()
        with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as events:
            results = await asyncio.wait_for(
                asyncio.gather(*(orchestrator.gather_all_resources() for _ in range(50))), 120
            )

    assert len(results) == 50
    assert len({r.request_id for r in results}) == 50
    for result in results:
        assert [s.server_key for s in result.servers] == ["product_metadata", "database"]
        assert [s.resources for s in result.servers] == [s.resources for s in first.servers]
    assert [e for e in events if e["event"] == "mcp.connect"] == []  # reused, never reopened
    reads = [e for e in events if e["event"] == "mcp.read"]
    assert len(reads) == 50 * 5  # every resource read again for every request: no caching
    lists = [e for e in events if e["event"] == "mcp.list"]
    assert sorted({e["what"] for e in lists}) == ["resources"]  # a question needs no tool list: one call less each
    assert len(lists) == 50 * 2
    assert not [e for e in events if e["event"] == "mcp.failure"]


async def test_logs_connect_list_read_and_failure_with_server_duration_and_request_id(
    shared_live: Live,
) -> None:
    registry = registry_for(database_url=shared_live.db.sse_url, metadata_url=dead_url())
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as events:
        async with Orchestrator(registry) as orchestrator:
            await orchestrator.execute_query("SELECT 1 AS one", request_id="req-call")
            with pytest.raises(MCPConnectionError):
                await orchestrator.gather_all_resources(request_id="req-fail")

    def named(event: str) -> list[dict[str, object]]:
        return [e for e in events if e["event"] == event]

    connects = named("mcp.connect")
    assert [e["server"] for e in connects] == ["database"]
    assert isinstance(connects[0]["duration_ms"], float)
    (call,) = named("mcp.call")
    assert call["server"] == "database"
    assert call["request_id"] == "req-call"
    assert call["tool"] == "execute_query"
    assert all(e["request_id"] == "req-fail" and "duration_ms" in e for e in named("mcp.list"))
    failures = [e for e in named("mcp.failure") if e.get("request_id") == "req-fail"]
    assert failures
    assert all(e["server"] == "product_metadata" and "duration_ms" in e for e in failures)
    (gather,) = named("orchestrator.gather")
    assert gather["outcome"] == "error"
    assert gather["server"] == "product_metadata"


async def test_a_server_down_at_start_up_fails_gathers_by_name_until_it_comes_up(live: Live, tmp_path: Path) -> None:
    live.metadata.stop()
    orchestrator = Orchestrator(live.registry())
    await orchestrator.start()  # must not raise
    try:
        with pytest.raises(MCPConnectionError) as caught:
            await orchestrator.gather_all_resources()
        assert caught.value.server == "product_metadata"
        assert "Product Metadata MCP" in caught.value.message
        assert live.metadata.sse_url in caught.value.message

        live.metadata.start()
        result = await orchestrator.gather_all_resources()
        assert [s.server_key for s in result.servers] == ["product_metadata", "database"]
    finally:
        await orchestrator.close()


async def test_a_server_killed_between_requests_fails_the_next_gather_whole_then_recovers(live: Live) -> None:
    async with Orchestrator(live.registry()) as orchestrator:
        await orchestrator.gather_all_resources()
        live.db.kill()

        started = time.monotonic()
        with pytest.raises(MCPConnectionError) as caught:
            await orchestrator.gather_all_resources()
        assert time.monotonic() - started < 5
        assert caught.value.server == "database"

        live.db.start()
        result = await orchestrator.gather_all_resources()
        assert [s.server_key for s in result.servers] == ["product_metadata", "database"]


async def test_a_server_restarted_between_requests_is_reconnected_transparently(live: Live) -> None:
    async with Orchestrator(live.registry()) as orchestrator:
        await orchestrator.gather_all_resources()
        live.db.kill()
        live.db.start()  # same port: the old session is dead, a new one works
        with structlog.testing.capture_logs() as events:
            result = await orchestrator.gather_all_resources()
    assert [s.server_key for s in result.servers] == ["product_metadata", "database"]
    assert [e["server"] for e in events if e["event"] == "mcp.reconnect"]
    assert [e["server"] for e in events if e["event"] == "mcp.connect"] == ["database"]
    assert not [e for e in events if e["event"] == "mcp.failure"]


async def test_gathers_during_a_kill_are_each_complete_or_a_clear_error_never_partial(live: Live) -> None:
    outcomes: list[object] = []
    async with Orchestrator(live.registry(resource=10)) as orchestrator:
        expected = await orchestrator.gather_all_resources()

        async def keep_gathering() -> None:
            failures = 0
            while failures < 3:  # keep going until this worker has seen the kill a few times
                try:
                    outcomes.append(await orchestrator.gather_all_resources())
                except (MCPConnectionError, MCPTimeoutError, ResourceFetchError) as error:
                    outcomes.append(error)
                    failures += 1

        workers = [asyncio.create_task(keep_gathering()) for _ in range(4)]
        while len(outcomes) < 8:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(live.metadata.kill)
        await asyncio.wait_for(asyncio.gather(*workers), 120)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    results = [o for o in outcomes if not isinstance(o, Exception)]
    assert errors, "killing a server must fail the gathers after it"
    assert all(getattr(e, "server", None) == "product_metadata" for e in errors)
    for result in results:
        assert [s.resources for s in result.servers] == [s.resources for s in expected.servers]  # type: ignore[attr-defined]


async def test_a_hung_server_hits_the_timeout_and_the_next_gather_recovers(live: Live) -> None:
    async with Orchestrator(live.registry(resource=1.5)) as orchestrator:
        await orchestrator.gather_all_resources()
        live.metadata.pause()
        try:
            started = time.monotonic()
            with pytest.raises(MCPTimeoutError) as caught:
                await orchestrator.gather_all_resources()
            elapsed = time.monotonic() - started
            assert caught.value.server == "product_metadata"
            assert "1.5s" in caught.value.message
            assert elapsed < 6, f"a 1.5 s deadline took {elapsed:.1f}s"
        finally:
            live.metadata.resume()
        result = await orchestrator.gather_all_resources()
        assert [s.server_key for s in result.servers] == ["product_metadata", "database"]


async def test_a_server_hung_at_connect_time_times_out_within_the_connect_deadline(live: Live) -> None:
    live.metadata.pause()
    try:
        orchestrator = Orchestrator(live.registry(connect=1, resource=3))
        started = time.monotonic()
        await orchestrator.start()
        assert time.monotonic() - started < 5
        try:
            with pytest.raises(MCPTimeoutError) as caught:
                await orchestrator.gather_all_resources()
            assert caught.value.server == "product_metadata"

            # Closing while a request is still connecting to the hung server ends both promptly.
            pending = asyncio.create_task(orchestrator.gather_all_resources())
            await asyncio.sleep(0)  # let it start connecting
            started = time.monotonic()
            await orchestrator.close()
            with pytest.raises((MCPConnectionError, MCPTimeoutError)):
                await asyncio.wait_for(pending, 10)
            assert time.monotonic() - started < 10
        finally:
            await orchestrator.close()
    finally:
        live.metadata.resume()


async def test_single_server_mode_gathers_from_the_database_alone(shared_live: Live) -> None:
    # The metadata server's URL is dead: single-server mode must never touch it.
    registry = registry_for(database_url=shared_live.db.sse_url, metadata_url=dead_url())
    async with Orchestrator(registry, enable_multi_mcp=False) as orchestrator:
        result = await orchestrator.gather_all_resources()
        statuses = await orchestrator.server_status()
        rows = await orchestrator.execute_query("SELECT COUNT(*) AS n FROM products")

    assert [s.server_key for s in result.servers] == ["database"]
    assert set(result.servers[0].resources) == {"database://schema", "database://metadata"}
    assert [s.key for s in statuses] == ["database"]
    assert rows.rows == [[18]]


async def test_server_status_reports_each_server_without_raising(shared_live: Live) -> None:
    registry = registry_for(database_url=shared_live.db.sse_url, metadata_url=dead_url())
    async with Orchestrator(registry) as orchestrator:
        statuses = {s.key: s for s in await orchestrator.server_status()}

    database, metadata = statuses["database"], statuses["product_metadata"]
    assert database.reachable
    assert database.error is None
    assert database.tools == ["execute_query"]
    assert set(database.resources) == {"database://schema", "database://metadata"}
    assert database.latency_ms is not None
    assert database.latency_ms > 0
    assert database.capabilities == ["execute_query", "list_resources"]
    assert not metadata.reachable
    assert metadata.error
    assert "Product Metadata MCP" in metadata.error
    assert metadata.priority == 1
    assert metadata.name == "Product Metadata MCP"
