"""POST /api/query/stream: progress events in order, the rows before their explanation, then exactly one result
event; and a client that goes away (from the stream or from POST /api/query) stops its question's LLM work."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.support.scripted_llm import ScriptedLLMServer, answer
from tests.support.scripts import PRODUCT_COUNT_SQL, standard_rules
from tests.support.system import InProcessApi


def stream_events(client: httpx.Client, question: str) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = []
    name = "message"
    with client.stream("POST", "/api/query/stream", json={"query": question}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line.split(":", 1)[1])))
                name = "message"
    return events


def stages(events: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [data["stage"] for name, data in events if name == "progress"]


def test_streams_each_stage_in_order_then_the_result(client: httpx.Client) -> None:
    events = stream_events(client, "total sales of abracadabra")
    assert stages(events) == ["gathering", "generating", "validating", "executing", "explaining", "done"]
    assert [name for name, _ in events].count("result") == 1
    name, result = events[-1]
    assert name == "result"
    assert result["success"] is True
    assert result["result"]["columns"] == ["total_sales"]
    assert result["explanation"] == "Adds up the sales of Magic Wand Pro."
    # The SQL and rows come as soon as the query has run, before the LLM is asked to explain them.
    names = [n if n != "progress" else data["stage"] for n, data in events]
    assert names.index("executing") < names.index("rows") < names.index("explaining")
    rows = next(data for n, data in events if n == "rows")
    assert (rows["sql"], rows["result"]) == (result["sql"], result["result"])
    assert rows["metadata"]["server_name"] == "Database MCP"
    assert "explanation" not in rows
    elapsed = [data["elapsed_ms"] for name, data in events if name == "progress"]
    assert elapsed == sorted(elapsed)


def test_a_retry_is_announced_with_its_attempt_number(client: httpx.Client) -> None:
    events = stream_events(client, "this needs recovery")
    progress = [data for name, data in events if name == "progress"]
    retry = next(p for p in progress if p["stage"] == "retrying")
    assert (retry["attempt"], retry["max_attempts"]) == (2, 3)
    assert stages(events).index("retrying") > stages(events).index("validating")
    assert stages(events)[-1] == "done"
    assert events[-1][1]["metadata"]["recovered"] is True


def test_a_failure_ends_with_failed_and_a_failed_result(client: httpx.Client) -> None:
    events = stream_events(client, "a never answerable question")
    assert stages(events).count("retrying") == 2
    assert stages(events)[-1] == "failed"
    name, result = events[-1]
    assert name == "result"
    assert result["success"] is False
    assert len(result["metadata"]["attempts"]) == 3


def test_bad_input_is_refused_before_the_stream_starts(client: httpx.Client) -> None:
    response = client.post("/api/query/stream", json={"query": "  "})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["success"] is False


SLOW = {"match": "slow walk", "responses": [{"delay_ms": 30_000, **answer(PRODUCT_COUNT_SQL)}]}


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def slow_llm(llm: ScriptedLLMServer) -> Iterator[ScriptedLLMServer]:
    llm.llm.set_script([SLOW, *standard_rules()])
    yield llm
    llm.llm.set_script(standard_rules())


def test_a_client_that_gives_up_on_api_query_stops_its_llm_work_and_the_next_question_does_not_wait(
    slow_llm: ScriptedLLMServer, api: InProcessApi
) -> None:
    with pytest.raises(httpx.ReadTimeout), httpx.Client(base_url=api.url, timeout=1.0) as impatient:
        impatient.post("/api/query", json={"query": "a slow walk through the data"})
    # The product closed its LLM request: the LLM saw the caller go, long before its 30 s answer.
    assert wait_for(lambda: len(slow_llm.llm.abandoned) == 1, 5), slow_llm.llm.abandoned
    assert "slow walk" in slow_llm.llm.abandoned[0]
    with httpx.Client(base_url=api.url, timeout=10) as client:
        started = time.monotonic()
        assert client.post("/api/query", json={"query": "total sales of abracadabra"}).json()["success"] is True
        assert time.monotonic() - started < 10


def test_a_stream_closed_mid_question_stops_its_llm_work(slow_llm: ScriptedLLMServer, api: InProcessApi) -> None:
    with (
        httpx.Client(base_url=api.url, timeout=10) as client,
        client.stream("POST", "/api/query/stream", json={"query": "another slow walk"}) as response,
    ):
        for line in response.iter_lines():
            if '"stage":"generating"' in line.replace(" ", ""):
                assert wait_for(lambda: len(slow_llm.llm.requests) == 1, 5)
                break  # the LLM is working on it: close the stream now
    assert wait_for(lambda: len(slow_llm.llm.abandoned) == 1, 5), slow_llm.llm.abandoned
    assert "another slow walk" in slow_llm.llm.abandoned[0]
