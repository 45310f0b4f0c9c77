"""The measured scenarios: load levels, recovery, and an MCP server restarted mid-load. Each returns plain data."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from tests.support.system import McpServers

from benchmarks.load import LoadRun, Sample, closed_loop, each_once
from benchmarks.metrics import connection_outcomes, delta, recovery_outcomes, scrape
from benchmarks.procs import ProcessSampler
from benchmarks.stats import rate
from benchmarks.system import QUESTIONS, Stack, recovery_questions, track_servers

# A request counts as "after the restart" when it starts this long after the server listens again: the
# orchestrator reopens its session on the next request, so no longer grace should be needed.
RESTART_GRACE_SECONDS = 1.0
CLEAN_FAILURE_STATUSES = frozenset({502, 504})


def run_level(
    stack: Stack, sampler: ProcessSampler, *, clients: int, max_requests: int, max_seconds: float
) -> dict[str, Any]:
    """One load level: latency, overhead, stages, throughput, errors, and CPU per request of each process."""
    cpu_before = sampler.cpu_seconds()
    run = asyncio.run(
        closed_loop(stack.url, QUESTIONS, clients=clients, max_requests=max_requests, max_seconds=max_seconds)
    )
    cpu_after = sampler.cpu_seconds()
    report = run.report(stack.delay_ms)
    count = max(1, len(run.samples))
    report["cpu_ms_per_request"] = {
        name: round((cpu_after[name] - cpu_before[name]) * 1000 / count, 1) for name in cpu_after if name in cpu_before
    }
    report["error_examples"] = _examples(run.errors)
    return report


def _examples(samples: list[Sample], limit: int = 3) -> list[str]:
    seen: dict[str, None] = {}
    for sample in samples:
        text = sample.transport_error or f"HTTP {sample.status}: {str(sample.body.get('error'))[:160]}"
        seen.setdefault(text, None)
        if len(seen) >= limit:
            break
    return list(seen)


def run_recovery(stack: Stack, *, repeat: int) -> dict[str, Any]:
    """Questions whose first SQL is wrong: how many recover, and do the hopeless ones fail whole (422)?"""
    pairs = recovery_questions(repeat)
    before = scrape(stack.url)
    samples = asyncio.run(each_once(stack.url, [q for q, _ in pairs], concurrency=4))
    counts = delta(scrape(stack.url), before)
    first_failed = [s for s in samples if (s.meta.get("attempts") or [{}])[0].get("error")]
    recovered = [s for s in first_failed if s.ok and s.meta.get("recovered") is True]
    expected = [s for s, (_, recovers) in zip(samples, pairs, strict=True) if recovers]
    hopeless = [s for s, (_, recovers) in zip(samples, pairs, strict=True) if not recovers]
    good, total = recovery_outcomes(counts)
    return {
        "questions": len(samples),
        "first_sql_failed": len(first_failed),
        "recovered": len(recovered),
        "rate": rate(len(recovered), len(first_failed)),
        "recoverable_recovered": sum(1 for s in expected if s.ok),
        "recoverable": len(expected),
        "hopeless_failed_whole_422": sum(1 for s in hopeless if s.status == 422 and s.whole_result),
        "hopeless": len(hopeless),
        "metrics_recovered": good,
        "metrics_first_failed": total,
        "attempts_mean": round(sum(s.llm_calls for s in samples) / max(1, len(samples)), 2),
    }


async def _restart_during_load(
    stack: Stack, servers: McpServers, sampler: ProcessSampler, *, clients: int, seconds: float, restart_at: float
) -> tuple[LoadRun, float, float]:
    clock = time.perf_counter()
    load = asyncio.create_task(
        closed_loop(stack.url, QUESTIONS, clients=clients, max_requests=100_000, max_seconds=seconds, clock=clock)
    )
    await asyncio.sleep(restart_at)
    down_at = time.perf_counter() - clock
    await asyncio.to_thread(servers.db.stop)  # SIGTERM: what a deploy or `systemctl restart` does
    await asyncio.to_thread(servers.db.start)
    up_at = time.perf_counter() - clock
    track_servers(sampler, servers)
    return await load, down_at, up_at


def run_restart(
    stack: Stack, servers: McpServers, sampler: ProcessSampler, *, clients: int, seconds: float, restart_at: float
) -> dict[str, Any]:
    """Restart the Database MCP mid-load: failures must be clean and whole, later requests must succeed."""
    before = scrape(stack.url)
    run, down_at, up_at = asyncio.run(
        _restart_during_load(stack, servers, sampler, clients=clients, seconds=seconds, restart_at=restart_at)
    )
    counts = delta(scrape(stack.url), before)
    good, total = connection_outcomes(counts)
    after = [s for s in run.samples if s.started >= up_at + RESTART_GRACE_SECONDS]
    # Clear of the downtime: ended before the stop, or started once the server listened again (plus grace).
    clear = [
        s
        for s in run.samples
        if s.started + s.latency_ms / 1000 < down_at or s.started >= up_at + RESTART_GRACE_SECONDS
    ]
    failures = run.errors
    unclean = [s for s in failures if s.status not in CLEAN_FAILURE_STATUSES or not s.whole_result]
    partial = [s for s in run.samples if not s.whole_result]
    return {
        "clients": clients,
        "seconds": round(run.seconds, 1),
        "down_at_s": round(down_at, 2),
        "up_at_s": round(up_at, 2),
        "requests": len(run.samples),
        "failed": len(failures),
        "failure_statuses": sorted({s.status for s in failures}),
        "unclean_failures": len(unclean),
        "not_whole": len(partial),
        "server_errors_500": sum(1 for s in run.samples if s.status >= 500 and s.status not in CLEAN_FAILURE_STATUSES),
        "after_restart": len(after),
        "after_restart_ok": sum(1 for s in after if s.ok),
        "connections_ok": good,
        "connections": total,
        "connection_success": rate(good, total),
        "clear_of_downtime": len(clear),
        "clear_of_downtime_ok": sum(1 for s in clear if s.ok),
        "clear_success": rate(sum(1 for s in clear if s.ok), len(clear)),
        "failure_examples": _examples(failures),
    }


def connection_success(stack: Stack, before: dict[str, dict[str, float]]) -> tuple[float, float]:
    return connection_outcomes(delta(scrape(stack.url), before))
