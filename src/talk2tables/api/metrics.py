"""Prometheus metrics for the plan's monitoring points, in a registry owned by each app instance."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

from talk2tables.api.errors import status_for
from talk2tables.models import QueryResult
from talk2tables.workflow.pipeline import STAGES

_MCP_FAILURES = {"MCPConnectionError", "MCPTimeoutError", "ResourceFetchError"}
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120)


class Metrics:
    """Counters and histograms; `observe(result)` records one answered or failed question.

    `shared_dir`: the directory where every API worker process writes its metrics (Prometheus' multiprocess
    mode, see `talk2tables.api.workers`); `exposition()` then adds up all of them."""

    def __init__(self, shared_dir: str | None = None) -> None:
        self.shared_dir = shared_dir
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "t2t_requests", "HTTP requests by endpoint and status.", ["endpoint", "status"], registry=r
        )
        self.request_seconds = Histogram(
            "t2t_request_duration_seconds",
            "Question latency end to end.",
            ["endpoint"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.stage_seconds = Histogram(
            "t2t_stage_duration_seconds",
            "Latency of each pipeline stage.",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.mcp_connections = Counter(
            "t2t_mcp_connections",
            "MCP server sessions used per request, by registry key and outcome.",
            ["server", "outcome"],
            registry=r,
        )
        self.resource_fetch_seconds = Histogram(
            "t2t_resource_fetch_seconds",
            "Time to list and read every resource of one server.",
            ["server"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.llm_seconds = Histogram(
            "t2t_llm_duration_seconds",
            "Time spent waiting for the LLM per request.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.sql_executions = Counter(
            "t2t_sql_executions", "SQL executions through the Database MCP by outcome.", ["outcome"], registry=r
        )
        self.operations = Counter(
            "t2t_operations", "Complete operations (all or nothing) by outcome.", ["outcome"], registry=r
        )
        self.recoveries = Counter(
            "t2t_recoveries",
            "Requests whose first SQL failed, by whether recovery succeeded.",
            ["outcome"],
            registry=r,
        )

    def exposition(self) -> bytes:
        """Prometheus' text format: this process's metrics, or every worker's when the API runs several."""
        if self.shared_dir is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=self.shared_dir)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def observe(self, result: QueryResult, *, endpoint: str, seconds: float) -> None:
        meta = result.metadata
        self.requests.labels(endpoint, str(status_for(result))).inc()
        self.request_seconds.labels(endpoint).observe(seconds)
        self.operations.labels("success" if result.success else "failure").inc()
        timings: dict[str, Any] = meta.get("timings_ms") or {}
        for stage in STAGES:
            if isinstance(timings.get(stage), int | float):
                self.stage_seconds.labels(stage).observe(timings[stage] / 1000)
        if isinstance(timings.get("generate"), int | float):
            self.llm_seconds.observe(timings["generate"] / 1000)
        self._observe_servers(meta)
        self._observe_attempts(result)

    def _observe_servers(self, meta: dict[str, Any]) -> None:
        error = meta.get("error") or {}
        failed = error.get("server") if error.get("type") in _MCP_FAILURES else None
        if failed:
            self.mcp_connections.labels(failed, "failure").inc()
        for server in meta.get("servers") or []:  # labelled by registry key, as errors name servers
            key = server.get("key") if isinstance(server, dict) else None
            if key and key != failed:
                self.mcp_connections.labels(key, "success").inc()
        for name, ms in (meta.get("server_timings_ms") or {}).items():
            if isinstance(ms, int | float):
                self.resource_fetch_seconds.labels(name).observe(ms / 1000)

    def _observe_attempts(self, result: QueryResult) -> None:
        attempts = [a for a in result.metadata.get("attempts") or [] if isinstance(a, dict)]
        for attempt in attempts:
            if attempt.get("stage") == "executing":  # the SQL reached the database (valid SQL only)
                self.sql_executions.labels("failure" if attempt.get("error") else "success").inc()
        if attempts and attempts[0].get("error"):  # the first SQL failed: did a later attempt recover?
            self.recoveries.labels("recovered" if result.success else "failed").inc()
