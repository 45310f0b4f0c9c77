"""POST /api/query/stream: progress events in order, then exactly one result event."""

from __future__ import annotations

import json
from typing import Any

import httpx


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
    assert stages(events) == ["gathering", "generating", "validating", "executing", "done"]
    assert [name for name, _ in events].count("result") == 1
    name, result = events[-1]
    assert name == "result"
    assert result["success"] is True
    assert result["result"]["columns"] == ["total_sales"]
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
