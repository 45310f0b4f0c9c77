"""One full gather (list + read every resource of every MCP server) on loopback: median and p95,
with shared sessions and with a new connection per request, in one run.

    python -m benchmarks.gather [--iterations 100] [--warmup 5]

Starts the real Database MCPs (shop and support desk) and Product Metadata MCP itself (sample data in a
temporary folder), using the repository's mcp_config.yaml with the URLs overridden to free ports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from tests.support.processes import ServerProcess, free_port

from talk2tables.logging import configure_logging
from talk2tables.orchestrator import Orchestrator, Registry, load_registry
from talk2tables.sample_data.writer import write_sample_data

REPO_ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def servers(data: Path) -> Iterator[dict[str, str]]:
    """The real servers as child processes; yields the T2T_MCP_<KEY>_URL overrides pointing at them."""
    env = {"LOG_LEVEL": "WARNING", "T2T_MCP_TOKEN": ""}
    db_port, support_port, metadata_port = free_port(), free_port(), free_port()
    db = ServerProcess(
        ["db-server", "--database-url", str(data / "multi_mcp_test.db"),
         "--description", str(data / "database_description.md"), "--port", str(db_port)],
        db_port, env=env,
    )  # fmt: skip
    support = ServerProcess(
        ["db-server", "--database-url", str(data / "support.db"),
         "--description", str(data / "support_description.md"), "--port", str(support_port)],
        support_port, env=env,
    )  # fmt: skip
    metadata = ServerProcess(
        ["metadata-server", "--metadata", str(data / "product_metadata.json"), "--port", str(metadata_port)],
        metadata_port, env=env,
    )  # fmt: skip
    try:
        db.start(timeout=60)
        support.start(timeout=60)
        metadata.start(timeout=60)
        yield {
            "T2T_MCP_DATABASE_URL": db.sse_url,
            "T2T_MCP_SUPPORT_URL": support.sse_url,
            "T2T_MCP_PRODUCT_METADATA_URL": metadata.sse_url,
        }
    finally:
        metadata.stop()
        support.stop()
        db.stop()


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


async def measure(iterations: int, warmup: int, once: Callable[[], Awaitable[None]]) -> list[float]:
    for _ in range(warmup):
        await once()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        await once()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def run(registry: Registry, iterations: int, warmup: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    async with Orchestrator(registry) as shared:
        resources = await shared.gather_all_resources()
        count = sum(len(s.resources) for s in resources.servers)
        print(f"one gather = {len(resources.servers)} servers, {count} resources (one resource list and one read each)")

        async def gather_shared() -> None:
            await shared.gather_all_resources()

        results["shared sessions"] = await measure(iterations, warmup, gather_shared)

    async def gather_fresh() -> None:
        # What a client without connection reuse pays: connect + handshake, gather, close, per request.
        async with Orchestrator(registry) as fresh:
            await fresh.gather_all_resources()

    results["new connection per request"] = await measure(iterations, warmup, gather_fresh)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=100, help="Measured gathers per mode.")
    parser.add_argument("--warmup", type=int, default=5, help="Unmeasured gathers per mode first.")
    parser.add_argument("--log-level", default="WARNING", help="Client log level (INFO adds ~8 JSON lines a gather).")
    args = parser.parse_args()
    configure_logging(args.log_level)

    with tempfile.TemporaryDirectory(prefix="t2t-bench-") as tmp:
        data = Path(tmp)
        write_sample_data(data)
        with servers(data) as urls:
            registry = load_registry(REPO_ROOT / "mcp_config.yaml", urls)
            results = asyncio.run(run(registry, args.iterations, args.warmup))

    print(f"\nfull gather, every server, loopback, {args.iterations} iterations ({os.cpu_count()} CPUs):")
    print(f"{'mode':<28} {'median ms':>10} {'p95 ms':>10} {'min ms':>10}")
    for mode, samples in results.items():
        print(
            f"{mode:<28} {statistics.median(samples):>10.1f} {percentile(samples, 0.95):>10.1f} {min(samples):>10.1f}"
        )
    shared, fresh = (statistics.median(s) for s in results.values())
    print(f"\nshared sessions save {fresh - shared:.1f} ms per request at the median ({fresh / shared:.1f}x)")


if __name__ == "__main__":
    main()
