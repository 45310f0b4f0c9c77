"""Asking questions over real HTTP while something breaks, and judging what came back."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.scripted_llm import answer
from tests.support.scripts import PRODUCT_COUNT_SQL, standard_rules

QUERY_RESULT_KEYS = {"success", "query", "sql", "result", "error", "explanation", "resolved_entities", "metadata"}
SLOW_SQL = (
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000000) SELECT COUNT(*) AS n FROM c"
)
NORMAL_QUESTION = "How many products do we have?"
# Answered after 300 ms, so requests are in flight (mid-LLM) when a server fails.
INFLIGHT_QUESTION = "in flight: how many products?"


def fault_rules() -> list[dict[str, Any]]:
    """The standard answers plus a slow-answering question and a query the database must stop."""
    return [
        {"match": "in flight", "responses": [{"delay_ms": 300, **answer(PRODUCT_COUNT_SQL)}]},
        {"match": "runaway query", "responses": [answer(SLOW_SQL, explanation="counts far too far")]},
        *standard_rules(),
    ]


@dataclass
class Reply:
    status: int
    body: dict[str, Any]
    seconds: float
    transport_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.body.get("success") is True


def ask(api_url: str, question: str = NORMAL_QUESTION, *, timeout: float = 60) -> Reply:
    started = time.monotonic()
    try:
        response = httpx.post(f"{api_url}/api/query", json={"query": question}, timeout=timeout)
    except httpx.HTTPError as exc:
        return Reply(0, {}, time.monotonic() - started, f"{type(exc).__name__}: {exc}")
    try:
        body = response.json()
    except ValueError:
        body = {}
    return Reply(response.status_code, body if isinstance(body, dict) else {}, time.monotonic() - started)


def assert_whole_failure(reply: Reply, statuses: set[int], *names: str) -> None:
    """A failure in the QueryResult shape: no rows, a status from `statuses`, a message naming what failed."""
    assert reply.transport_error is None, reply.transport_error
    assert reply.status in statuses, (reply.status, reply.body.get("error"))
    assert set(reply.body) == QUERY_RESULT_KEYS
    assert reply.body["success"] is False
    assert reply.body["result"] == {"columns": [], "rows": []}
    error = reply.body["error"] or ""
    assert any(name in error for name in names), f"{error!r} names none of {names}"


def assert_whole(reply: Reply, statuses: set[int], *names: str) -> None:
    """An answer with rows, or a whole failure (never partial, never a 500)."""
    if reply.ok:
        assert reply.body["result"]["rows"], reply.body
        return
    assert_whole_failure(reply, statuses, *names)


def serves_again(api_url: str, *, within: float = 30) -> Reply:
    """Poll until a normal question is answered (a reconnect may take a request or two); the last reply."""
    deadline = time.monotonic() + within
    reply = ask(api_url)
    while not reply.ok and time.monotonic() < deadline:
        time.sleep(0.2)
        reply = ask(api_url)
    return reply


@dataclass
class Background:
    """`clients` threads asking `question` back to back until stopped (at most `limit` each, bounded in time)."""

    api_url: str
    clients: int = 3
    question: str = INFLIGHT_QUESTION
    limit: int = 200
    max_seconds: float = 90
    replies: list[Reply] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(self.clients)]

    def _run(self) -> None:
        deadline = time.monotonic() + self.max_seconds
        for _ in range(self.limit):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            reply = ask(self.api_url, self.question, timeout=30)
            with self._lock:
                self.replies.append(reply)
            if not reply.ok:
                time.sleep(0.05)

    def __enter__(self) -> Background:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def snapshot(self) -> list[Reply]:
        with self._lock:
            return list(self.replies)

    def wait_for(self, *, ok: int = 0, failed: int = 0, since: int = 0, timeout: float = 30) -> None:
        """Until at least `ok` answers and `failed` failures arrived after the first `since` replies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            recent = self.snapshot()[since:]
            if sum(r.ok for r in recent) >= ok and sum(not r.ok for r in recent) >= failed:
                return
            time.sleep(0.05)
        recent = self.snapshot()[since:]
        raise AssertionError(
            f"wanted {ok} answers and {failed} failures within {timeout}s; got "
            f"{sum(r.ok for r in recent)} and {sum(not r.ok for r in recent)}: "
            f"{[(r.status, (r.body.get('error') or r.transport_error or '')[:120]) for r in recent[-3:]]}"
        )
