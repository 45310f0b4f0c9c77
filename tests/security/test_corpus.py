"""Every corpus input, straight to the Database MCP and as the LLM's answer through the API, on SQLite and on
PostgreSQL: each write is refused, nothing changes, no process dies. Batched: one server set per database."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from mcp.types import CallToolResult

from tests.database_mcp.helpers import TOOL_ERROR_PREFIX, mcp_session
from tests.faults.helpers import QUERY_RESULT_KEYS, Reply, ask
from tests.security.conftest import (
    ALIAS_INJECTION,
    DESCRIPTION_INJECTION,
    POISONED_QUESTION,
    SECRET_MARK,
    System,
    injection_question,
    question_for,
)
from tests.security.corpus import CASES, INJECTION_QUESTIONS, cases_for

pytestmark = pytest.mark.e2e
CALL_SECONDS = 60  # one input; the statement time limit (10 s) stops anything slow long before


def test_the_corpus_has_at_least_a_hundred_inputs_per_database() -> None:
    assert len(cases_for("sqlite")) >= 100
    assert len(cases_for("postgres")) >= 100
    assert len({c.id for c in CASES}) == len(CASES)


def _text(result: CallToolResult) -> str:
    return " ".join(str(getattr(c, "text", "")) for c in result.content).removeprefix(TOOL_ERROR_PREFIX)


async def test_no_input_sent_straight_to_execute_query_changes_the_database_or_crashes_the_server(
    unchanged: System,
) -> None:
    cases = cases_for(unchanged.dialect)
    results: dict[str, CallToolResult] = {}
    async with mcp_session(unchanged.servers.db.sse_url) as session:
        for case in cases:
            async with asyncio.timeout(CALL_SECONDS):
                results[case.id] = await session.call_tool("execute_query", {"query": case.sql})
        # The same session still works after the whole corpus.
        after = await session.call_tool("execute_query", {"query": "SELECT COUNT(*) AS n FROM products"})
    assert not after.is_error
    not_refused = [
        (case.id, _text(results[case.id])[:200])
        for case in cases
        if case.refused and not (results[case.id].is_error and _text(results[case.id]).startswith("Refused:"))
    ]
    assert not not_refused, not_refused
    leaked = [
        case.id for case in cases if SECRET_MARK in _text(results[case.id]) + str(results[case.id].structured_content)
    ]
    assert not leaked, leaked


def _ask_all(system: System, questions: list[str]) -> list[Reply]:
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda q: ask(system.api.url, q, timeout=120), questions))


def test_no_input_the_llm_answers_through_the_api_changes_the_database_or_crashes_a_process(
    unchanged: System,
) -> None:
    cases = cases_for(unchanged.dialect)
    replies = _ask_all(unchanged, [question_for(c.id) for c in cases])
    wrong: list[tuple[str, int, object]] = []
    for case, reply in zip(cases, replies, strict=True):
        expected = {422} if case.refused else {200, 422}
        if reply.status not in expected or set(reply.body) != QUERY_RESULT_KEYS:
            wrong.append((case.id, reply.status, reply.transport_error or str(reply.body.get("error"))[:200]))
            continue
        if case.refused:
            attempts = reply.body["metadata"]["attempts"]
            refused_before_the_database = all(a["stage"] == "validating" for a in attempts) and len(attempts) == 3
            if not refused_before_the_database or reply.body["result"]["rows"]:
                wrong.append((case.id, reply.status, [a["stage"] for a in attempts]))
    assert not wrong, wrong
    leaked = [case.id for case, reply in zip(cases, replies, strict=True) if SECRET_MARK in str(reply.body)]
    assert not leaked, leaked


def test_prompt_injection_in_the_question_cannot_make_the_system_write(unchanged: System) -> None:
    replies = _ask_all(unchanged, [injection_question(n) for n in range(len(INJECTION_QUESTIONS))])
    for (question, sql), reply in zip(INJECTION_QUESTIONS, replies, strict=True):
        assert reply.status == 422, (question, reply.status, reply.body.get("error"))
        assert reply.body["success"] is False
        assert "Refused" in reply.body["error"], (question, reply.body["error"])
        assert reply.body["metadata"]["timings_ms"]["execute"] == 0, sql  # never reached the database


def test_injected_metadata_reaches_the_llm_only_as_data_and_its_destructive_advice_is_refused(
    unchanged: System,
) -> None:
    unchanged.llm.llm.requests.clear()
    reply = ask(unchanged.api.url, POISONED_QUESTION)
    assert reply.status == 422
    assert "Refused" in reply.body["error"]
    system_prompt = unchanged.llm.llm.requests[0]["messages"][0]["content"]
    rules, _, resources = system_prompt.partition("<resources>")
    assert ALIAS_INJECTION in resources
    assert DESCRIPTION_INJECTION in resources
    assert ALIAS_INJECTION not in rules
    assert DESCRIPTION_INJECTION not in rules
