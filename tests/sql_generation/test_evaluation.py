"""The eval runner: result-set comparison, metrics, the question file, and a run against the real system."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from talk2tables.errors import ConfigurationError
from talk2tables.orchestrator import Orchestrator
from talk2tables.workflow.evaluation import (
    EvalCase,
    compare_results,
    gold_is_ordered,
    load_cases,
    percentile,
    run_eval,
)
from talk2tables.workflow.pipeline import Pipeline
from tests.support.processes import REPO_ROOT
from tests.support.scripted_llm import ScriptedLLMServer, answer

SAMPLE_SET = REPO_ROOT / "evals" / "sample_questions.yaml"


def test_equal_result_sets_in_another_row_order_match_when_the_gold_does_not_order() -> None:
    assert compare_results([[1, "a"], [2, "b"]], [[2, "b"], [1, "a"]], ordered=False) == (True, "match")


def test_row_order_matters_when_the_gold_sql_orders() -> None:
    correct, reason = compare_results([[1], [2]], [[2], [1]], ordered=True)
    assert not correct
    assert "different order" in reason
    assert compare_results([[1], [2]], [[1], [2]], ordered=True)[0]


def test_float_noise_is_tolerated_but_real_differences_are_not() -> None:
    assert compare_results([[57838.28999999986]], [[57838.29]], ordered=False)[0]
    assert compare_results([[3]], [[3.0]], ordered=False)[0]
    assert not compare_results([[269.43678851174934]], [[269.44]], ordered=False)[0]


def test_columns_in_another_order_still_match() -> None:
    assert compare_results([["Books", 3], ["Toys", 2]], [[2, "Toys"], [3, "Books"]], ordered=False) == (
        True,
        "match (columns in another order)",
    )


def test_different_shapes_say_what_differs() -> None:
    assert compare_results([[1], [2]], [[1]], ordered=False) == (False, "1 rows, expected 2")
    assert compare_results([[1]], [[1, "x"]], ordered=False) == (False, "2 columns, expected 1")
    assert compare_results([[None, 1]], [[None, 2]], ordered=False) == (False, "different values")
    assert compare_results([], [], ordered=False)[0]


def test_mixed_types_and_nulls_sort_without_errors() -> None:
    assert compare_results([[None], ["a"], [1]], [[1], [None], ["a"]], ordered=False)[0]


@pytest.mark.parametrize(
    ("sql", "ordered"),
    [
        ("SELECT a FROM t ORDER BY a", True),
        ("SELECT a FROM t", False),
        ("SELECT a FROM (SELECT a FROM t ORDER BY a) x", False),
        ("WITH x AS (SELECT a FROM t) SELECT a FROM x ORDER BY a DESC LIMIT 5", True),
        ("SELECT a FROM t UNION SELECT b FROM u ORDER BY 1", True),
        ("not sql at all (", False),
    ],
)
def test_only_a_top_level_order_by_makes_the_gold_ordered(sql: str, ordered: bool) -> None:
    assert gold_is_ordered(sql) is ordered


def test_percentiles_interpolate() -> None:
    assert percentile([], 50) == 0.0
    assert percentile([10.0], 95) == 10.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([float(i) for i in range(1, 101)], 95) == pytest.approx(95.05)


def test_loads_yaml_and_json_question_sets(tmp_path: Path) -> None:
    json_file = tmp_path / "set.json"
    json_file.write_text(json.dumps({"questions": [{"question": "Q?", "gold_sql": "SELECT 1", "id": "q1"}]}))
    assert load_cases(json_file) == [EvalCase("q1", "Q?", "SELECT 1")]
    cases = load_cases(SAMPLE_SET)
    assert len(cases) >= 10
    assert len({c.id for c in cases}) == len(cases)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "non-empty list"),
        ("- question: only a question\n", "entry 1: missing gold_sql"),
        ("- just text\n", "entry 1: expected a mapping"),
        ("questions: [unclosed", "not valid YAML"),
    ],
)
def test_an_invalid_question_set_names_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=message):
        load_cases(path)


def test_a_missing_question_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Cannot read the question set"):
        load_cases(tmp_path / "absent.yaml")


async def test_every_gold_query_of_the_shipped_set_runs_on_the_sample_data(orchestrator: Orchestrator) -> None:
    for case in load_cases(SAMPLE_SET):
        rows = await orchestrator.execute_query(case.gold_sql)
        assert rows.rows, case.id
        assert all(v is not None for v in rows.rows[0]), case.id


async def test_scores_accuracy_recovery_and_latency_against_the_real_system(
    llm: ScriptedLLMServer, pipeline: Pipeline, orchestrator: Orchestrator
) -> None:
    cases = [
        EvalCase("right", "How many customers do we have?", "SELECT COUNT(*) FROM customers"),
        EvalCase("reordered", "Products per category?", "SELECT category, COUNT(*) FROM products GROUP BY category"),
        EvalCase("recovered", "How many orders?", "SELECT COUNT(*) FROM orders"),
        EvalCase("wrong", "How many products?", "SELECT COUNT(*) FROM products"),
        EvalCase("unanswered", "Impossible?", "SELECT 1"),
    ]
    llm.llm.set_script(
        [
            {"match": "customers do we have", "responses": [answer("SELECT COUNT(customer_id) FROM customers")]},
            {"match": "per category", "responses": [
                answer("SELECT COUNT(*) AS n, category FROM products GROUP BY category ORDER BY n")]},
            {"match": "how many orders", "responses": [
                answer("SELECT COUNT(order_no) FROM orders"), answer("SELECT COUNT(*) FROM orders")]},
            {"match": "how many products", "responses": [answer("SELECT COUNT(*) FROM customers")]},
            {"match": "impossible", "responses": [answer("SELECT nope FROM nowhere")]},
        ]
    )  # fmt: skip
    seen: list[str] = []
    report = await run_eval(cases, pipeline.answer, orchestrator, on_result=lambda r: seen.append(r.id))
    assert seen == [c.id for c in cases]
    by_id = {c.id: c for c in report.cases}
    assert [c.id for c in report.cases if c.correct] == ["right", "reordered", "recovered"]
    assert by_id["recovered"].recovered
    assert by_id["recovered"].attempts == 2
    assert by_id["wrong"].reason == "different values"
    assert by_id["unanswered"].reason.startswith("not answered:")
    summary = report.summary()
    assert summary["questions"] == 5
    assert summary["correct"] == 3
    assert summary["execution_accuracy"] == 0.6
    assert (summary["needed_recovery"], summary["recovered"]) == (2, 1)
    assert summary["recovery_rate"] == 0.5
    assert 0 < summary["latency_ms"]["p50"] <= summary["latency_ms"]["p95"]
    assert json.loads(json.dumps(report.to_dict()))["cases"][0]["id"] == "right"


async def test_a_broken_gold_query_is_reported_as_a_problem_of_the_question_set(
    llm: ScriptedLLMServer, pipeline: Pipeline, orchestrator: Orchestrator
) -> None:
    llm.llm.set_script([{"match": "", "responses": [answer("SELECT COUNT(*) FROM products")]}])
    report = await run_eval(
        [EvalCase("bad-gold", "How many products?", "SELECT COUNT(*) FROM no_such_table")],
        pipeline.answer,
        orchestrator,
    )
    assert not report.cases[0].correct
    assert "the gold SQL failed" in report.cases[0].reason
