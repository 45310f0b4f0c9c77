"""`talk2tables eval`: run a question set end to end and compare each answer's rows with its gold SQL's.

Execution accuracy = answers whose result set equals the gold query's result set (run through the same
orchestrator and database); order matters only when the gold SQL orders its top-level result; numbers are
compared to 10 significant digits; columns may come in another order. Also: recovery rate (of questions whose
first attempt failed, how many were answered) and latency p50/p95 of whole answers.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp
from sqlglot.errors import SqlglotError

from talk2tables.errors import ConfigurationError, Talk2TablesError
from talk2tables.logging import Timer, get_logger
from talk2tables.models import QueryResult, QueryRows
from talk2tables.workflow.combine import CombineLimits, combine
from talk2tables.workflow.comparison import compare_results
from talk2tables.workflow.pipeline import OrchestratorLike

log = get_logger(__name__)


@dataclass(frozen=True)
class GoldPart:
    """One database's share of a gold answer that spans databases (combined like the product's own parts)."""

    name: str
    server: str
    sql: str


@dataclass(frozen=True)
class EvalCase:
    id: str
    question: str
    gold_sql: str
    server: str | None = None  # the registry key the gold SQL runs on; default: the highest-priority database
    gold_parts: tuple[GoldPart, ...] = ()  # when set, gold_sql combines their rows (SQLite, in memory)


@dataclass
class CaseResult:
    id: str
    question: str
    gold_sql: str
    sql: str | None
    correct: bool
    success: bool
    attempts: int
    first_attempt_failed: bool
    recovered: bool
    latency_ms: float
    reason: str
    error: str | None = None
    time_to_rows_ms: float | None = None  # when the SQL and rows were ready, before the explanation
    llm_calls: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class EvalReport:
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.cases)

    @property
    def correct(self) -> int:
        return sum(c.correct for c in self.cases)

    @property
    def execution_accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def recovery_rate(self) -> float | None:
        """Of the questions whose first attempt failed, the share answered in a later attempt."""
        needed = [c for c in self.cases if c.first_attempt_failed]
        return sum(c.recovered for c in needed) / len(needed) if needed else None

    def latency(self, q: float) -> float:
        return percentile([c.latency_ms for c in self.cases], q)

    def time_to_rows(self, q: float) -> float | None:
        values = [c.time_to_rows_ms for c in self.cases if c.time_to_rows_ms is not None]
        return round(percentile(values, q), 1) if values else None

    def summary(self) -> dict[str, Any]:
        return {
            "questions": self.total,
            "correct": self.correct,
            "execution_accuracy": round(self.execution_accuracy, 4),
            "answered": sum(c.success for c in self.cases),
            "needed_recovery": sum(c.first_attempt_failed for c in self.cases),
            "recovered": sum(c.recovered for c in self.cases),
            "recovery_rate": None if self.recovery_rate is None else round(self.recovery_rate, 4),
            "latency_ms": {"p50": round(self.latency(50), 1), "p95": round(self.latency(95), 1)},
            "time_to_rows_ms": {"p50": self.time_to_rows(50), "p95": self.time_to_rows(95)},
        }

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "cases": [asdict(c) for c in self.cases]}


def load_cases(path: Path) -> list[EvalCase]:
    """A YAML or JSON list of {question, gold_sql[, id]} (or a mapping with a `questions` list)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(f"Cannot read the question set {path}: {exc.strerror or exc}.") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("questions")
    if not isinstance(data, list) or not data:
        raise ConfigurationError(f"{path} must hold a non-empty list of {{question, gold_sql}} entries.")
    cases, problems = [], []
    for index, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            problems.append(f"entry {index}: expected a mapping with question and gold_sql")
            continue
        missing = [k for k in ("question", "gold_sql") if not str(entry.get(k) or "").strip()]
        if missing:
            problems.append(f"entry {index}: missing {' and '.join(missing)}")
            continue
        try:
            raw_parts = entry.get("gold_parts") or []
            parts = tuple(GoldPart(str(p["name"]), str(p["server"]), str(p["sql"])) for p in raw_parts)
        except (KeyError, TypeError):
            problems.append(f"entry {index}: each of gold_parts needs name, server and sql")
            continue
        server = str(entry["server"]) if entry.get("server") else None
        question = str(entry["question"]).strip()
        cases.append(EvalCase(str(entry.get("id") or index), question, str(entry["gold_sql"]), server, parts))
    if problems:
        raise ConfigurationError(f"{path} has invalid entries: " + "; ".join(problems))
    return cases


async def run_eval(
    cases: Sequence[EvalCase],
    answer: Callable[[str], Awaitable[QueryResult]],
    orchestrator: OrchestratorLike,
    *,
    on_result: Callable[[CaseResult], None] | None = None,
) -> EvalReport:
    """Answer each question (sequentially: a local model serves one request at a time) and score it."""
    report = EvalReport()
    for case in cases:
        timer = Timer()
        result = await answer(case.question)
        latency = timer.elapsed_ms
        scored = await _score(case, result, latency, orchestrator)
        log.info("eval_case", case=case.id, correct=scored.correct, reason=scored.reason, duration_ms=latency)
        report.cases.append(scored)
        if on_result is not None:
            on_result(scored)
    return report


async def _score(case: EvalCase, result: QueryResult, latency: float, orchestrator: OrchestratorLike) -> CaseResult:
    attempts = result.metadata.get("attempts") or []
    first_failed = bool(attempts) and attempts[0].get("error") is not None
    scored = CaseResult(
        id=case.id,
        question=case.question,
        gold_sql=case.gold_sql,
        sql=result.sql,
        correct=False,
        success=result.success,
        attempts=len(attempts),
        first_attempt_failed=first_failed,
        recovered=bool(result.metadata.get("recovered")),
        latency_ms=latency,
        reason="",
        error=result.error,
        time_to_rows_ms=result.metadata.get("time_to_rows_ms"),
        llm_calls=list(result.metadata.get("llm_calls") or []),
    )
    if not result.success:
        scored.reason = f"not answered: {result.error}"
        return scored
    try:
        gold = await gold_rows(case, orchestrator)
    except Talk2TablesError as exc:
        scored.reason = f"the gold SQL failed (fix the question set): {exc.message}"
        return scored
    ordered = gold_is_ordered(case.gold_sql, result.metadata.get("dialect"))
    scored.correct, scored.reason = compare_results(gold.rows, result.result.rows, ordered=ordered)
    return scored


async def gold_rows(case: EvalCase, orchestrator: OrchestratorLike) -> QueryRows:
    """The gold answer's rows: its SQL on its server, or its parts on theirs, combined like the product's."""
    if not case.gold_parts:
        return await orchestrator.execute_query(case.gold_sql, server=case.server)
    parts = {p.name: await orchestrator.execute_query(p.sql, server=p.server) for p in case.gold_parts}
    return await asyncio.to_thread(combine, case.gold_sql, parts, CombineLimits())


def gold_is_ordered(sql: str, dialect: str | None = None) -> bool:
    """True when the statement's top-level result is ordered (ORDER BY on the outermost query)."""
    try:
        statement = sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return False
    return bool(statement.args.get("order")) if isinstance(statement, exp.Query) else False


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
