"""Exhaustion and concurrency against the real Database MCP over SSE, on SQLite and as PostgreSQL's SELECT-only role:
a query of megabytes, a function call no time check interrupts, results built in the database, and a crowd of slow
queries. Each is refused or stopped within its limits, another client is never kept waiting past its own, and
the server's memory stays bounded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest
from mcp.types import CallToolResult

from tests.database_mcp.helpers import TOOL_ERROR_PREFIX, mcp_session
from tests.support.postgres import PostgresServer
from tests.support.processes import ServerProcess, free_port

pytestmark = pytest.mark.e2e

STATEMENT_SECONDS = 1.0
# The pool's deadline for one query: checking (2 s) + the statement limit + a grace second.
DEADLINE_SECONDS = 2.0 + STATEMENT_SECONDS + 1.0
PROCESSES = 2
MAX_QUEUED = 4
MEMORY_MB = 512
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r"
BIG_ROWS = {
    "sqlite": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) "
    "SELECT n, printf('%.*c', 9900000, 'x') AS big FROM r",
    "postgres": "WITH big AS (SELECT string_agg('x', '') AS x FROM generate_series(1, 9900000)) "
    "SELECT n, big.x FROM big, generate_series(1, 100) AS n",
}
HUGE_AGGREGATE = {
    "sqlite": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 40) "
    "SELECT group_concat(printf('%.*c', 9000000, 'x'), '') FROM r",
    "postgres": "SELECT array_agg(g) FROM generate_series(1, 60000000) AS g",
}


@dataclass
class Server:
    dialect: str
    process: ServerProcess

    @property
    def url(self) -> str:
        return self.process.sse_url

    def tree(self) -> list[psutil.Process]:
        assert self.process.process is not None
        root = psutil.Process(self.process.process.pid)
        return [root, *root.children(recursive=True)]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(
    request: pytest.FixtureRequest, sample_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    dialect: str = request.param
    url = str(sample_db)
    if dialect == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres_sample")
        url = postgres.reader_url
    port = free_port()
    process = ServerProcess(
        ["db-server", "--database-url", url, "--port", str(port), "--statement-timeout", str(STATEMENT_SECONDS),
         "--query-processes", str(PROCESSES), "--max-queued-queries", str(MAX_QUEUED)],
        port, env={"T2T_MCP_TOKEN": "", "T2T_QUERY_MEMORY_MB": str(MEMORY_MB)},
        log=tmp_path_factory.mktemp("exhaustion") / "db-server.log",
    )  # fmt: skip
    process.start(timeout=60)
    try:
        yield Server(dialect, process)
    finally:
        process.stop()


def text(result: CallToolResult) -> str:
    return " ".join(str(getattr(c, "text", "")) for c in result.content).removeprefix(TOOL_ERROR_PREFIX)


async def call(server: Server, sql: str) -> CallToolResult:
    async with mcp_session(server.url) as session:
        return await session.call_tool("execute_query", {"query": sql})


async def test_a_query_of_megabytes_is_refused_before_it_is_parsed(server: Server) -> None:
    before = server.tree()[0].memory_info().rss
    result = await call(server, "SELECT 1 AS x" + " " * 4_000_000 + ", 2 AS y")
    assert result.is_error
    assert "the limit is 100,000" in text(result)
    assert server.tree()[0].memory_info().rss - before < 100 * 2**20


@pytest.mark.parametrize(
    "sql",
    [
        # One call over megabytes of text: a single step no time check interrupts (SQLite held the server 55 s).
        "SELECT instr(printf('%.*c', 3000000, 'a'), printf('%.*c', 1500000, 'a') || 'b') AS found",
        # printf with a huge width runs ~3 s per call before it gives up; five calls in one row, one step each.
        "SELECT " + " AND ".join(["printf('%.*c', 2000000000, 'x') IS NULL"] * 5) + " AS all_null",
    ],
    ids=["instr", "printf-widths"],
)
async def test_a_call_no_time_check_interrupts_is_stopped_at_the_deadline(server: Server, sql: str) -> None:
    if server.dialect != "sqlite":
        pytest.skip("SQLite's printf; PostgreSQL's statement_timeout interrupts its functions")
    started = time.monotonic()
    result = await call(server, sql)
    elapsed = time.monotonic() - started
    assert result.is_error
    assert text(result).startswith("Timed out")
    assert elapsed < DEADLINE_SECONDS + 3
    assert not (await call(server, "SELECT COUNT(*) AS n FROM products")).is_error


async def test_rows_built_in_the_database_are_cut_and_memory_stays_bounded(server: Server) -> None:
    result = await call(server, BIG_ROWS[server.dialect])
    if not result.is_error:
        assert result.structured_content is not None
        assert result.structured_content["truncated"] is True
    else:
        assert text(result).startswith(("Timed out", "Out of memory", "out of memory"))
    root, *children = server.tree()
    assert root.memory_info().rss < 400 * 2**20
    assert all(child.memory_info().rss < MEMORY_MB * 2**20 for child in children)


async def test_an_aggregate_too_big_for_a_query_process_fails_and_the_server_answers_the_next(server: Server) -> None:
    result = await call(server, HUGE_AGGREGATE[server.dialect])
    assert result.is_error
    # Stopped by the time limit, the query process's memory, or (PostgreSQL) the role's temp_file_limit.
    assert (
        text(result)
        .lower()
        .startswith(
            ("timed out", "out of memory", "string or blob too big", "temporary file size exceeds temp_file_limit")
        )
    )
    assert not (await call(server, "SELECT COUNT(*) AS n FROM products")).is_error


async def test_a_crowd_of_slow_queries_cannot_keep_another_client_waiting_past_its_limit(server: Server) -> None:
    async with mcp_session(server.url) as crowd, mcp_session(server.url) as bystander:
        flood = [asyncio.create_task(crowd.call_tool("execute_query", {"query": ENDLESS})) for _ in range(200)]
        await asyncio.sleep(0.5)
        started = time.monotonic()
        answer = await bystander.call_tool("execute_query", {"query": "SELECT 1 AS one"})
        waited = time.monotonic() - started
        results = await asyncio.gather(*flood)
    # The bystander is answered, or told the server is busy, within its own wait and run limits: never minutes.
    assert waited < STATEMENT_SECONDS + DEADLINE_SECONDS + 3
    assert not answer.is_error or text(answer).startswith("Busy:")
    busy = [r for r in results if r.is_error and text(r).startswith("Busy:")]
    stopped = [r for r in results if r.is_error and text(r).startswith("Timed out")]
    assert len(busy) + len(stopped) == len(results)
    assert len(busy) >= len(results) - PROCESSES - MAX_QUEUED * 2  # most were refused at once
    assert not (await call(server, "SELECT COUNT(*) AS n FROM products")).is_error
