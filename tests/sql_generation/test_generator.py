"""SQLGenerator through the real provider code (pydantic-ai, the OpenAI SDK, HTTP) against the scripted LLM."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from talk2tables.errors import LLMNotConfiguredError, LLMOutputError, LLMTimeoutError, LLMUnavailableError
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.grammar import grammar_schema
from talk2tables.sql_generation.output import AnswerNotes, Attempt, GeneratedSQL, ResolvedEntity
from talk2tables.sql_generation.prompt import USES_ASK
from talk2tables.sql_generation.providers import LLMConfig
from tests.sql_generation.resources import sample_context
from tests.support.processes import free_port
from tests.support.scripted_llm import ScriptedLLMServer, answer, entity

QUESTION = "What were the total sales of abracadabra?"
GOOD_SQL = (
    "SELECT SUM(s.total_amount) FROM sales s JOIN products p ON p.product_id = s.product_id "
    "WHERE p.product_name = 'Magic Wand Pro'"
)


@pytest.fixture
async def generator(llm_config: LLMConfig) -> AsyncIterator[SQLGenerator]:
    gen = SQLGenerator(llm_config)
    yield gen
    await gen.aclose()


def script(llm: ScriptedLLMServer, *responses: dict[str, object], match: str = "abracadabra") -> None:
    llm.llm.set_script([{"match": match, "responses": list(responses)}])


async def test_the_sql_comes_alone_then_the_notes_are_asked_after_the_conversation_that_ran(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    script(
        llm,
        answer(GOOD_SQL, entities=[entity("abracadabra", "Magic Wand Pro")], explanation="Sums it.", confidence=0.8),
    )
    calls: list[dict[str, object]] = []
    generated = await generator.generate(QUESTION, sample_context(), calls=calls)
    assert generated.sql == GOOD_SQL
    # Nothing that delays the rows but the metadata names the question uses (grammar.py, where the metadata has some).
    assert set(GeneratedSQL.model_json_schema()["properties"]) == {"uses", "sql", "reason"}
    ran = Attempt(1, generated.sql, None, "executing", raw=generated.model_dump_json())
    notes = await generator.explain(QUESTION, sample_context(), [ran], (["total_sales"], 1), calls=calls)
    assert notes.resolved_entities == [("abracadabra", "Magic Wand Pro", "product", "Product Metadata MCP")]
    assert notes.entities() == [ResolvedEntity(**entity("abracadabra", "Magic Wand Pro"))]
    assert (notes.explanation, notes.confidence) == ("Sums it.", 0.8)
    first, second = (r["messages"] for r in llm.llm.requests)
    # The notes' conversation continues the SQL's: same question, the answer that ran, then the new ask.
    assert [m for m in second if m["role"] != "system"][:1] == [m for m in first if m["role"] != "system"]
    assert second[-2] == {"role": "assistant", "content": generated.model_dump_json()}
    ask = second[-1]["content"]
    assert "ran: 1 row, columns total_sales" in ask
    assert QUESTION not in ask  # it stands earlier in the same conversation: not read twice
    # The system message (the same in both calls, so a server's prompt cache keeps it) shows the object to
    # write: every key of the schema the server's grammar holds the reply to, and each entity as a list of its
    # four facts in the order the schema gives them. The ask itself is one line.
    assert first[0] == second[0]
    assert first[0]["role"] == "system"
    keys = list(AnswerNotes.model_json_schema()["properties"])
    assert all(f'"{key}":' in first[0]["content"] for key in keys), keys
    assert "one [term, meaning, kind, server] list per" in first[0]["content"]
    assert "\n" not in ask
    assert llm.llm.requests[1]["response_format"]["schema"] == grammar_schema(AnswerNotes, sample_context())
    assert [(c["step"], c["outcome"]) for c in calls] == [("sql", "ok"), ("explain", "ok")]


async def test_sends_resources_in_the_system_message_and_the_question_last_with_a_json_schema(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    script(llm, answer(GOOD_SQL))
    await generator.generate(QUESTION, sample_context())
    body = llm.llm.requests[0]
    messages = body["messages"]
    assert messages[0]["role"] == "system"
    assert "resource://product_aliases" in messages[0]["content"]
    assert "Magic Wand Pro" in messages[0]["content"]
    assert messages[-1] == {"role": "user", "content": f"Question: {QUESTION}\n{USES_ASK}"}
    assert all(QUESTION not in m["content"] for m in messages if m["role"] == "system")
    schema = grammar_schema(GeneratedSQL, sample_context())
    assert body["response_format"] == {"type": "json_object", "schema": schema}
    assert schema["properties"]["uses"]["items"]["enum"]  # the metadata's names, for the grammar to hold
    # The cap on the answer goes out as max_tokens: llama-cpp-python's server ignores max_completion_tokens, so a
    # runaway reply on the bundled model was never cut.
    assert body["max_tokens"] == generator.config.max_output_tokens
    assert "max_completion_tokens" not in body
    assert body["temperature"] == 0.0


async def test_the_system_messages_are_identical_for_different_questions(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    llm.llm.set_script([{"match": "", "responses": [answer("SELECT 1")]}])
    await generator.generate("How many customers?", sample_context())
    await generator.generate("Top 5 products by revenue?", sample_context())
    first, second = (r["messages"] for r in llm.llm.requests)
    assert [m for m in first if m["role"] == "system"] == [m for m in second if m["role"] == "system"]


@pytest.mark.parametrize("mode", ["tool", "native"])
async def test_tool_and_native_output_modes_work_through_the_same_server(
    llm: ScriptedLLMServer, llm_config: LLMConfig, mode: str
) -> None:
    script(llm, answer(GOOD_SQL, explanation=f"via {mode}"))
    generator = SQLGenerator(replace(llm_config, output_mode=mode))  # type: ignore[arg-type]
    try:
        generated = await generator.generate(QUESTION, sample_context())
    finally:
        await generator.aclose()
    assert generated.sql == GOOD_SQL
    body = llm.llm.requests[0]
    if mode == "tool":
        assert body["tools"][0]["function"]["name"] == "final_result"
    else:
        assert body["response_format"]["type"] == "json_schema"


async def test_a_recovery_turn_replays_the_failed_answer_and_its_error(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    script(llm, answer("SELECT full_name FROM customers"), answer(GOOD_SQL, explanation="fixed"))
    first = await generator.generate(QUESTION, sample_context())
    failed = Attempt(1, first.sql, "Unknown column 'full_name'", "validating", raw=first.model_dump_json())
    second = await generator.generate(QUESTION, sample_context(), [failed])
    assert second.sql == GOOD_SQL
    messages = llm.llm.requests[1]["messages"]
    roles = [m["role"] for m in messages if m["role"] != "system"]
    assert roles == ["user", "assistant", "user"]
    assert "SELECT full_name FROM customers" in messages[-2]["content"]
    assert "Unknown column 'full_name'" in messages[-1]["content"]
    assert "SELECT full_name FROM customers" in messages[-1]["content"]


async def test_invalid_json_is_an_output_error_carrying_what_the_llm_said(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    script(llm, {"raw": "Sure! Here is your query: SELECT 1"})
    with pytest.raises(LLMOutputError) as caught:
        await generator.generate(QUESTION, sample_context())
    assert caught.value.context["raw"] == "Sure! Here is your query: SELECT 1"
    assert "not the JSON object asked for" in caught.value.message
    assert len(llm.llm.requests) == 1  # no hidden retries: the pipeline owns recovery


async def test_json_of_the_wrong_shape_is_an_output_error(llm: ScriptedLLMServer, generator: SQLGenerator) -> None:
    script(llm, {"content": {"query": "SELECT 1"}})
    with pytest.raises(LLMOutputError):
        await generator.generate(QUESTION, sample_context())


async def test_a_server_error_is_llm_unavailable_with_the_servers_message(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    script(llm, {"status": 500, "message": "model crashed"})
    with pytest.raises(LLMUnavailableError) as caught:
        await generator.generate(QUESTION, sample_context())
    assert "HTTP 500" in caught.value.message
    assert "model crashed" in caught.value.message
    assert llm.base_url in caught.value.message
    assert len(llm.llm.requests) == 1


async def test_sdk_retries_follow_the_setting(llm: ScriptedLLMServer, llm_config: LLMConfig) -> None:
    script(llm, {"status": 503})
    generator = SQLGenerator(replace(llm_config, max_retries=1))
    try:
        with pytest.raises(LLMUnavailableError):
            await generator.generate(QUESTION, sample_context())
    finally:
        await generator.aclose()
    assert len(llm.llm.requests) == 2


async def test_a_refused_key_says_which_variable_to_check(llm: ScriptedLLMServer, llm_config: LLMConfig) -> None:
    script(llm, answer(GOOD_SQL))
    generator = SQLGenerator(replace(llm_config, openai_api_key="sk-wrong"))
    try:
        with pytest.raises(LLMUnavailableError) as caught:
            await generator.generate(QUESTION, sample_context())
    finally:
        await generator.aclose()
    assert "refused the credentials (HTTP 401)" in caught.value.message
    assert "OPENAI_API_KEY" in caught.value.message
    assert "sk-wrong" not in caught.value.message


async def test_a_hung_llm_times_out_within_the_deadline(llm: ScriptedLLMServer, llm_config: LLMConfig) -> None:
    script(llm, {"hang": True})
    generator = SQLGenerator(replace(llm_config, timeout_seconds=1))
    started = time.monotonic()
    try:
        with pytest.raises(LLMTimeoutError) as caught:
            await generator.generate(QUESTION, sample_context())
    finally:
        await generator.aclose()
    assert time.monotonic() - started < 15  # 1 s deadline; generous bound for a busy machine
    assert "did not answer within 1 s" in caught.value.message
    assert "T2T_LLM_TIMEOUT" in caught.value.message
    assert caught.value.status_code == 504


async def test_a_slow_answer_within_the_deadline_succeeds(llm: ScriptedLLMServer, generator: SQLGenerator) -> None:
    script(llm, {"delay_ms": 300, **answer(GOOD_SQL)})
    assert (await generator.generate(QUESTION, sample_context())).sql == GOOD_SQL


async def test_an_unreachable_endpoint_says_to_check_the_base_url(llm_config: LLMConfig) -> None:
    generator = SQLGenerator(replace(llm_config, openai_base_url=f"http://127.0.0.1:{free_port()}/v1"))
    try:
        with pytest.raises(LLMUnavailableError) as caught:
            await generator.generate(QUESTION, sample_context())
    finally:
        await generator.aclose()
    assert "Could not reach the LLM" in caught.value.message
    assert "OPENAI_BASE_URL" in caught.value.message


async def test_a_request_the_server_rejects_suggests_the_output_mode_setting(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    script(llm, {"status": 400, "message": "response_format is not supported"})
    with pytest.raises(LLMUnavailableError) as caught:
        await generator.generate(QUESTION, sample_context())
    assert "response_format is not supported" in caught.value.message
    assert "T2T_LLM_OUTPUT_MODE" in caught.value.message


async def test_no_provider_configured_fails_at_generation_not_at_construction() -> None:
    generator = SQLGenerator(LLMConfig(model=None))
    assert generator.describe() == {"model": None}
    with pytest.raises(LLMNotConfiguredError, match="T2T_LLM_MODEL"):
        await generator.generate(QUESTION, sample_context())


async def test_describe_names_the_model_and_mode_but_never_the_key(
    llm: ScriptedLLMServer, generator: SQLGenerator
) -> None:
    generator.ensure_configured()
    described = generator.describe()
    assert described == {"model": "openai:scripted", "output_mode": "prompted", "endpoint": llm.base_url}
    assert "sk-" not in repr(described)
