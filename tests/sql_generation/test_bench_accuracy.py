"""`make bench-accuracy` (benchmarks.accuracy): the committed question sets are sound, and a run scores the product
and the bare model by execution, failure kind by failure kind. The LLM is the scripted one, so only the plumbing
and the scoring are checked; accuracy itself means something only with a real model (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
import yaml
from benchmarks.accuracy import _parse, product_outcome, render, run
from benchmarks.question_sets import (
    LARGE_SCHEMA_DIR,
    METADATA_QUESTIONS,
    SPIDER_DIR,
    build_spider_database,
    databases_of,
    load_questions,
    run_read_only,
)

from talk2tables.errors import ConfigurationError
from talk2tables.models import QueryResult
from tests.support.scripted_llm import MODEL_ID, ScriptedLLMServer, answer
from tests.support.system import API_KEY, McpServers

ENV = ("T2T_LLM_MODEL", "OPENAI_BASE_URL", "T2T_LLM_TIMEOUT", "T2T_REQUEST_TIMEOUT", "T2T_LLM_MAX_RETRIES",
       "OPENAI_API_KEY", "DATABASE_URL", "MCP_CONFIG_PATH")  # fmt: skip


def test_the_spider_set_is_public_sized_and_every_gold_query_runs_on_its_rebuilt_database(tmp_path: Path) -> None:
    questions = load_questions(SPIDER_DIR / "questions.yaml")
    assert len(questions) >= 150
    assert len(databases_of(questions)) >= 5
    assert "chinook" not in " ".join(databases_of(questions)).lower()  # an outside evaluation uses it
    assert len({q.id for q in questions}) == len(questions)
    # Interleaved: the first few questions already cover every database, so --limit is a sample of all.
    assert {q.db for q in questions[: len(databases_of(questions))]} == set(databases_of(questions))
    paths = {name: build_spider_database(name, tmp_path) for name in databases_of(questions)}
    answered = sum(bool(run_read_only(paths[q.db], q.gold_sql)[1]) for q in questions)
    assert answered >= 190  # as published, a few gold queries return no row


def test_the_large_schema_set_has_over_100_tables_and_30_questions_that_run(tmp_path: Path) -> None:
    questions = load_questions(LARGE_SCHEMA_DIR / "questions.yaml")
    assert len(questions) >= 30
    assert databases_of(questions) == ["large_schema"]
    path = build_spider_database("large_schema", tmp_path, source=LARGE_SCHEMA_DIR)
    tables = run_read_only(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'")[1][0][0]
    assert tables >= 100
    assert all(run_read_only(path, q.gold_sql)[1] for q in questions)


def test_the_metadata_set_has_30_questions_each_naming_an_alias_or_a_term(sample_data_dir: Path) -> None:
    questions = load_questions(METADATA_QUESTIONS, default_db="database")
    assert len(questions) >= 30
    metadata = (sample_data_dir / "product_metadata.json").read_text()
    for question in questions:  # the gold SQL filters on canonical names the question never says
        for name in ("Magic Wand Pro", "Crystal Ball Deluxe", "Quantum Laptop X1", "Velocity Running Shoes"):
            if name in question.gold_sql:
                assert name.lower() not in question.question.lower()
                assert name in metadata
    rows = [run_read_only(sample_data_dir / "multi_mcp_test.db", q.gold_sql)[1] for q in questions]
    assert all(r and any(v is not None for v in r[0]) for r in rows)  # every gold answer has data


def test_a_failure_after_the_query_ran_is_no_explanation_not_a_database_error() -> None:
    ran = {"attempt": 1, "sql": "SELECT 1", "error": None, "stage": "executing", "error_type": None}
    failed = {**ran, "error": "no such column: x", "error_type": "QueryExecutionError"}
    error = "The query ran, but the LLM's explanation of it could not be used: token limit"
    after_rows = QueryResult(success=False, query="q", sql="SELECT 1", error=error, metadata={"attempts": [ran]})
    assert product_outcome(after_rows, False, "", 1.0).kind == "no explanation"
    refused = QueryResult(success=False, query="q", sql="SELECT x", error="no such column: x",
                          metadata={"attempts": [failed]})  # fmt: skip
    assert product_outcome(refused, False, "", 1.0).kind == "database error"


def test_a_question_file_with_mistakes_names_each_entry(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump([{"id": "a", "question": "q", "gold_sql": "SELECT 1", "db": "x"},
                                    {"id": "a", "question": "q2", "gold_sql": "SELECT 2", "db": "x"},
                                    {"id": "b", "question": "", "gold_sql": "SELECT 1"}]))  # fmt: skip
    with pytest.raises(ConfigurationError) as caught:
        load_questions(path)
    assert "entry 2: the id 'a' is used twice" in caught.value.message
    assert "entry 3: missing question, db" in caught.value.message
    with pytest.raises(ConfigurationError, match="No database 'nope'"):
        build_spider_database("nope", tmp_path)


SPIDER_CASES = [
    # (id, db, question, gold, the LLM's answers in turn)
    ("both-right", "concert_singer", "How many singers do we have?", "SELECT count(*) FROM singer",
     [answer("SELECT count(*) FROM singer")]),
    ("recovered", "pets_1", "Find the number of pets whose weight is heavier than 10.",
     "SELECT count(*) FROM pets WHERE weight > 10",
     [answer("SELECT nope FROM pets"), answer("SELECT count(*) FROM pets WHERE weight > 10")]),
    ("wrong-order", "concert_singer", "Show name, country, age for all singers ordered by age from the oldest.",
     "SELECT name, country, age FROM singer ORDER BY age DESC",
     [answer("SELECT name, country, age FROM singer ORDER BY age ASC")]),
    ("writes", "pets_1", "Remove every pet", "SELECT count(*) FROM pets", [answer("DELETE FROM pets")]),
    ("no-json", "pets_1", "Tell me a story about pets", "SELECT count(*) FROM pets", [{"raw": "Once upon a time"}]),
]  # fmt: skip


@pytest.mark.e2e
def test_a_spider_run_scores_the_product_and_the_bare_model_by_execution(
    llm: ScriptedLLMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENV:
        monkeypatch.setenv(name, "")  # restored after the test, whatever the benchmark sets
    monkeypatch.setenv("T2T_LLM_MODEL", f"openai:{MODEL_ID}")
    monkeypatch.setenv("OPENAI_BASE_URL", llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    questions = tmp_path / "questions.yaml"
    questions.write_text(yaml.safe_dump([{"id": i, "db": db, "question": q, "gold_sql": gold}
                                         for i, db, q, gold, _ in SPIDER_CASES]))  # fmt: skip
    llm.llm.set_script([{"match": q, "responses": responses} for _, _, q, _, responses in SPIDER_CASES])
    report = asyncio.run(run(_parse(["--questions", str(questions), "--timeout", "20"])))

    product = {r.id: r.product for r in report.records}
    bare = {r.id: r.bare for r in report.records}
    assert {i: (o.kind, o.attempts) for i, o in product.items() if o} == {
        "both-right": ("correct", 1),
        "recovered": ("correct", 2),
        "wrong-order": ("wrong result", 1),
        "writes": ("refused by validation", 3),
        "no-json": ("no SQL", 3),
    }
    assert product["recovered"] is not None
    assert product["recovered"].recovered
    # The bare model gets one completion: the first answer of each script, run as it is.
    assert {i: o.kind for i, o in bare.items() if o} == {
        "both-right": "correct",
        "recovered": "database error",
        "wrong-order": "wrong result",
        "writes": "database error",  # the read-only engine refused the DELETE: the database enforces it too
        "no-json": "no SQL",
    }
    assert "no such column" in (bare["recovered"].detail if bare["recovered"] else "")
    summary = report.to_dict()["summary"]
    assert (summary["product"]["correct"], summary["bare"]["correct"]) == (2, 1)
    assert summary["product"]["failures"] == {"wrong result": 1, "database error": 0, "refused by validation": 1,
                                              "no SQL": 1, "no explanation": 0}  # fmt: skip
    assert (summary["product"]["needed_recovery"], summary["product"]["recovered"]) == (3, 1)
    assert summary["product"]["attempts"] == {1: 2, 2: 1, 3: 2}
    text = render(report)
    assert "40.0% (2/5)" in text
    assert "20.0% (1/5)" in text
    # The bare model read the database's own DDL and the question alone; the product, its prompt and resources.
    bare_requests = [r for r in llm.llm.requests if "<resources>" not in str(r["messages"][0]["content"])]
    assert len(bare_requests) == len(SPIDER_CASES)
    assert all(Counter(m["role"] for m in r["messages"]) == {"system": 1, "user": 1} for r in bare_requests)
    # The first SQL attempt (and the bare model) at temperature 0; the product's retries sampled.
    temperatures = Counter(r.get("temperature") for r in llm.llm.requests)
    assert set(temperatures) == {0.0, 0.7}
    assert temperatures[0.7] == 1 + 2 + 2  # recovered: 1 retry; writes and no-json: 2 each


@pytest.mark.e2e
def test_a_metadata_run_gives_the_bare_model_the_metadata_and_the_product_its_servers(
    llm: ScriptedLLMServer, mcp_servers: McpServers, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ENV:
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("T2T_LLM_MODEL", f"openai:{MODEL_ID}")
    monkeypatch.setenv("OPENAI_BASE_URL", llm.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("DATABASE_URL", str(mcp_servers.database_path))
    right = ("SELECT SUM(s.total_amount) FROM sales s JOIN products p ON p.product_id = s.product_id "
             "WHERE p.product_name = 'Magic Wand Pro'")  # fmt: skip
    llm.llm.set_script([{"match": "revenue of abra", "responses": [answer(right)]},
                        {"match": "", "responses": [answer("SELECT 0")]}])  # fmt: skip
    args = _parse(["--set", "metadata", "--limit", "2", "--config", str(mcp_servers.registry), "--timeout", "20"])
    report = asyncio.run(run(args))
    kinds = [(r.id, r.product.kind if r.product else None, r.bare.kind if r.bare else None) for r in report.records]
    assert kinds == [("alias-abra-revenue", "correct", "correct"), ("alias-cadabra-units", "wrong result",
                                                                    "wrong result")]  # fmt: skip
    bare_systems = [str(r["messages"][0]["content"]) for r in llm.llm.requests if "<resources>" not in
                    str(r["messages"][0]["content"])]  # fmt: skip
    assert len(bare_systems) == 2
    assert all("Magic Wand Pro" in s and "abracadabra" in s for s in bare_systems)  # the metadata, appended
