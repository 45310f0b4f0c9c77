"""Self-consistency (T2T_SQL_CANDIDATES): several candidate queries on the first attempt, each run on the real
database, and the result most of them return wins. Real MCP servers; the scripted LLM answers a sampled request
(temperature above 0) with its `sampled` response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from talk2tables.orchestrator import Orchestrator
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.pipeline import Pipeline
from tests.support.scripted_llm import ScriptedLLMServer, answer
from tests.support.scripts import PRODUCT_COUNT_SQL

QUESTION = "How many candidates products are there?"
OTHER_SQL = "SELECT COUNT(*) AS n FROM customers"


def candidate(sql: str, sampled_sql: str) -> dict[str, Any]:
    return answer(sql) | {"sampled": answer(sampled_sql)}


@pytest.fixture
async def voting(orchestrator: Orchestrator, llm_config: LLMConfig) -> AsyncIterator[Pipeline]:
    generator = SQLGenerator(llm_config)
    yield Pipeline(orchestrator, generator, candidates=3)
    await generator.aclose()


def script(llm: ScriptedLLMServer, *responses: dict[str, Any]) -> None:
    llm.llm.set_script([{"match": "candidates", "responses": list(responses)}])


def temperatures(llm: ScriptedLLMServer) -> list[float]:
    return [request.get("temperature") or 0.0 for request in llm.llm.requests]


async def test_the_result_most_candidates_return_wins_over_the_first_candidate(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    script(llm, candidate(OTHER_SQL, PRODUCT_COUNT_SQL))
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == PRODUCT_COUNT_SQL
    assert result.result.rows == [[18]]
    meta = result.metadata
    assert [c["sql"] for c in meta["candidates"]] == [OTHER_SQL, PRODUCT_COUNT_SQL, PRODUCT_COUNT_SQL]
    assert [c.get("chosen", False) for c in meta["candidates"]] == [False, True, False]
    assert meta["candidates"][1]["votes"] == 2
    assert meta["attempts_count"] == 1  # the candidates are one attempt
    assert [c["step"] for c in meta["llm_calls"]] == ["sql", "sql", "sql", "explain"]
    assert temperatures(llm) == [0.0, 0.7, 0.7, 0.0]
    assert [c.get("sampled", False) for c in meta["llm_calls"]] == [False, True, True, False]
    # The explanation describes the query that won.
    assert PRODUCT_COUNT_SQL in llm.llm.requests[-1]["messages"][-2]["content"]


async def test_once_a_majority_agrees_the_remaining_candidates_are_not_written(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    script(llm, candidate(PRODUCT_COUNT_SQL, "SELECT COUNT(product_id) FROM products"))
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == PRODUCT_COUNT_SQL  # the first of the agreeing group
    meta = result.metadata
    assert len(meta["candidates"]) == 2  # two of three agree: the third could not change the result
    assert meta["candidates"][0]["votes"] == 2
    assert [c["step"] for c in meta["llm_calls"]] == ["sql", "sql", "explain"]


async def test_when_every_candidate_returns_a_different_result_the_temperature_0_one_wins(
    llm: ScriptedLLMServer, orchestrator: Orchestrator, llm_config: LLMConfig
) -> None:
    script(llm, candidate(OTHER_SQL, PRODUCT_COUNT_SQL))
    generator = SQLGenerator(llm_config)
    try:
        result = await Pipeline(orchestrator, generator, candidates=2).answer(QUESTION)
    finally:
        await generator.aclose()
    assert result.success, result.error
    assert result.sql == OTHER_SQL
    assert [c.get("votes") for c in result.metadata["candidates"]] == [1, None]


async def test_a_failing_candidate_does_not_vote_and_a_sampled_one_can_answer(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    script(llm, candidate("SELECT nope FROM products", PRODUCT_COUNT_SQL))
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == PRODUCT_COUNT_SQL
    first = result.metadata["candidates"][0]
    assert first["stage"] == "validating"
    assert "nope" in first["error"]
    assert (result.metadata["attempts_count"], result.metadata["recovered"]) == (1, False)


async def test_no_candidate_running_is_one_failed_attempt_and_the_retry_sees_the_first_ones_error(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    script(llm, candidate("SELECT nope FROM products", "SELECT nothing FROM nowhere"), answer(PRODUCT_COUNT_SQL))
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == PRODUCT_COUNT_SQL
    meta = result.metadata
    assert (meta["attempts_count"], meta["recovered"]) == (2, True)
    assert "nope" in meta["attempts"][0]["error"]
    assert [c["step"] for c in meta["llm_calls"]] == ["sql", "sql", "sql", "sql", "explain"]
    assert "nope" in llm.llm.requests[3]["messages"][-1]["content"]  # the retry: one call, at the retry temperature
    assert temperatures(llm)[3] == 0.7


async def test_only_the_temperature_0_candidate_can_say_the_data_cannot_answer(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL) | {"sampled": answer("", reason="no such data")})
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    assert [c["error"] for c in result.metadata["candidates"]] == [None, "no SQL", "no SQL"]
    script(llm, answer("", reason="the data has no weather") | {"sampled": answer(PRODUCT_COUNT_SQL)})
    refused = await voting.answer(QUESTION)
    assert not refused.success
    assert "cannot answer" in (refused.error or "")


def test_candidates_must_be_at_least_one(orchestrator: Orchestrator, llm_config: LLMConfig) -> None:
    with pytest.raises(ValueError, match="candidates"):
        Pipeline(orchestrator, SQLGenerator(llm_config), candidates=0)


async def test_a_sampled_query_that_cannot_be_had_keeps_the_answer_already_in_hand(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL) | {"sampled": {"status": 500, "message": "overloaded"}})
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == PRODUCT_COUNT_SQL
    first, second = result.metadata["candidates"]  # the failure ends the sampling
    assert (first["chosen"], first["votes"]) == (True, 1)
    assert "overloaded" in second["error"]


async def test_when_no_candidate_runs_the_failure_shows_the_first_ones_sql_with_its_error(
    llm: ScriptedLLMServer, orchestrator: Orchestrator, llm_config: LLMConfig
) -> None:
    script(llm, candidate("SELECT nope FROM products", "SELECT nothing FROM nowhere"))
    generator = SQLGenerator(llm_config)
    try:
        result = await Pipeline(orchestrator, generator, candidates=3, max_attempts=1).answer(QUESTION)
    finally:
        await generator.aclose()
    assert not result.success
    assert result.sql == "SELECT nope FROM products"
    assert "nope" in result.metadata["attempts"][0]["error"]


async def test_a_candidate_mended_before_it_ran_says_so_and_votes_with_its_mended_result(
    llm: ScriptedLLMServer, voting: Pipeline
) -> None:
    misnamed = "SELECT COUNT(*) AS n FROM products AS p WHERE products.price >= 0"
    script(llm, candidate(misnamed, PRODUCT_COUNT_SQL))
    result = await voting.answer(QUESTION)
    assert result.success, result.error
    mended = "SELECT COUNT(*) AS n FROM products AS p WHERE p.price >= 0"
    assert result.sql == mended  # the temperature-0 candidate, as mended, agrees with the sampled one
    first, second = result.metadata["candidates"]
    assert (first["sql"], first["repairs"], first["votes"]) == (mended, ["products.price -> p.price"], 2)
    assert second["repairs"] == []
