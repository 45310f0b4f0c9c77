"""Large schemas (sql_generation/tables.py, T2T_SCHEMA_TOKEN_BUDGET): the LLM chooses the tables from a compact
list, the prompt carries only those (and what their foreign keys name), validation still knows every table."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from talk2tables.models import ResourceData
from talk2tables.orchestrator import Orchestrator
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.sql_generation.tables import narrowed, schema_tokens, selection_prompt, table_names, tables_model
from talk2tables.workflow.pipeline import Pipeline
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.scripts import PRODUCT_COUNT_SQL


def _table(name: str, columns: list[str], fks: list[tuple[str, str]] = ()) -> dict[str, object]:  # type: ignore[assignment]
    return {
        "name": name,
        "columns": [{"name": c, "type": "INTEGER"} for c in columns],
        "foreign_keys": [{"columns": [c], "references_table": t, "references_columns": [c]} for c, t in fks],
    }


@pytest.fixture
def context() -> GenerationContext:
    schema = {"dialect": "sqlite", "tables": [
        _table("orders", ["order_id", "customer_id"], [("customer_id", "customers")]),
        _table("customers", ["customer_id", "name"]),
        _table("products", ["product_id", "name"]),
        _table("suppliers", ["supplier_id", "name"]),
    ]}  # fmt: skip
    server = ResourceData(name="Database MCP", server_key="database", url="http://d", priority=10,
                          capabilities=["execute_query"],
                          resources={"database://schema": schema, "database://metadata": "# Shop"})  # fmt: skip
    return GenerationContext.from_servers([server])


def test_the_choice_is_held_to_the_real_tables_and_listed_compactly(context: GenerationContext) -> None:
    assert list(table_names(context)) == ["orders", "customers", "products", "suppliers"]
    assert schema_tokens(context) > 0
    prompt = selection_prompt(context)
    assert "orders(order_id, customer_id)" in prompt
    assert "# Shop" in prompt
    model = tables_model(list(table_names(context)))
    assert model.model_validate({"tables": ["orders"]}).tables == ["orders"]  # type: ignore[attr-defined]
    with pytest.raises(ValidationError):
        model.model_validate({"tables": ["invoices"]})


def test_the_cut_keeps_the_chosen_tables_and_those_their_foreign_keys_name(context: GenerationContext) -> None:
    cut = narrowed(context, ["orders"])
    assert [t["name"] for t in cut.tables] == ["orders", "customers"]
    assert cut.servers[0].resources["database://metadata"] == "# Shop"
    assert narrowed(context, ["nothing we know"]) is context  # no usable choice: the whole schema


@pytest.mark.e2e
async def test_a_schema_over_the_budget_is_cut_to_the_chosen_tables_for_the_prompt_only(
    llm: ScriptedLLMServer, llm_config: LLMConfig, orchestrator: Orchestrator
) -> None:
    content = {"tables": ["products"], "sql": PRODUCT_COUNT_SQL, "resolved_entities": [], "explanation": "Count.",
               "confidence": 0.9}  # fmt: skip
    llm.llm.set_script([{"match": "products", "responses": [{"content": content}]}])
    generator = SQLGenerator(llm_config)
    try:
        pipeline = Pipeline(orchestrator, generator, schema_token_budget=100)  # the sample schema is far over it
        result = await pipeline.answer("How many products are there?")
    finally:
        await generator.aclose()
    assert result.success, result.error
    assert result.metadata["tables_chosen"] == ["products"]
    assert [c["step"] for c in result.metadata["llm_calls"]] == ["tables", "sql", "explain"]
    select, sql, _ = llm.llm.requests
    assert "sales(" in select["messages"][0]["content"]  # the list has every table
    assert "products" in select["response_format"]["schema"]["properties"]["tables"]["items"]["enum"]
    system = sql["messages"][0]["content"]
    assert "CREATE TABLE products (" in system
    assert "CREATE TABLE sales (" not in system


@pytest.mark.e2e
async def test_validation_still_knows_every_table_and_a_small_schema_skips_the_step(
    llm: ScriptedLLMServer, llm_config: LLMConfig, orchestrator: Orchestrator
) -> None:
    content = {"tables": ["products"], "sql": "SELECT COUNT(*) FROM sales", "resolved_entities": [],
               "explanation": "Count.", "confidence": 0.9}  # fmt: skip
    llm.llm.set_script([{"match": "sales", "responses": [{"content": content}]}])
    generator = SQLGenerator(llm_config)
    try:
        cut = await Pipeline(orchestrator, generator, schema_token_budget=100).answer("How many sales?")
        whole = await Pipeline(orchestrator, generator, schema_token_budget=100_000).answer("How many sales?")
    finally:
        await generator.aclose()
    assert cut.success, cut.error  # sales was not chosen, but it exists: the database is the truth
    assert whole.success, whole.error
    assert "tables_chosen" not in whole.metadata
    assert [c["step"] for c in whole.metadata["llm_calls"]] == ["sql", "explain"]
