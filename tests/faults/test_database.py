"""The database itself failing under the Database MCP: locked by a writer, or a query that runs past the statement
time limit. Each question ends whole, naming what failed, within its deadline; the next question is answered."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, create_engine

from tests.faults.conftest import STATEMENT_TIMEOUT_SECONDS, TIMEOUTS
from tests.faults.helpers import ask, assert_whole_failure, serves_again
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import InProcessApi, McpServers

pytestmark = pytest.mark.e2e


@contextmanager
def exclusive_lock(database: Path) -> Iterator[Connection]:
    """A writer holding SQLite's EXCLUSIVE lock (the file uses a rollback journal: readers are shut out too)."""
    engine = create_engine(f"sqlite:///{database}", isolation_level="AUTOCOMMIT")
    conn = engine.connect()
    try:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        yield conn
    finally:
        conn.exec_driver_sql("ROLLBACK")
        conn.close()
        engine.dispose()


def test_a_locked_database_fails_the_question_whole_within_the_deadline_then_answers_once_released(
    api: InProcessApi, servers: McpServers, llm: ScriptedLLMServer
) -> None:
    assert ask(api.url).ok
    with exclusive_lock(servers.database_path):
        reply = ask(api.url)
    assert_whole_failure(reply, {502, 504}, "Database MCP")
    assert "database://schema" in reply.body["error"] or "locked" in reply.body["error"]
    assert reply.seconds < TIMEOUTS["resource_seconds"] + 10, reply.seconds
    assert serves_again(api.url).ok


def test_a_query_past_the_statement_time_limit_is_stopped_and_fails_whole_then_the_next_is_answered(
    api: InProcessApi, servers: McpServers, llm: ScriptedLLMServer
) -> None:
    started = time.monotonic()
    reply = ask(api.url, "a runaway query please")
    elapsed = time.monotonic() - started
    # Every attempt was stopped by the database's time limit; the LLM was told and tried again, in vain.
    assert_whole_failure(reply, {422}, "Timed out")
    assert f"{STATEMENT_TIMEOUT_SECONDS} s statement time limit" in reply.body["error"]
    attempts = reply.body["metadata"]["attempts"]
    assert len(attempts) == 3
    assert all(a["stage"] == "executing" and "Timed out" in a["error"] for a in attempts)
    assert reply.body["sql"].startswith("WITH RECURSIVE")
    assert elapsed < 3 * (STATEMENT_TIMEOUT_SECONDS + 3) + 10, elapsed
    assert ask(api.url).ok
