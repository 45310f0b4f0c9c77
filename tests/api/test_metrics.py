"""GET /metrics: the plan's monitoring points move when questions are answered."""

from __future__ import annotations

import re

import httpx


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample; 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{([^}}]*)\}})? ([0-9.e+-]+)$", re.M)
    for found_labels, value in pattern.findall(text):
        if all(part in found_labels.split(",") for part in wanted.split(",") if part):
            return float(value)
    return 0.0


def test_counts_operations_stages_recoveries_and_connections(client: httpx.Client) -> None:
    before = client.get("/metrics")
    assert before.status_code == 200
    assert before.headers["content-type"].startswith("text/plain")
    b = before.text
    assert client.post("/api/query", json={"query": "total sales of abracadabra"}).status_code == 200
    assert client.post("/api/query", json={"query": "this needs recovery"}).status_code == 200
    assert client.post("/api/query", json={"query": "a never answerable question"}).status_code == 422
    a = client.get("/metrics").text

    def delta(name: str, **labels: str) -> float:
        return sample(a, name, **labels) - sample(b, name, **labels)

    assert delta("t2t_operations_total", outcome="success") == 2
    assert delta("t2t_operations_total", outcome="failure") == 1
    assert delta("t2t_requests_total", endpoint="query", status="422") == 1
    assert delta("t2t_recoveries_total", outcome="recovered") == 1
    assert delta("t2t_recoveries_total", outcome="failed") == 1
    assert delta("t2t_sql_executions_total", outcome="success") == 2
    assert delta("t2t_stage_duration_seconds_count", stage="gather") == 3
    assert delta("t2t_llm_duration_seconds_count") == 3
    assert delta("t2t_mcp_connections_total", server="database", outcome="success") == 3
    assert delta("t2t_resource_fetch_seconds_count", server="database") >= 3
