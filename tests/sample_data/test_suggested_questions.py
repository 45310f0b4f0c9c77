"""Every question the web UI suggests has a gold answer, and on freshly made sample data that answer has rows.

The sample data ends yesterday, so questions about "this year" or "last year" must find rows on any day it is
made; the gold SQL runs through the Database MCP's own executor (guard, read-only connection)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.executor import QueryExecutor
from talk2tables.sample_data.database import write_sample_database
from talk2tables.workflow.evaluation import load_cases

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "frontend" / "src" / "lib" / "examples.ts"
EVALS = REPO_ROOT / "evals"


def suggested_questions() -> list[str]:
    """The string literals of the UI's list of example questions."""
    questions = re.findall(r'"((?:[^"\\]|\\.)+)"', EXAMPLES.read_text(encoding="utf-8"))
    assert len(questions) >= 3, f"no example questions found in {EXAMPLES}"
    return questions


def gold_sql_by_question() -> dict[str, str]:
    return {case.question: case.gold_sql for path in sorted(EVALS.glob("*.yaml")) for case in load_cases(path)}


@pytest.fixture(scope="module")
def fresh_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueryExecutor]:
    database = write_sample_database(tmp_path_factory.mktemp("fresh-sample") / "shop.db")
    engine = create_readonly_engine(str(database))
    yield QueryExecutor(engine, max_rows=1000, statement_timeout_seconds=10)
    engine.dispose()


def test_every_suggested_question_has_a_gold_answer_in_the_evals() -> None:
    gold = gold_sql_by_question()
    missing = [question for question in suggested_questions() if question not in gold]
    assert not missing, f"add these UI questions, with gold SQL, to evals/sample_questions.yaml: {missing}"


@pytest.mark.parametrize("question", suggested_questions())
def test_each_suggested_question_finds_rows_on_fresh_sample_data(question: str, fresh_sample: QueryExecutor) -> None:
    gold = gold_sql_by_question().get(question)
    if gold is None:
        pytest.fail(f"no gold SQL for the suggested question {question!r}")
    result = fresh_sample.execute(gold)
    assert result.row_count >= 1, question
    assert all(value is not None for row in result.rows for value in row), (question, result.rows[:3])
