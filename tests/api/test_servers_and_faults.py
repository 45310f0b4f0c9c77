"""GET /api/servers by listing each server now, and whole failures when a server is down or hung."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ApiFactory
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import McpServers


def test_lists_every_server_with_reachability_resources_and_latency(client: httpx.Client) -> None:
    response = client.get("/api/servers")
    assert response.status_code == 200
    body = response.json()
    by_key = {s["key"]: s for s in body["servers"]}
    assert [s["key"] for s in body["servers"]] == ["product_metadata", "database"]  # priority order
    database, metadata = by_key["database"], by_key["product_metadata"]
    assert database["reachable"] is True
    assert metadata["reachable"] is True
    assert database["tools"] == ["execute_query"]
    assert metadata["tools"] == []
    assert set(database["resources"]) == {"database://schema", "database://metadata"}
    assert set(metadata["resources"]) == {
        "resource://product_aliases", "resource://column_mappings", "resource://metadata_summary",
    }  # fmt: skip
    assert database["latency_ms"] > 0
    assert database["error"] is None
    assert database["capabilities"] == ["execute_query", "list_resources"]
    assert body["llm"] == {"configured": True, "model": "openai:scripted"}


@pytest.fixture
def own_servers(tmp_path: Path, sample_data_dir: Path) -> Iterator[McpServers]:
    running = McpServers(
        tmp_path, sample_data_dir, timeouts={"connect_seconds": 2, "resource_seconds": 2, "tool_seconds": 3}
    ).start()
    yield running
    running.stop()


def _ask(api_url: str, question: str = "total sales of abracadabra") -> httpx.Response:
    return httpx.post(f"{api_url}/api/query", json={"query": question}, timeout=60)


def test_a_stopped_server_fails_the_question_with_502_naming_it_then_recovers(
    start_api: ApiFactory, own_servers: McpServers, llm: ScriptedLLMServer
) -> None:
    api = start_api(own_servers, llm)
    assert _ask(api.url).status_code == 200

    own_servers.metadata.stop()
    response = _ask(api.url)
    assert response.status_code == 502
    body = response.json()
    assert body["success"] is False
    assert body["result"] == {"columns": [], "rows": []}
    assert body["sql"] is None
    assert "Product Metadata MCP" in body["error"]
    assert body["metadata"]["error"]["server"] in {"Product Metadata MCP", "product_metadata"}
    listing = httpx.get(f"{api.url}/api/servers", timeout=30).json()
    state = {s["key"]: s for s in listing["servers"]}
    assert state["product_metadata"]["reachable"] is False
    assert state["product_metadata"]["error"]
    assert state["database"]["reachable"] is True

    own_servers.metadata.start()
    deadline = time.monotonic() + 20
    while (response := _ask(api.url)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert response.status_code == 200
    assert response.json()["success"] is True


def test_a_hung_server_fails_within_its_deadline_with_504(
    start_api: ApiFactory, own_servers: McpServers, llm: ScriptedLLMServer
) -> None:
    api = start_api(own_servers, llm)
    assert _ask(api.url).status_code == 200
    own_servers.db.pause()
    try:
        started = time.monotonic()
        response = _ask(api.url)
        elapsed = time.monotonic() - started
    finally:
        own_servers.db.resume()
    assert response.status_code in {502, 504}
    assert "Database MCP" in response.json()["error"]
    assert elapsed < 15  # bounded by the 2-3 s deadlines in the registry, not the SDK's 300 s read timeout
    deadline = time.monotonic() + 20
    while (response := _ask(api.url)).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert response.status_code == 200


def test_single_server_mode_uses_the_database_mcp_alone(
    start_api: ApiFactory, servers: McpServers, llm: ScriptedLLMServer
) -> None:
    api = start_api(servers, llm, enable_multi_mcp=False)
    listing = httpx.get(f"{api.url}/api/servers", timeout=30).json()
    assert [s["key"] for s in listing["servers"]] == ["database"]
    body = _ask(api.url).json()
    assert body["success"] is True
    assert [s["key"] for s in body["metadata"]["servers"]] == ["database"]
    prompt = llm.llm.conversations()[-1][0]["content"]
    assert "resource://product_aliases" not in prompt
    assert "database://schema" in prompt
