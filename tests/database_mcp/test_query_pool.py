"""The query processes: a query that escapes every time check is killed at its deadline, one that builds too much
fails with out of memory, a full pool answers "Busy" at once, and an abandoned query stops. Real processes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest

from talk2tables.database_mcp.query_pool import QueryPool
from talk2tables.database_mcp.query_process import QuerySettings
from talk2tables.errors import DatabaseError, UnsafeQueryError
from tests.support.postgres import PostgresServer

# One call of instr() over texts of megabytes: a single step of SQLite's virtual machine, which the
# progress-handler time limit never interrupts (it took 23 s before queries ran in processes of their own).
SINGLE_STEP = "SELECT instr(printf('%.*c', 3000000, 'a'), printf('%.*c', 1500000, 'a') || 'b') AS found"
ENDLESS = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT COUNT(*) FROM r"


def pool_for(url: str, *, processes: int = 1, max_waiting: int = 4, timeout: float = 0.5, **extra: object) -> QueryPool:
    settings = QuerySettings(database_url=url, max_rows=50, statement_timeout_seconds=timeout, **extra)  # type: ignore[arg-type]
    return QueryPool(settings, processes=processes, max_waiting=max_waiting)


@pytest.fixture
async def pool(sample_db: Path) -> AsyncIterator[QueryPool]:
    queries = pool_for(str(sample_db))
    queries.start()
    yield queries
    queries.close()


async def test_answers_a_query_and_refuses_a_write(pool: QueryPool) -> None:
    rows = await pool.execute("SELECT COUNT(*) AS n FROM products")
    assert rows.rows == [[18]]
    with pytest.raises(UnsafeQueryError, match="not DELETE"):
        await pool.execute("DELETE FROM products")


async def test_a_query_no_time_check_can_stop_is_killed_at_its_deadline_and_the_next_query_works(
    pool: QueryPool,
) -> None:
    victim = pool.pids[0]
    started = time.monotonic()
    with pytest.raises(DatabaseError, match=r"^Timed out: .*its process was stopped"):
        await pool.execute(SINGLE_STEP)
    assert time.monotonic() - started < pool.deadline_seconds + 2
    assert pool.killed == 1
    assert not psutil.pid_exists(victim) or psutil.Process(victim).status() == psutil.STATUS_ZOMBIE
    oracle = sqlite3.connect(f"file:{pool.settings.database_url}?mode=ro", uri=True)  # noqa: TID251 - the test's oracle
    sales = oracle.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    oracle.close()
    assert (await pool.execute("SELECT COUNT(*) FROM sales")).rows == [[sales]]
    assert pool.pids != [victim]


async def test_a_query_building_more_than_its_memory_fails_with_out_of_memory_and_its_process_is_replaced(
    sample_db: Path,
) -> None:
    queries = pool_for(str(sample_db), timeout=20, memory_limit_bytes=256 * 1024 * 1024)
    queries.start()
    try:
        first = queries.pids[0]
        # Each value is 9 MB (under SQLite's value limit); sorting 60 of them needs them all in memory at once.
        sql = (
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 60) "
            "SELECT n, printf('%.*c', 9000000, 'x') || n AS big FROM r ORDER BY big DESC"
        )
        with pytest.raises(DatabaseError, match=r"(?i)out of memory"):
            await queries.execute(sql)
        assert (await queries.execute("SELECT 1 AS one")).rows == [[1]]
        assert queries.pids != [first]
    finally:
        queries.close()


async def test_a_full_pool_answers_busy_at_once_and_a_waiting_query_gives_up_at_its_limit(sample_db: Path) -> None:
    queries = pool_for(str(sample_db), processes=1, max_waiting=1, timeout=3)
    queries.start()
    try:
        running = asyncio.create_task(queries.execute(ENDLESS))
        await asyncio.sleep(0.2)
        waiting = asyncio.create_task(queries.execute("SELECT 1"))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        with pytest.raises(DatabaseError, match=r"^Busy: .*1 queries are running and 1 are waiting"):
            await queries.execute("SELECT 2")
        assert time.monotonic() - started < 1.5  # at once, not after the 3 s wait (a margin for busy cores)
        with pytest.raises(DatabaseError, match=r"^Timed out"):
            await running
        # The waiting query got the process once the endless one was stopped, within its own wait limit.
        assert (await waiting).rows == [[1]]
    finally:
        queries.close()


async def test_a_query_waits_at_most_the_statement_limit_for_a_process(sample_db: Path) -> None:
    queries = pool_for(str(sample_db), processes=1, max_waiting=4, timeout=0.5)
    queries.start()
    try:
        running = asyncio.create_task(queries.execute(SINGLE_STEP))  # holds the process until it is killed
        await asyncio.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(DatabaseError, match=r"^Busy: .*no query process became free within 0\.5 s"):
            await queries.execute("SELECT 1")
        assert time.monotonic() - started < 1.5
        with pytest.raises(DatabaseError):
            await running
    finally:
        queries.close()


async def test_an_abandoned_query_is_stopped_at_once(pool: QueryPool) -> None:
    victim = pool.pids[0]
    task = asyncio.create_task(pool.execute(SINGLE_STEP))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    _gone, alive = psutil.wait_procs([psutil.Process(victim)], timeout=5) if psutil.pid_exists(victim) else ([], [])
    assert not alive
    assert (await pool.execute("SELECT 1 AS one")).rows == [[1]]


async def test_closing_the_pool_ends_every_process(sample_db: Path) -> None:
    queries = pool_for(str(sample_db), processes=2)
    queries.start()
    processes = [psutil.Process(pid) for pid in queries.pids]
    queries.close()
    _gone, alive = psutil.wait_procs(processes, timeout=5)
    assert not alive


@pytest.mark.postgres
async def test_on_postgres_a_slow_query_is_stopped_and_the_session_is_clean_for_the_next(
    postgres_sample: PostgresServer,
) -> None:
    queries = pool_for(postgres_sample.reader_url, timeout=0.5)
    queries.start()
    try:
        with pytest.raises(DatabaseError, match=r"^Timed out"):
            await queries.execute("SELECT COUNT(*) FROM sales a, sales b, sales c")
        rows = await queries.execute("SELECT COUNT(*) FROM products")
        assert rows.rows == [[18]]
        held = postgres_sample.execute(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE usename = 't2t_reader' AND state <> 'idle'"
        )
        assert held == [(0,)]
    finally:
        queries.close()
