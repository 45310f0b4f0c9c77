"""`make bench` = `python -m benchmarks`: the plan's success metrics against the real system, in one run.

Starts both MCP servers, the scripted OpenAI-compatible LLM and the API as child processes on 127.0.0.1, then
for each LLM delay (default 0 and 800 ms) measures latency, own overhead, stages, throughput and errors at 1, 10
and 50 concurrent clients; the recovery rate; a run with the Database MCP restarted mid-load; peak RSS of
every process. The API runs one worker process per CPU core (at most 4; --api-workers). Prints a report with
each target's PASS/FAIL (or JSON with --json). Every phase is bounded in requests and seconds; a full run
takes about 4-5 minutes, --quick about one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.metrics import connection_outcomes, delta, scrape
from benchmarks.procs import ProcessSampler
from benchmarks.report import cpu_probe, machine, render, targets
from benchmarks.scenarios import run_level, run_recovery, run_restart
from benchmarks.stats import rate
from benchmarks.system import Stack, start_servers, track_servers
from talk2tables.logging import configure_logging
from talk2tables.sample_data.writer import write_sample_data

MIN_SINGLE_CLIENT_REQUESTS = 40
# One API worker per core (docs/api.md): each question also needs the two single-process MCP servers, so
# workers beyond a few add memory, not answers.
DEFAULT_API_WORKERS = max(1, min(len(os.sched_getaffinity(0)), 4))  # the cores this process may use


@dataclass(frozen=True)
class Plan:
    quick: bool
    clients: tuple[int, ...]
    seconds_per_level: float
    max_requests_per_level: int
    recovery_repeat: int
    restart_seconds: float
    restart_at: float
    restart_clients: int = 10
    api_workers: int = DEFAULT_API_WORKERS

    def seconds_for(self, clients: int, delay_ms: int) -> float:
        """A level's time limit. One client with a slow LLM gets time for about MIN_SINGLE_CLIENT_REQUESTS
        requests (fewer on a busy machine), so its p95 is not simply its slowest request."""
        if clients > 1 or self.quick:
            return self.seconds_per_level
        return max(self.seconds_per_level, MIN_SINGLE_CLIENT_REQUESTS * (delay_ms / 1000 + 0.1))

    @classmethod
    def make(cls, quick: bool, api_workers: int = DEFAULT_API_WORKERS) -> Plan:
        if quick:
            return cls(True, (1, 10, 50), 4.0, 150, 1, 12.0, 3.0, api_workers=api_workers)
        return cls(False, (1, 10, 50), 15.0, 1500, 3, 25.0, 6.0, api_workers=api_workers)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run_delay(
    work: Path, servers: Any, sampler: ProcessSampler, plan: Plan, delay: int, *, recovery: bool, restart: bool
) -> tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]:
    stack = Stack(work, servers, delay_ms=delay, label=f"{delay} ms", api_workers=plan.api_workers).start(sampler)
    try:
        before = scrape(stack.url)
        levels = []
        for clients in plan.clients:
            seconds = plan.seconds_for(clients, delay)
            _progress(f"LLM delay {delay} ms: {clients} client(s) for up to {seconds:g} s")
            levels.append(
                run_level(
                    stack, sampler, clients=clients, max_requests=plan.max_requests_per_level, max_seconds=seconds
                )
            )
        good, total = connection_outcomes(delta(scrape(stack.url), before))
        run = {"delay_ms": delay, "levels": levels, "connections_ok": good, "connections": total,
               "connection_success": rate(good, total)}  # fmt: skip
        recovered = None
        if recovery:
            _progress(f"LLM delay {delay} ms: recovery questions")
            recovered = run_recovery(stack, repeat=plan.recovery_repeat)
        restarted = None
        if restart:
            _progress(f"LLM delay {delay} ms: restarting the Database MCP mid-load")
            restarted = run_restart(
                stack,
                servers,
                sampler,
                clients=plan.restart_clients,
                seconds=plan.restart_seconds,
                restart_at=plan.restart_at,
            )
        return run, recovered, restarted
    finally:
        stack.stop(sampler)


def run(plan: Plan, delays: list[int], work: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"machine": machine(), "plan": plan.__dict__ | {"delays_ms": delays}, "runs": []}
    _progress("writing the sample data and starting the MCP servers")
    write_sample_data(work / "sample")
    sampler = ProcessSampler().start()
    sampler.track("benchmark driver (load generator)", os.getpid())
    servers = start_servers(work, work / "sample")
    try:
        track_servers(sampler, servers)
        for index, delay in enumerate(delays):
            run_result, recovered, restarted = run_delay(
                work, servers, sampler, plan, delay, recovery=index == 0, restart=index == len(delays) - 1
            )
            results["runs"].append(run_result)
            results["recovery"] = recovered or results.get("recovery")
            results["restart"] = restarted or results.get("restart")
    finally:
        servers.stop()
        sampler.stop()
    results["peak_rss_mib"] = {name: round(mib, 1) for name, mib in sampler.peaks().items()}
    results["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    results["cpu_probe_ms_end"] = cpu_probe()
    results["targets"] = targets(results)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Fewer requests and shorter phases (a smoke test).")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON instead of the report.")
    parser.add_argument("--delays", default="0,800", help="LLM delays in ms, comma-separated (default 0,800).")
    parser.add_argument("--keep", action="store_true", help="Keep the work directory (process logs) and print it.")
    parser.add_argument("--strict", action="store_true", help="Exit 1 when any target fails.")
    parser.add_argument(
        "--api-workers",
        type=int,
        default=DEFAULT_API_WORKERS,
        help="API worker processes (T2T_API_WORKERS). Default: one per CPU core, at most 4 "
        f"({DEFAULT_API_WORKERS} here), as docs/api.md recommends; 1 measures a single process.",
    )
    args = parser.parse_args(argv)
    configure_logging("WARNING")  # the benchmark's own progress goes to stderr; the processes log to files
    delays = sorted({int(d) for d in args.delays.split(",") if d.strip()})
    if args.api_workers < 1:
        parser.error("--api-workers must be at least 1")
    plan = Plan.make(args.quick, args.api_workers)
    work = Path(tempfile.mkdtemp(prefix="t2t-bench-"))
    try:
        results = run(plan, delays, work)
    finally:
        if args.keep:
            _progress(f"process logs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2, default=str) if args.json else render(results))
    failed = [t for t in results["targets"] if not t["pass"]]
    return 1 if args.strict and failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
