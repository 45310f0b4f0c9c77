"""The real system as child processes on loopback, for the benchmarks and the soak run.

Both MCP servers (tests.support.system.McpServers, the sample data copied), the scripted OpenAI-compatible
LLM (`python -m tests.support.scripted_llm`, answering after a fixed delay) and the API
(`talk2tables api --config REG --port P`). Every process logs to a file in the work directory.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from tests.support.processes import ServerProcess, free_port
from tests.support.scripted_llm import answer
from tests.support.scripts import PRODUCT_COUNT_SQL, standard_rules
from tests.support.system import McpServers, llm_env_at

from benchmarks.procs import ProcessSampler

SCRIPTED_LLM = [sys.executable, "-m", "tests.support.scripted_llm"]

# The standard questions a benchmark client cycles through (each answered by one LLM call).
QUESTIONS = (
    "What were the total sales of abracadabra?",
    "Show sales by category",
    "Monthly sales for 2025",
    "Who are the top 5 customers?",
    "How many products do we have?",
)

# Recovery: questions whose first SQL is wrong. Most recover on a later attempt; some never do, so the
# rate is an honest measurement of the mechanism, not 100% by construction.
_RECOVERING = {
    "recover bad column": [answer("SELECT full_name FROM customers"), answer(PRODUCT_COUNT_SQL)],
    "recover bad table": [answer("SELECT COUNT(*) FROM product"), answer(PRODUCT_COUNT_SQL)],
    "recover database error": [
        answer("SELECT product_name FROM products ORDER BY 9"),  # passes the schema check; SQLite refuses it
        answer(PRODUCT_COUNT_SQL),
    ],
    "recover not json": [{"raw": "Sure! The SQL is SELECT COUNT(*) FROM products"}, answer(PRODUCT_COUNT_SQL)],
    "recover write refused": [answer("DELETE FROM sales"), answer(PRODUCT_COUNT_SQL)],
    "recover on the third try": [
        answer("SELECT nope FROM products"),
        answer("SELECT product_name FROM sale"),
        answer(PRODUCT_COUNT_SQL),
    ],
}
_NEVER = {
    "never bad columns": [answer("SELECT nope FROM products"), answer("SELECT nothing FROM nowhere")],
    "never writes": [answer("DROP TABLE sales"), answer("UPDATE products SET price = 0")],
}


def recovery_questions(repeat: int) -> list[tuple[str, bool]]:
    """(question, expected to recover) pairs; each scripted question repeated `repeat` times."""
    pairs = [(q, True) for q in _RECOVERING] + [(q, False) for q in _NEVER]
    return [(f"{question} #{n}", recovers) for n in range(repeat) for question, recovers in pairs]


def script(delay_ms: int) -> dict[str, Any]:
    """The scripted LLM's script: the recovery questions first, then the standard answers (catch-all last)."""
    rules = [{"match": q, "responses": r} for q, r in {**_RECOVERING, **_NEVER}.items()]
    return {"rules": rules + standard_rules(), "delay_ms": delay_ms}


class Stack:
    """One scripted LLM (fixed delay) and one API process in front of shared MCP servers."""

    def __init__(self, workdir: Path, servers: McpServers, *, delay_ms: int, label: str, api_workers: int = 1) -> None:
        self.label = label
        self.delay_ms = delay_ms
        self.api_workers = api_workers
        script_path = workdir / f"llm-script-{label}.json"
        script_path.write_text(json.dumps(script(delay_ms)))
        llm_port, api_port = free_port(), free_port()
        self.llm = ServerProcess(
            ["--port", str(llm_port), "--script", str(script_path), "--delay-ms", str(delay_ms), "--no-record"],
            llm_port,
            command=SCRIPTED_LLM,
            log=workdir / f"llm-{label}.log",
        )
        env = {
            **llm_env_at(f"http://127.0.0.1:{llm_port}/v1"),
            "T2T_API_TOKEN": "",
            "T2T_MCP_TOKEN": "",
            "ENABLE_MULTI_MCP": "true",
            "LOG_LEVEL": os.environ.get("T2T_BENCH_LOG_LEVEL", "INFO"),
            "T2T_API_WORKERS": str(api_workers),
        }
        self.api = ServerProcess(
            ["api", "--config", str(servers.registry), "--port", str(api_port)],
            api_port,
            env=env,
            log=workdir / f"api-{label}.log",
        )

    @property
    def url(self) -> str:
        return self.api.url

    def start(self, sampler: ProcessSampler) -> Stack:
        self.llm.start()
        self.api.start(timeout=60)
        wait_ready(self.url, workers=self.api_workers)
        for name, server in ((f"scripted LLM ({self.label})", self.llm), (f"API ({self.label})", self.api)):
            assert server.process is not None
            sampler.track(name, server.process.pid, with_children=server is self.api)  # its workers, if any
        return self

    def stop(self, sampler: ProcessSampler) -> None:
        sampler.sample_now()
        for name in (f"scripted LLM ({self.label})", f"API ({self.label})"):
            sampler.forget(name)
        self.api.stop()
        self.llm.stop()


def wait_ready(api_url: str, timeout: float = 60, *, workers: int = 1) -> None:
    """Until the API answers a question (its MCP sessions are open and the LLM answers), then each standard
    question once more: a warm-up, so first-call costs (imports, caches) are not measured as latency. With
    several API workers, from two clients per worker at once, so that every worker gets its share."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            response = httpx.post(f"{api_url}/api/query", json={"query": QUESTIONS[-1]}, timeout=30)
            if response.status_code == 200:
                break
            last = f"HTTP {response.status_code}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = str(exc)
        time.sleep(0.2)
    else:
        raise RuntimeError(f"the API at {api_url} did not answer within {timeout:g}s ({last})")

    def warm_up(_: int) -> None:
        for question in QUESTIONS:
            warm = httpx.post(f"{api_url}/api/query", json={"query": question}, timeout=30)
            if warm.status_code != 200:
                raise RuntimeError(f"warm-up question {question!r} failed: HTTP {warm.status_code}: {warm.text[:200]}")

    clients = 1 if workers == 1 else 2 * workers
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(warm_up, range(clients)))


def track_servers(sampler: ProcessSampler, servers: McpServers) -> None:
    for name, server in (("Database MCP", servers.db), ("Product Metadata MCP", servers.metadata)):
        assert server.process is not None
        sampler.track(name, server.process.pid)


def start_servers(workdir: Path, sample_data: Path, *, extra_db_args: Sequence[str] = ()) -> McpServers:
    return McpServers(workdir / "mcp", sample_data, db_args=tuple(extra_db_args)).start()
