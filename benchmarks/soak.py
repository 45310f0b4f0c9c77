"""`make soak` = `python -m benchmarks.soak`: a bounded soak run; memory and open connections must stay flat.

Starts the real system (both MCP servers, the scripted LLM answering after a delay, the API) as child processes
on 127.0.0.1, keeps a moderate load on POST /api/query for --minutes (default 3), and every --interval seconds
samples each process's RSS, open file descriptors and open inet connections. Prints the series and the
least-squares slope of each after a warm-up; a process is flat (PASS) when its growth over the run stays within
a small bound. Exit code 1 when anything grew (or with --json, see "pass").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.load import LoadRun, closed_loop
from benchmarks.procs import ProcessSampler, Series
from benchmarks.report import machine
from benchmarks.stats import slope
from benchmarks.system import QUESTIONS, Stack, start_servers, track_servers
from talk2tables.logging import configure_logging
from talk2tables.sample_data.writer import write_sample_data

WARMUP_FRACTION = 0.2  # caches, pools and lazy imports fill during the first fifth of the run
RSS_GROWTH_MIB = 5.0  # allowed RSS growth over the run (after warm-up), or 5% of the process's RSS if larger
RSS_GROWTH_FRACTION = 0.05
COUNT_GROWTH = 5.0  # allowed growth of open descriptors or connections over the run


def judge(series: Series, warmup: float) -> dict[str, Any]:
    """Slopes per minute after the warm-up, projected growth over the measured span, and flat or not."""
    points = [p for p in series.points if p.at >= warmup] or series.points
    minutes = [p.at / 60 for p in points]
    span = (minutes[-1] - minutes[0]) if len(minutes) > 1 else 0.0
    result: dict[str, Any] = {"samples": len(points)}
    for key, allowed in (("rss_mib", None), ("fds", COUNT_GROWTH), ("connections", COUNT_GROWTH)):
        values = [float(getattr(p, key)) for p in points]
        per_minute = slope(minutes, values)
        growth = per_minute * span
        mean = sum(values) / len(values) if values else 0.0
        bound = allowed if allowed is not None else max(RSS_GROWTH_MIB, RSS_GROWTH_FRACTION * mean)
        result[key] = {
            "first": values[0] if values else 0,
            "last": values[-1] if values else 0,
            "min": min(values, default=0),
            "max": max(values, default=0),
            "slope_per_min": round(per_minute, 3),
            "growth": round(growth, 2),
            "allowed": round(bound, 2),
            "flat": growth <= bound,
        }
    result["flat"] = all(result[k]["flat"] for k in ("rss_mib", "fds", "connections"))
    return result


def run(minutes: float, clients: int, delay_ms: int, interval: float, work: Path) -> dict[str, Any]:
    seconds = minutes * 60
    write_sample_data(work / "sample")
    sampler = ProcessSampler(interval, detail=True).start()
    servers = start_servers(work, work / "sample")
    load: LoadRun | None = None
    try:
        track_servers(sampler, servers)
        stack = Stack(work, servers, delay_ms=delay_ms, label=f"{delay_ms} ms").start(sampler)
        try:
            print(f"[soak] {clients} clients for {minutes:g} min, sampling every {interval:g} s", file=sys.stderr)
            load = asyncio.run(
                closed_loop(stack.url, QUESTIONS, clients=clients, max_requests=10_000_000, max_seconds=seconds)
            )
        finally:
            sampler.stop()  # the series ends with the load, before anything shuts down
            stack.stop(sampler)
    finally:
        sampler.stop()
        servers.stop()
    assert load is not None
    warmup = WARMUP_FRACTION * seconds
    processes = {name: judge(series, warmup) for name, series in sampler.series.items() if series.points}
    return {
        "machine": machine(),
        "minutes": minutes,
        "clients": clients,
        "llm_delay_ms": delay_ms,
        "interval_s": interval,
        "requests": len(load.samples),
        "errors": len(load.errors),
        "throughput_rps": round(load.throughput, 2),
        "processes": processes,
        "series": {
            name: [[round(p.at, 1), round(p.rss_mib, 1), p.fds, p.connections] for p in series.points]
            for name, series in sampler.series.items()
        },
        "pass": all(p["flat"] for p in processes.values()) and not load.errors,
    }


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        f"Talk 2 Tables soak: {results['clients']} clients for {results['minutes']:g} min, LLM delay "
        f"{results['llm_delay_ms']} ms; {results['requests']} requests, {results['errors']} errors, "
        f"{results['throughput_rps']} req/s",
        f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['ram_gib']} GiB RAM, Python {m['python']}, "
        f"load average {m['load_average'][0]} at start",
        f"series every {results['interval_s']:g} s (first {WARMUP_FRACTION:.0%} is warm-up, not judged):",
    ]
    for name, points in results["series"].items():
        lines.append(f"  {name}")
        lines.append("    RSS MiB:     " + " ".join(f"{p[1]:.0f}" for p in points))
        lines.append("    fds:         " + " ".join(str(p[2]) for p in points))
        lines.append("    connections: " + " ".join(str(p[3]) for p in points))
    lines += ["", "slope after warm-up (per minute), growth over the judged span, allowed growth:"]
    for name, judged in results["processes"].items():
        parts = []
        for key, unit in (("rss_mib", " MiB"), ("fds", ""), ("connections", "")):
            j = judged[key]
            parts.append(f"{key} {j['slope_per_min']:+.2f}/min ({j['growth']:+.1f}{unit}, allowed {j['allowed']:g})")
        lines.append(f"  {'PASS' if judged['flat'] else 'FAIL'}  {name}: " + "; ".join(parts))
    lines.append(f"\n{'PASS' if results['pass'] else 'FAIL'}: memory and connections flat, no request failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="How long to keep the load on (default 3).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients (default 8).")
    parser.add_argument("--delay-ms", type=int, default=200, help="The scripted LLM's delay (default 200 ms).")
    parser.add_argument("--interval", type=float, default=5.0, help="Seconds between samples (default 5).")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON.")
    args = parser.parse_args(argv)
    if not 0 < args.minutes <= 60:
        parser.error("--minutes must be between 0 and 60")
    configure_logging("WARNING")
    work = Path(tempfile.mkdtemp(prefix="t2t-soak-"))
    try:
        results = run(args.minutes, args.clients, args.delay_ms, args.interval, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results, indent=2) if args.json else render(results))
    return 0 if results["pass"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
