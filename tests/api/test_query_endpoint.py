"""POST /api/query through real HTTP: answers, whole failures with the right status, bad input."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import ApiFactory
from tests.support.scripted_llm import ScriptedLLM, ScriptedLLMServer, answer
from tests.support.scripts import ABRACADABRA_SQL
from tests.support.system import McpServers

QUERY_RESULT_KEYS = {"success", "query", "sql", "result", "error", "explanation", "resolved_entities", "metadata"}


def read_only_rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)  # noqa: TID251 - the test's own oracle
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_answers_with_sql_rows_entities_and_metadata(client: httpx.Client, servers: McpServers) -> None:
    response = client.post("/api/query", json={"query": "Total sales of abracadabra?"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == QUERY_RESULT_KEYS
    assert body["success"] is True
    assert body["error"] is None
    assert body["sql"] == ABRACADABRA_SQL
    assert body["result"]["columns"] == ["total_sales"]
    expected = read_only_rows(servers.database_path, ABRACADABRA_SQL)[0][0]
    assert body["result"]["rows"][0][0] == pytest.approx(expected)
    entities = body["resolved_entities"]["entities"]
    assert {"term": "abracadabra", "resolved_to": "Magic Wand Pro"}.items() <= entities[0].items()
    meta = body["metadata"]
    assert meta["request_id"]
    assert meta["attempts_count"] == 1
    assert meta["recovered"] is False
    assert [s["name"] for s in meta["servers"]] == ["Product Metadata MCP", "Database MCP"]
    assert [s["priority"] for s in meta["servers"]] == [1, 10]
    assert {"gather", "generate", "validate", "execute", "total"} <= set(meta["timings_ms"])


def test_recovers_from_a_bad_first_query_and_says_so(client: httpx.Client) -> None:
    body = client.post("/api/query", json={"query": "this needs recovery"}).json()
    assert body["success"] is True
    assert body["metadata"]["attempts_count"] == 2
    assert body["metadata"]["recovered"] is True
    assert "full_name" in body["metadata"]["attempts"][0]["error"]
    assert body["result"]["rows"] == [[18]]


def test_three_failed_attempts_fail_whole_with_every_error(client: httpx.Client) -> None:
    response = client.post("/api/query", json={"query": "a never answerable question"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == QUERY_RESULT_KEYS
    assert body["success"] is False
    assert body["result"] == {"columns": [], "rows": []}
    assert "3 attempts" in body["error"]
    errors = [a["error"] for a in body["metadata"]["attempts"]]
    assert len(errors) == 3
    assert all(errors)
    assert "nope" in errors[0]
    assert "nowhere" in errors[1]
    assert "missing_column" in errors[2]
    assert body["metadata"]["error"]["type"] == "QueryNotAnsweredError"


def test_a_write_from_the_llm_is_refused_and_the_database_is_unchanged(
    client: httpx.Client, servers: McpServers
) -> None:
    before = checksum(servers.database_path)
    response = client.post("/api/query", json={"query": "please drop the customers table"})
    assert response.status_code == 422
    assert "Refused" in response.json()["error"]
    assert checksum(servers.database_path) == before
    assert read_only_rows(servers.database_path, "SELECT COUNT(*) FROM customers")[0][0] > 0


def test_llm_server_errors_answer_503_naming_the_llm(client: httpx.Client) -> None:
    response = client.post("/api/query", json={"query": "the llm is broken"})
    assert response.status_code == 503
    body = response.json()
    assert body["success"] is False
    assert body["sql"] is None
    assert body["metadata"]["error"]["stage"] == "generating"
    assert "LLM" in body["error"] or "llm" in body["error"].lower()


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"query": ""}, "query"),
        ({"query": "   "}, "empty"),
        ({"query": "x" * 2001}, "2000"),
        ({}, "query"),
        ({"query": "ok", "extra": 1}, "extra"),
        ({"query": 42}, "query"),
    ],
)
def test_bad_input_answers_422_in_the_query_result_shape(
    client: httpx.Client, payload: dict[str, Any], needle: str
) -> None:
    response = client.post("/api/query", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert set(body) == QUERY_RESULT_KEYS
    assert body["success"] is False
    assert needle in body["error"]
    assert body["metadata"]["request_id"]


def test_malformed_json_is_a_clear_422(client: httpx.Client) -> None:
    response = client.post("/api/query", content=b'{"query": ', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"].startswith("Invalid request")


def test_oversized_body_is_refused_with_413(client: httpx.Client) -> None:
    response = client.post("/api/query", json={"query": "x" * 70_000})
    assert response.status_code == 413
    assert "too large" in response.json()["error"]


def test_no_llm_configured_answers_503_saying_what_to_set(start_api: ApiFactory, servers: McpServers) -> None:
    api = start_api(servers, None)
    response = httpx.post(f"{api.url}/api/query", json={"query": "anything"}, timeout=30)
    assert response.status_code == 503
    assert "T2T_LLM_MODEL" in response.json()["error"]
    listing = httpx.get(f"{api.url}/api/servers", timeout=30).json()
    assert listing["llm"] == {"configured": False, "model": None}


def test_a_question_past_the_request_deadline_answers_504(start_api: ApiFactory, servers: McpServers) -> None:
    slow = ScriptedLLMServer(ScriptedLLM()).start()
    try:
        slow.llm.set_script([{"match": "", "responses": [{"delay_ms": 5000, **answer("SELECT 1")}]}])
        api = start_api(servers, slow, request_timeout_seconds=1)
        response = httpx.post(f"{api.url}/api/query", json={"query": "slow one"}, timeout=30)
        assert response.status_code == 504
        body = response.json()
        assert "T2T_REQUEST_TIMEOUT" in body["error"]
        assert body["metadata"]["timings_ms"]["total"] >= 1000
        assert body["metadata"]["attempts_count"] == 0
    finally:
        slow.stop()


def test_an_oversized_chunked_body_without_content_length_is_refused_with_413(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "'
        for _ in range(20):
            yield b"x" * 5000
        yield b'"}'

    response = client.post("/api/query", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert "too large" in response.json()["error"]


def test_a_chunked_body_within_the_limit_is_answered(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "total sales '
        yield b'of abracadabra"}'

    response = client.post("/api/query", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 200
    assert response.json()["query"] == "total sales of abracadabra"
