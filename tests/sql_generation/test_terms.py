"""The metadata terms step (sql_generation/terms.py, T2T_METADATA_TERMS_STEP): the LLM names, from the metadata's
own keys, the names and terms the question uses; their meanings stand next to the question for the SQL step."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from talk2tables.models import ResourceData
from talk2tables.orchestrator import Orchestrator
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.prompt import USES_ASK
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.sql_generation.terms import (
    MAX_MENTIONS,
    mentions_model,
    metadata_terms,
    term_hints,
    used_terms,
    uses_choices,
)
from talk2tables.workflow.pipeline import Pipeline
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.scripts import ABRACADABRA_SQL


def _context(metadata: dict[str, Any]) -> GenerationContext:
    servers = [
        ResourceData(name="Product Metadata MCP", server_key="product_metadata", url="http://m", priority=1,
                     resources={"resource://product_aliases": metadata["product_aliases"],
                                "resource://column_mappings": metadata["column_mappings"]}),
        ResourceData(name="Database MCP", server_key="database", url="http://d", priority=10,
                     capabilities=["execute_query"],
                     resources={"database://schema": {"dialect": "sqlite", "tables": []}}),
    ]  # fmt: skip
    return GenerationContext.from_servers(servers)


@pytest.fixture
def context(sample_data_dir: Path) -> GenerationContext:
    return _context(json.loads((sample_data_dir / "product_metadata.json").read_text()))


def test_every_alias_canonical_name_and_business_term_is_a_choice(context: GenerationContext) -> None:
    terms = metadata_terms(context)
    for name in ("abracadabra", "abra", "magic wand pro", "revenue", "profit"):
        assert name in terms
    assert "how many" not in terms  # generic aggregation words are not worth a step
    schema = mentions_model(terms).model_json_schema()
    enum = schema["properties"]["mentions"]["items"]["enum"]
    assert "abra" in enum
    # In lower case, as the SQL answer's `uses` (Term.choice): "Magic Wand Pro" is offered as "magic wand pro".
    assert "magic wand pro" in enum
    assert "Magic Wand Pro" not in enum
    assert all(name == name.lower() for name in enum)
    # A provider without a grammar may keep the metadata's own case: the name still counts.
    assert mentions_model(terms).model_validate({"mentions": ["Magic Wand Pro"]}).mentions == ["magic wand pro"]
    wand = terms["magic wand pro"]
    assert used_terms([wand.choice, wand.choice.upper(), "not a choice"], terms) == [wand, wand]
    with pytest.raises(ValidationError):
        mentions_model(terms).model_validate({"mentions": ["not a metadata key"]})
    # A few names: the grammar stops a list that loops (the schema bounds it; a longer list still parses).
    assert schema["properties"]["mentions"]["maxItems"] == MAX_MENTIONS
    assert len(mentions_model(terms).model_validate({"mentions": ["abra"] * 6}).mentions) == 6


def test_hints_give_the_meaning_of_each_chosen_term_once(context: GenerationContext) -> None:
    terms = metadata_terms(context)
    text = term_hints(["abra", "Revenue", "abra"], terms)
    assert text.count("\"abra\" is the product Magic Wand Pro: products.product_name = 'Magic Wand Pro'") == 1
    assert '"revenue" is sales.total_amount' in text
    assert term_hints([], terms) == ""
    # Values are SQL literals, ready to copy: a quote inside a name is doubled.
    assert "products.product_name = 'Chef''s Cast Iron Skillet' AND products.product_id = 151" in term_hints(
        ["skillet"], terms
    )


@pytest.mark.e2e
async def test_the_pipeline_puts_the_chosen_meanings_under_the_question(
    llm: ScriptedLLMServer, llm_config: LLMConfig, orchestrator: Orchestrator
) -> None:
    content = {"mentions": ["abracadabra"], "sql": ABRACADABRA_SQL, "resolved_entities": [],
               "explanation": "Total sales of the Magic Wand Pro.", "confidence": 0.9}  # fmt: skip
    llm.llm.set_script([{"match": "abracadabra", "responses": [{"content": content}]}])
    generator = SQLGenerator(llm_config)
    try:
        result = await Pipeline(orchestrator, generator, terms_step=True).answer("Total sales of abracadabra?")
    finally:
        await generator.aclose()
    assert result.success, result.error
    assert [c["step"] for c in result.metadata["llm_calls"]] == ["terms", "sql", "explain"]
    pick, sql, explain = llm.llm.requests
    enum = pick["response_format"]["schema"]["properties"]["mentions"]["items"]["enum"]
    assert "abracadabra" in enum  # the reply is held to the metadata's own keys
    assert pick["messages"][0] == sql["messages"][0]  # one system message: the prompt prefix is shared
    question = sql["messages"][-1]["content"]
    assert "Total sales of abracadabra?" in question
    assert '"abracadabra" is the product Magic Wand Pro' in question
    # The hints come from a server's metadata: they stand in the data fence, after the question.
    fenced = question.split("<resources>", 1)[1].split("</resources>", 1)[0]
    assert '"abracadabra" is the product Magic Wand Pro' in fenced
    assert question.startswith("Question: Total sales of abracadabra?\n<resources>")
    assert '"abracadabra" is the product Magic Wand Pro' in explain["messages"][1]["content"]


@pytest.mark.e2e
async def test_an_unusable_pick_leaves_the_question_alone(
    llm: ScriptedLLMServer, llm_config: LLMConfig, orchestrator: Orchestrator
) -> None:
    content = {"mentions": ["no such product"], "sql": ABRACADABRA_SQL, "resolved_entities": [],
               "explanation": "Total sales.", "confidence": 0.9}  # fmt: skip
    llm.llm.set_script([{"match": "abracadabra", "responses": [{"content": content}]}])
    generator = SQLGenerator(llm_config)
    try:
        result = await Pipeline(orchestrator, generator, terms_step=True).answer("Total sales of abracadabra?")
    finally:
        await generator.aclose()
    assert result.success, result.error
    assert result.metadata["llm_calls"][0]["outcome"] == "error"
    # The SQL step's own ask, as without the terms step: list the names first.
    assert llm.llm.requests[1]["messages"][-1]["content"] == f"Question: Total sales of abracadabra?\n{USES_ASK}"


def test_each_choice_of_the_sql_answers_uses_is_the_name_then_one_condition_or_the_terms_meaning() -> None:
    metadata = {
        "product_aliases": {
            "wand": {"canonical_name": "Magic Wand Pro", "aliases": ["abra"],
                     "database_references": {"products.product_id": 123, "products.product_name": "Magic Wand Pro"}},
            "orb": {"canonical_name": "Crystal Ball", "database_references": {"products.product_id": 124}},
            "hat": {"canonical_name": "Top Hat"},
        },
        "column_mappings": {"user_friendly_terms": {"revenue": "sales.total_amount"}},
    }  # fmt: skip
    choices = uses_choices(metadata_terms(_context(metadata)))
    # The condition on the canonical name, wherever it stands among the references; else the first reference.
    assert choices["abra -> products.product_name = 'Magic Wand Pro'"].name == "abra"
    assert "orb -> products.product_id = 124" in choices
    assert "hat -> Top Hat" in choices  # no database reference: what the metadata says
    assert choices["revenue -> sales.total_amount"].kind == "column"
