"""Closed-loop load over real HTTP: N clients, each sending POST /api/query back to back, bounded in count and time."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.stats import percentile, summary

QUERY_RESULT_KEYS = frozenset(
    {"success", "query", "sql", "result", "error", "explanation", "resolved_entities", "metadata"}
)
STAGES = ("gather", "generate", "validate", "execute")
# After a failed request a client pauses briefly, as a real client would; without it, requests that fail in
# milliseconds (a server that is down) would flood the run with failures no user would send.
PAUSE_AFTER_FAILURE_SECONDS = 0.1


@dataclass
class Sample:
    """One request as the client saw it."""

    question: str
    started: float  # seconds since the run's clock started
    latency_ms: float
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    transport_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("success") is True

    @property
    def whole_result(self) -> bool:
        """A QueryResult body: success with rows, or a failure with no rows at all (never partial)."""
        if set(self.body) != QUERY_RESULT_KEYS:
            return False
        if self.body["success"]:
            return self.status == 200
        result = self.body.get("result") or {}
        return self.status != 200 and not result.get("rows") and not result.get("columns") and bool(self.body["error"])

    @property
    def meta(self) -> dict[str, Any]:
        value = self.body.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def llm_calls(self) -> int:
        count = self.meta.get("attempts_count")
        return count if isinstance(count, int) else 0

    def stage_ms(self, stage: str) -> float | None:
        value = (self.meta.get("timings_ms") or {}).get(stage)
        return float(value) if isinstance(value, int | float) else None


@dataclass
class LoadRun:
    """The samples of one load level and its wall time."""

    clients: int
    seconds: float
    samples: list[Sample]

    @property
    def errors(self) -> list[Sample]:
        return [s for s in self.samples if not s.ok]

    @property
    def throughput(self) -> float:
        return len(self.samples) / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        return len(self.errors) / len(self.samples) if self.samples else 0.0

    def latencies(self) -> list[float]:
        return [s.latency_ms for s in self.samples if s.ok]

    def overheads(self, delay_ms: float) -> list[float]:
        """End-to-end latency minus the LLM's fixed delay for each LLM call the request made."""
        return [s.latency_ms - delay_ms * max(1, s.llm_calls) for s in self.samples if s.ok]

    def stage_p95(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for stage in STAGES:
            timings = [t for s in self.samples if s.ok and (t := s.stage_ms(stage)) is not None]
            values[stage] = percentile(timings, 0.95)
        return values

    def report(self, delay_ms: float) -> dict[str, Any]:
        return {
            "clients": self.clients,
            "requests": len(self.samples),
            "errors": len(self.errors),
            "error_rate": self.error_rate,
            "seconds": round(self.seconds, 2),
            "throughput_rps": round(self.throughput, 2),
            "latency_ms": summary(self.latencies()),
            "overhead_ms": summary(self.overheads(delay_ms)),
            "stage_p95_ms": self.stage_p95(),
            "error_statuses": sorted({s.status for s in self.errors}),
        }


async def post(client: httpx.AsyncClient, question: str, clock: float) -> Sample:
    started = time.perf_counter()
    try:
        response = await client.post("/api/query", json={"query": question})
    except httpx.HTTPError as exc:
        ms = (time.perf_counter() - started) * 1000
        return Sample(question, started - clock, ms, 0, transport_error=f"{type(exc).__name__}: {exc}")
    ms = (time.perf_counter() - started) * 1000
    try:
        body = response.json()
    except ValueError:
        body = {}
    return Sample(question, started - clock, ms, response.status_code, body if isinstance(body, dict) else {})


async def closed_loop(
    api_url: str,
    questions: Sequence[str],
    *,
    clients: int,
    max_requests: int,
    max_seconds: float,
    request_timeout: float = 60.0,
    clock: float | None = None,
) -> LoadRun:
    """`clients` workers send questions round robin until `max_requests` were sent or `max_seconds` passed.

    Sample start times count from `clock` (a time.perf_counter() value; default: now).
    """
    cycle = itertools.cycle(questions)
    sent = itertools.count()
    samples: list[Sample] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    clock = time.perf_counter() if clock is None else clock
    deadline = time.perf_counter() + max_seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline and next(sent) < max_requests:
            sample = await post(client, next(cycle), clock)
            samples.append(sample)
            if not sample.ok:
                await asyncio.sleep(PAUSE_AFTER_FAILURE_SECONDS)

    async with httpx.AsyncClient(base_url=api_url, timeout=request_timeout, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    return LoadRun(clients, time.perf_counter() - clock, samples)


async def each_once(
    api_url: str, questions: Sequence[str], *, concurrency: int, request_timeout: float = 60.0
) -> list[Sample]:
    """Ask every question once, at most `concurrency` at a time; samples in the order of `questions`."""
    gate = asyncio.Semaphore(concurrency)
    clock = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def one(client: httpx.AsyncClient, question: str) -> Sample:
        async with gate:
            return await post(client, question, clock)

    async with httpx.AsyncClient(base_url=api_url, timeout=request_timeout, limits=limits) as client:
        return list(await asyncio.gather(*(one(client, q) for q in questions)))
