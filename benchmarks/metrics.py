"""Reads the API's Prometheus counters (GET /metrics) the benchmarks report on."""

from __future__ import annotations

from collections import defaultdict

import httpx
from prometheus_client.parser import text_string_to_metric_families

Counts = dict[str, dict[str, float]]  # counter name -> "label=value,..." -> value


def scrape(api_url: str) -> Counts:
    """Every `*_total` sample of the API's counters, keyed by its labels."""
    text = httpx.get(f"{api_url}/metrics", timeout=30).text
    counts: Counts = defaultdict(dict)
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.endswith("_total"):
                key = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
                counts[sample.name][key] = sample.value
    return dict(counts)


def delta(after: Counts, before: Counts) -> Counts:
    """Counter increases between two scrapes."""
    return {
        name: {key: value - before.get(name, {}).get(key, 0.0) for key, value in samples.items()}
        for name, samples in after.items()
    }


def connection_outcomes(counts: Counts) -> tuple[float, float]:
    """(successful, total) MCP server sessions used per request, from t2t_mcp_connections_total."""
    samples = counts.get("t2t_mcp_connections_total", {})
    good = sum(v for k, v in samples.items() if "outcome=success" in k)
    return good, sum(samples.values())


def recovery_outcomes(counts: Counts) -> tuple[float, float]:
    """(recovered, first SQL failed) from t2t_recoveries_total."""
    samples = counts.get("t2t_recoveries_total", {})
    good = sum(v for k, v in samples.items() if "outcome=recovered" in k)
    return good, sum(samples.values())
