"""Every question the web UI suggests, and every question of the multi-database set, has a gold answer, and on
freshly made sample data that answer has rows.

The sample data ends yesterday, so questions about "this year" or "last year" must find rows on any day it is
made. Each gold SQL runs where its `server` says: the shop's (`database`, the default) and the support desk's
(`support`) through the Database MCP's own executor (guard, read-only connection); a spanning question's parts
(`server: combine`) each on its own database, combined in memory as the product combines its own parts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.executor import QueryExecutor
from talk2tables.sample_data.writer import write_sample_data
from talk2tables.workflow.combine import CombineLimits, combine
from talk2tables.workflow.evaluation import EvalCase, load_cases

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "frontend" / "src" / "lib" / "examples.ts"
EVALS = REPO_ROOT / "evals"
MULTI_DATABASE_SET = EVALS / "multi_database_questions.yaml"
SERVERS = ("database", "support", "combine")
STRING_LITERAL = r'"((?:[^"\\]|\\.)+)"'

Run = Callable[[EvalCase], list[list[Any]]]


def suggested_questions() -> list[str]:
    """The string literals in the `questions: [...]` lists of the UI's example groups."""
    lists = re.findall(r"questions:\s*\[(.*?)\]", EXAMPLES.read_text(encoding="utf-8"), flags=re.DOTALL)
    questions = [question for block in lists for question in re.findall(STRING_LITERAL, block)]
    assert len(questions) >= 3, f"no example questions found in {EXAMPLES}"
    return questions


def raw_entries(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries = data.get("questions") if isinstance(data, dict) else data
    return [entry for entry in entries if isinstance(entry, dict)]


def gold_by_question() -> dict[str, EvalCase]:
    """question → its case (gold SQL, server, parts) over every question set in evals/."""
    return {case.question: case for path in sorted(EVALS.glob("*.yaml")) for case in load_cases(path)}


def server_of(case: EvalCase) -> str:
    return case.server or "database"


def multi_database_questions() -> list[str]:
    return [case.question for case in load_cases(MULTI_DATABASE_SET)]


@pytest.fixture(scope="module")
def run_gold(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    files = write_sample_data(tmp_path_factory.mktemp("fresh-sample"))
    engines = {
        "database": create_readonly_engine(str(files.database)),
        "support": create_readonly_engine(str(files.support_database)),
    }
    executors = {
        server: QueryExecutor(engine, max_rows=1000, statement_timeout_seconds=10) for server, engine in engines.items()
    }

    def run(case: EvalCase) -> list[list[Any]]:
        if not case.gold_parts:
            return executors[server_of(case)].execute(case.gold_sql).rows
        parts = {part.name: executors[part.server].execute(part.sql) for part in case.gold_parts}
        return combine(case.gold_sql, parts, CombineLimits()).rows

    yield run
    for engine in engines.values():
        engine.dispose()


def test_every_suggested_question_has_a_gold_answer_in_the_evals() -> None:
    gold = gold_by_question()
    missing = [question for question in suggested_questions() if question not in gold]
    assert not missing, f"add these UI questions, with gold SQL, to evals/*.yaml: {missing}"


def test_the_ui_suggests_questions_for_each_database_and_one_spanning_both() -> None:
    gold = gold_by_question()
    servers = Counter(server_of(gold[question]) for question in suggested_questions() if question in gold)
    assert servers["database"] >= 2
    assert servers["support"] >= 2
    assert servers["combine"] >= 1


def test_the_multi_database_set_routes_to_each_database_and_spans_both() -> None:
    entries = raw_entries(MULTI_DATABASE_SET)
    assert all(entry.get("server") in SERVERS for entry in entries), [e.get("id") for e in entries]
    servers = Counter(str(entry["server"]) for entry in entries)
    assert servers["database"] + servers["support"] >= 10
    assert min(servers["database"], servers["support"]) >= 4
    assert servers["combine"] >= 5
    assert all(len(entry["gold_parts"]) == 2 for entry in entries if entry["server"] == "combine")
    assert len({entry["id"] for entry in entries}) == len(entries)


@pytest.mark.parametrize("question", sorted(set(suggested_questions()) | set(multi_database_questions())))
def test_each_gold_answer_finds_rows_on_fresh_sample_data(question: str, run_gold: Run) -> None:
    gold = gold_by_question().get(question)
    if gold is None:
        pytest.fail(f"no gold SQL for the question {question!r}")
    rows = run_gold(gold)
    assert len(rows) >= 1, question
    assert all(value is not None for row in rows for value in row), (question, rows[:3])
