"""The pipeline end to end: real MCP servers over SSE, the real orchestrator, the scripted LLM over HTTP."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from talk2tables.models import ProgressEvent, RowsReady
from talk2tables.orchestrator import Orchestrator, load_registry
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.pipeline import Pipeline
from tests.support.scripted_llm import ScriptedLLMServer, answer, entity
from tests.support.scripts import ABRACADABRA_SQL, PRODUCT_COUNT_SQL
from tests.support.system import McpServers

QUESTION = "What were the total sales of abracadabra?"
MAGIC_WAND = entity("abracadabra", "Magic Wand Pro")


def script(llm: ScriptedLLMServer, *responses: dict[str, Any], match: str = "abracadabra") -> None:
    llm.llm.set_script([{"match": match, "responses": list(responses)}])


class Recorder:
    def __init__(self) -> None:
        self.events: list[ProgressEvent | RowsReady] = []

    async def __call__(self, event: ProgressEvent | RowsReady) -> None:
        self.events.append(event)

    @property
    def stages(self) -> list[str]:
        return [e.stage if isinstance(e, ProgressEvent) else "rows" for e in self.events]


async def test_answers_with_sql_rows_explanation_and_resolved_entities(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer(ABRACADABRA_SQL, entities=[MAGIC_WAND], explanation="Adds up Magic Wand Pro sales."))
    result = await pipeline.answer(QUESTION, request_id="req-1")
    assert result.success, result.error
    assert result.sql == ABRACADABRA_SQL
    assert result.result.columns == ["total_sales"]
    assert len(result.result.rows) == 1
    assert result.result.rows[0][0] > 0
    assert result.explanation == "Adds up Magic Wand Pro sales."
    assert result.resolved_entities["entities"] == [MAGIC_WAND | {"kind": "product"}]
    assert result.error is None


async def test_metadata_records_request_attempts_servers_timings_and_conflicts(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer(ABRACADABRA_SQL))
    meta = (await pipeline.answer(QUESTION, request_id="req-meta")).metadata
    assert meta["request_id"] == "req-meta"
    assert meta["attempts"] == [
        {"attempt": 1, "sql": ABRACADABRA_SQL, "error": None, "stage": "executing", "error_type": None,
         "duration_ms": meta["attempts"][0]["duration_ms"], "repairs": []}
    ]  # fmt: skip
    assert (meta["attempts_count"], meta["recovered"], meta["max_attempts"]) == (1, False, 3)
    assert [(s["name"], s["priority"]) for s in meta["servers"]] == [("Product Metadata MCP", 1), ("Database MCP", 10)]
    assert set(meta["timings_ms"]) == {"gather", "generate", "validate", "execute", "combine", "explain", "total"}
    assert meta["timings_ms"]["combine"] == 0  # one database: nothing to combine
    assert all(meta["timings_ms"][stage] > 0 for stage in meta["timings_ms"] if stage != "combine")
    assert meta["timings_ms"]["total"] >= meta["timings_ms"]["gather"] + meta["timings_ms"]["execute"]
    assert meta["timings_ms"]["gather"] + meta["timings_ms"]["execute"] < meta["time_to_rows_ms"]
    assert meta["time_to_rows_ms"] < meta["timings_ms"]["total"] - meta["timings_ms"]["explain"] + 1
    assert [c["step"] for c in meta["llm_calls"]] == ["sql", "explain"]
    assert set(meta["server_timings_ms"]) == {"database", "product_metadata"}
    assert isinstance(meta["conflicts"], list)
    assert meta["llm"]["model"] == "openai:scripted"
    assert (meta["row_count"], meta["truncated"]) == (1, False)
    assert (meta["server"], meta["server_name"], meta["databases"]) == ("database", "Database MCP", ["database"])


async def test_reports_progress_stage_by_stage(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    script(llm, answer(ABRACADABRA_SQL))
    progress = Recorder()
    await pipeline.answer(QUESTION, progress=progress)
    assert progress.stages == ["gathering", "generating", "validating", "executing", "rows", "explaining", "done"]
    steps = [e for e in progress.events if isinstance(e, ProgressEvent)]
    assert [e.attempt for e in steps[1:4]] == [1, 1, 1]
    assert all(e.max_attempts == 3 for e in steps[1:4])
    elapsed = [e.elapsed_ms for e in steps]
    assert elapsed == sorted(elapsed)


async def test_recovers_from_sql_that_fails_validation(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    script(llm, answer("SELECT full_name FROM customers"), answer(PRODUCT_COUNT_SQL))
    progress = Recorder()
    result = await pipeline.answer(QUESTION, progress=progress)
    assert result.success, result.error
    assert result.result.rows == [[18]]
    meta = result.metadata
    assert (meta["attempts_count"], meta["recovered"]) == (2, True)
    first = meta["attempts"][0]
    assert (first["sql"], first["stage"], first["error_type"]) == (
        "SELECT full_name FROM customers",
        "validating",
        "SQLValidationError",
    )
    assert "full_name" in first["error"]
    assert meta["timings_ms"]["execute"] > 0
    assert "retrying" in progress.stages
    retry = progress.events[progress.stages.index("retrying")]
    assert (retry.attempt, retry.max_attempts) == (2, 3)
    # The second LLM call saw the error and the failed SQL.
    recovery = llm.llm.requests[1]["messages"][-1]["content"]
    assert "Unknown column 'full_name'" in recovery
    assert "SELECT full_name FROM customers" in recovery


# products is called p, so the database would refuse products.category: the schema leaves one reading of it.
MISNAMED_SQL = "SELECT COUNT(*) AS books FROM products AS p WHERE products.category = 'Books'"
MENDED_SQL = "SELECT COUNT(*) AS books FROM products AS p WHERE p.category = 'Books'"


async def test_a_column_the_schema_leaves_one_reading_of_is_mended_without_another_llm_call(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer(MISNAMED_SQL))
    result = await pipeline.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == MENDED_SQL  # what ran, and what the person reads
    assert result.result.columns == ["books"]
    assert result.result.rows[0][0] > 0
    meta = result.metadata
    assert [(a["sql"], a["error"], a["repairs"]) for a in meta["attempts"]] == [
        (MENDED_SQL, None, ["products.category -> p.category"])
    ]
    assert meta["recovered"] is False
    assert [c["step"] for c in meta["llm_calls"]] == ["sql", "explain"]  # no second SQL call
    # The explanation is asked of the query that ran: the model is told what was mended in the one it wrote.
    explain_ask = llm.llm.requests[1]["messages"][-1]["content"]
    assert explain_ask.startswith(
        "Your query ran (with these column references mended first: products.category -> p.category): "
    )


# products is never joined: sales' foreign key leads to exactly one product per sale, so joining it repeats no row.
UNJOINED_SQL = "SELECT COUNT(*) AS sold FROM sales WHERE products.product_name = 'Magic Wand Pro'"
JOINED_SQL = (
    "SELECT COUNT(*) AS sold FROM sales LEFT JOIN products ON products.product_id = sales.product_id "
    "WHERE products.product_name = 'Magic Wand Pro'"
)


async def test_a_table_the_query_never_joined_is_joined_along_its_foreign_key_and_the_rows_are_the_databases(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer(UNJOINED_SQL))
    result = await pipeline.answer(QUESTION)
    assert result.success, result.error
    assert result.sql == JOINED_SQL
    (attempt,) = result.metadata["attempts"]
    assert attempt["repairs"] == [
        "products.product_name -> products.product_name (joined products on products.product_id = sales.product_id)"
    ]
    assert [c["step"] for c in result.metadata["llm_calls"]] == ["sql", "explain"]
    # The count is the database's own for the join written out by hand: the mend added no row and lost none.
    expected = await pipeline.orchestrator.execute_query(
        "SELECT COUNT(*) FROM sales s JOIN products p ON p.product_id = s.product_id "
        "WHERE p.product_name = 'Magic Wand Pro'"
    )
    assert result.result.rows == [[expected.rows[0][0]]]
    assert expected.rows[0][0] > 0


async def test_with_repair_off_the_same_answer_costs_an_attempt(
    llm: ScriptedLLMServer, orchestrator: Orchestrator, llm_config: LLMConfig
) -> None:
    script(llm, answer(MISNAMED_SQL), answer(MENDED_SQL))
    generator = SQLGenerator(llm_config)
    try:
        result = await Pipeline(orchestrator, generator, repair_columns=False).answer(QUESTION)
    finally:
        await generator.aclose()
    assert result.success, result.error
    first, second = result.metadata["attempts"]
    assert (first["sql"], first["stage"], first["repairs"]) == (MISNAMED_SQL, "validating", [])
    assert "The query calls products p: write p.category" in first["error"]
    assert (second["sql"], second["repairs"], result.metadata["recovered"]) == (MENDED_SQL, [], True)


async def test_a_mended_query_the_database_refuses_goes_back_to_the_llm_as_it_ran(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    # The mend passes validation; only the database can tell that the names are not JSON.
    written = "SELECT json_extract(products.product_name, '$.a') FROM products AS p"
    script(llm, answer(written), answer(PRODUCT_COUNT_SQL))
    result = await pipeline.answer(QUESTION)
    assert result.success, result.error
    first = result.metadata["attempts"][0]
    assert first["sql"] == "SELECT JSON_EXTRACT(p.product_name, '$.a') FROM products AS p"
    assert (first["stage"], first["repairs"]) == ("executing", ["products.product_name -> p.product_name"])
    assert first["sql"] in llm.llm.requests[1]["messages"][-1]["content"]  # the retry sees the SQL that ran


NOT_JSON_SQL = "SELECT json_extract(product_name, '$.a') FROM products"


async def test_recovers_from_a_database_error_with_the_databases_own_message(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    # Valid against the schema, but the names are not JSON: only the database can tell.
    script(llm, answer(NOT_JSON_SQL), answer(PRODUCT_COUNT_SQL))
    result = await pipeline.answer(QUESTION)
    assert result.success, result.error
    first = result.metadata["attempts"][0]
    assert (first["stage"], first["error_type"]) == ("executing", "ToolExecutionError")
    assert "malformed json" in first["error"].lower()
    assert "malformed json" in llm.llm.requests[1]["messages"][-1]["content"].lower()
    assert result.metadata["recovered"] is True


async def test_recovers_from_an_answer_that_is_not_json(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    script(llm, {"raw": "I think you want SELECT COUNT(*) FROM products"}, answer(PRODUCT_COUNT_SQL))
    result = await pipeline.answer(QUESTION)
    assert result.success, result.error
    first = result.metadata["attempts"][0]
    assert (first["sql"], first["stage"], first["error_type"]) == (None, "generating", "LLMOutputError")
    # The LLM sees what it said and why it was not usable.
    messages = llm.llm.requests[1]["messages"]
    assert messages[-2] == {"role": "assistant", "content": "I think you want SELECT COUNT(*) FROM products"}
    assert "could not be used" in messages[-1]["content"]


async def test_three_failures_fail_the_request_as_a_whole_with_every_attempts_error(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(
        llm,
        answer("SELECT nope FROM products"),
        answer(NOT_JSON_SQL),
        answer("SELECT nothing FROM nowhere"),
    )
    progress = Recorder()
    result = await pipeline.answer(QUESTION, progress=progress)
    assert not result.success
    assert result.result.columns == []
    assert result.result.rows == []
    assert result.sql == "SELECT nothing FROM nowhere"
    assert "could not be answered after 3 attempts" in result.error  # type: ignore[operator]
    attempts = result.metadata["attempts"]
    assert [a["stage"] for a in attempts] == ["validating", "executing", "validating"]
    assert all(a["error"] for a in attempts)
    assert "nope" in attempts[0]["error"]
    assert "nowhere" in attempts[2]["error"]
    assert (result.metadata["attempts_count"], result.metadata["recovered"]) == (3, False)
    error = result.metadata["error"]
    assert (error["type"], error["status_code"]) == ("QueryNotAnsweredError", 422)
    assert len(error["attempts"]) == 3
    assert len(llm.llm.requests) == 3  # nothing ran: no explanation was asked for
    assert progress.stages[-1] == "failed"


async def test_max_attempts_bounds_the_recovery(
    llm: ScriptedLLMServer, orchestrator: Orchestrator, llm_config: LLMConfig
) -> None:
    script(llm, answer("SELECT nope FROM products"), answer(PRODUCT_COUNT_SQL))
    generator = SQLGenerator(llm_config)
    try:
        result = await Pipeline(orchestrator, generator, max_attempts=1).answer(QUESTION)
    finally:
        await generator.aclose()
    assert not result.success
    assert result.metadata["attempts_count"] == 1
    assert len(llm.llm.requests) == 1


async def test_the_rows_are_sent_before_the_explanation_is_asked_for(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL, explanation="Counts products."))
    seen: list[object] = []

    async def progress(event: object) -> None:
        seen.append((event, len(llm.llm.requests)))

    result = await pipeline.answer(QUESTION, progress=progress)
    assert result.success, result.error
    early = [(e, asked) for e, asked in seen if isinstance(e, RowsReady)]
    assert len(early) == 1
    rows, asked_before = early[0]
    assert asked_before == 1  # the SQL call only: the explanation had not been asked for yet
    assert (rows.sql, rows.result) == (result.sql, result.result)
    assert (rows.metadata["server"], rows.metadata["row_count"]) == ("database", 1)
    stages = [e.stage if isinstance(e, ProgressEvent) else "rows" for e, _ in seen]
    assert stages[-4:] == ["executing", "rows", "explaining", "done"]
    assert len(llm.llm.requests) == 2


async def test_an_explanation_that_cannot_be_used_fails_the_whole_answer(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL), {"raw": "It counts the products."})
    result = await pipeline.answer(QUESTION)
    assert not result.success
    assert result.result.rows == []  # nothing half-done: no rows without their explanation
    assert "The query ran, but the LLM's explanation of it could not be used" in result.error  # type: ignore[operator]
    assert result.metadata["error"]["type"] == "LLMOutputError"
    assert len(llm.llm.requests) == 2


async def test_an_llm_server_error_fails_at_once_without_retrying(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    script(llm, {"status": 500, "message": "out of memory"}, answer(PRODUCT_COUNT_SQL))
    result = await pipeline.answer(QUESTION)
    assert not result.success
    assert "out of memory" in result.error  # type: ignore[operator]
    error = result.metadata["error"]
    assert (error["type"], error["stage"], error["status_code"]) == ("LLMUnavailableError", "generating", 503)
    assert result.metadata["attempts_count"] == 0
    assert len(llm.llm.requests) == 1


async def test_a_hung_llm_fails_the_request_with_a_timeout(
    llm: ScriptedLLMServer, orchestrator: Orchestrator, llm_config: LLMConfig
) -> None:
    script(llm, {"hang": True})
    generator = SQLGenerator(replace(llm_config, timeout_seconds=1))
    try:
        result = await Pipeline(orchestrator, generator).answer(QUESTION)
    finally:
        await generator.aclose()
    assert not result.success
    assert (result.metadata["error"]["type"], result.metadata["error"]["status_code"]) == ("LLMTimeoutError", 504)
    assert len(llm.llm.requests) == 1


async def test_no_llm_configured_fails_before_reading_any_server(orchestrator: Orchestrator) -> None:
    progress = Recorder()
    result = await Pipeline(orchestrator, SQLGenerator(LLMConfig(model=None))).answer(QUESTION, progress=progress)
    assert not result.success
    assert "T2T_LLM_MODEL" in result.error  # type: ignore[operator]
    assert result.metadata["error"]["type"] == "LLMNotConfiguredError"
    assert result.metadata["error"]["status_code"] == 503
    assert progress.stages == ["failed"]
    assert result.metadata["timings_ms"]["gather"] == 0


async def test_the_llm_saying_the_data_cannot_answer_fails_without_retrying(
    llm: ScriptedLLMServer, pipeline: Pipeline
) -> None:
    script(llm, answer("", reason="There is no weather data in this database."))
    result = await pipeline.answer(QUESTION)
    assert not result.success
    assert "no weather data" in result.error  # type: ignore[operator]
    assert len(llm.llm.requests) == 1


async def test_a_failing_progress_listener_does_not_fail_the_answer(llm: ScriptedLLMServer, pipeline: Pipeline) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL))

    async def broken(event: ProgressEvent) -> None:
        raise RuntimeError("client went away")

    result = await pipeline.answer(QUESTION, progress=broken)
    assert result.success, result.error


async def test_an_mcp_server_that_is_down_fails_the_request_at_once(
    llm: ScriptedLLMServer,
    llm_config: LLMConfig,
    tmp_path_factory: pytest.TempPathFactory,
    sample_data_dir: Any,
) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL))
    servers = McpServers(tmp_path_factory.mktemp("one-down"), sample_data_dir).start()
    generator = SQLGenerator(llm_config)
    try:
        async with Orchestrator(load_registry(servers.registry)) as orchestrator:
            servers.metadata.kill()
            result = await Pipeline(orchestrator, generator).answer(QUESTION)
    finally:
        await generator.aclose()
        servers.stop()
    assert not result.success
    assert result.metadata["error"]["type"] in ("MCPConnectionError", "MCPTimeoutError", "ResourceFetchError")
    assert result.metadata["error"]["server"] == "product_metadata"
    assert result.result.rows == []
    assert llm.llm.requests == []  # no partial answer from the servers that were still up


async def test_single_server_mode_answers_from_the_database_mcp_alone(
    llm: ScriptedLLMServer, mcp_servers: McpServers, llm_config: LLMConfig
) -> None:
    script(llm, answer(PRODUCT_COUNT_SQL))
    generator = SQLGenerator(llm_config)
    try:
        async with Orchestrator(load_registry(mcp_servers.registry), enable_multi_mcp=False) as orchestrator:
            result = await Pipeline(orchestrator, generator).answer(QUESTION)
    finally:
        await generator.aclose()
    assert result.success, result.error
    assert [s["name"] for s in result.metadata["servers"]] == ["Database MCP"]
    system = llm.llm.requests[0]["messages"][0]["content"]
    assert "database://schema" in system
    assert "resource://product_aliases" not in system
