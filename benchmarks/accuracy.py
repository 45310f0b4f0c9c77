"""`make bench-accuracy` = `python -m benchmarks.accuracy`: how often the product is right, against the bare model.

Two question sets (benchmarks/question_sets.py):

- `spider` (default): 211 questions of the public Spider dev set over 6 of its SQLite databases, committed
  under evals/spider/. Each database is rebuilt from its dump and served by its own real Database MCP
  (`talk2tables db-server`); each question goes through the real pipeline (fresh resources, validation,
  execution, up to 3 attempts, the explanation) with a registry of that one database.
- `metadata`: evals/metadata_questions.yaml, questions over the sample data that only the product metadata
  answers (aliases, business terms), run against the registry's servers (start `talk2tables up` first).

In the same run, the bare model answers every question as the baseline: the database's DDL (for `metadata`,
with the product metadata appended as JSON) and the question, in one completion constrained to {"sql"}, no
retry. Both are scored by execution (workflow/evaluation.compare_results: result sets compared, column order
ignored, row order only when the gold SQL orders, numbers to 10 significant digits).

Printed for both: accuracy; failures by kind (no SQL, refused by validation, database error, wrong result, and for
the product no explanation: its query ran but the notes step failed);
latency p50/p95; for the product also attempts and questions recovered. `--limit N` takes the first N
questions, a fixed sample across every database; `--json` prints every question's record.

The LLM is whatever T2T_LLM_MODEL (and OPENAI_BASE_URL, keys...) configure; with none set, the bundled local
model at http://127.0.0.1:8003/v1 (`talk2tables up` or `talk2tables llm-server`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.bare_model import BareModel
from benchmarks.question_sets import (
    LARGE_SCHEMA_DIR,
    METADATA_QUESTIONS,
    SPIDER_DIR,
    Question,
    build_spider_database,
    databases_of,
    load_questions,
    run_read_only,
    sqlite_ddl,
)
from talk2tables.config import Settings
from talk2tables.local_llm.model import DEFAULT_MODEL
from talk2tables.logging import Timer, configure_logging
from talk2tables.models import QueryResult
from talk2tables.orchestrator import Orchestrator
from talk2tables.orchestrator.registry import load_registry, parse_registry
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.evaluation import EvalCase, compare_results, gold_is_ordered, gold_rows, percentile
from talk2tables.workflow.factory import pipeline_from_settings

LOCAL_BASE_URL = "http://127.0.0.1:8003/v1"
# Each set: its directory (questions.yaml, databases/<name>.sql); the metadata set uses the registry's servers.
SETS = {"spider": SPIDER_DIR, "large": LARGE_SCHEMA_DIR, "metadata": None}
# The kinds of failure, in the order they are printed.
KINDS = ("correct", "wrong result", "database error", "refused by validation", "no SQL", "no explanation")
_STAGE_KINDS = {"generating": "no SQL", "validating": "refused by validation", "executing": "database error"}


@dataclass
class Outcome:
    """One system's answer to one question, scored."""

    kind: str  # one of KINDS
    sql: str | None
    latency_ms: float
    detail: str = ""
    attempts: int = 1
    recovered: bool = False
    first_attempt_failed: bool = False
    time_to_rows_ms: float | None = None
    llm_calls: list[dict[str, Any]] = field(default_factory=list)  # step, attempt, duration, tokens in and out
    errors: list[str] = field(default_factory=list)  # each failed attempt's error, in order
    repairs: list[str] = field(default_factory=list)  # column references mended before a query ran (repair.py)


@dataclass
class Record:
    id: str
    db: str
    question: str
    gold_sql: str
    product: Outcome | None = None
    bare: Outcome | None = None


@dataclass
class Report:
    question_set: str
    model: str
    records: list[Record] = field(default_factory=list)

    def summary(self, system: str) -> dict[str, Any] | None:
        outcomes = [getattr(r, system) for r in self.records if getattr(r, system) is not None]
        if not outcomes:
            return None
        kinds = Counter(o.kind for o in outcomes)
        latencies = [o.latency_ms for o in outcomes]
        summary: dict[str, Any] = {
            "questions": len(outcomes),
            "correct": kinds["correct"],
            "accuracy": round(kinds["correct"] / len(outcomes), 4),
            "failures": {k: kinds[k] for k in KINDS[1:]},
            "latency_s": {"p50": round(percentile(latencies, 50) / 1000, 2),
                          "p95": round(percentile(latencies, 95) / 1000, 2)},
        }  # fmt: skip
        if system == "product":
            rows = [o.time_to_rows_ms for o in outcomes if o.time_to_rows_ms is not None]
            summary["time_to_rows_s"] = {"p50": round(percentile(rows, 50) / 1000, 2) if rows else None,
                                         "p95": round(percentile(rows, 95) / 1000, 2) if rows else None}  # fmt: skip
            summary["attempts"] = dict(sorted(Counter(o.attempts for o in outcomes).items()))
            summary["needed_recovery"] = sum(o.first_attempt_failed for o in outcomes)
            summary["recovered"] = sum(o.recovered for o in outcomes)
            summary["repaired"] = sum(bool(o.repairs) for o in outcomes)
        return summary

    def to_dict(self) -> dict[str, Any]:
        return {
            "question_set": self.question_set,
            "model": self.model,
            "summary": {"product": self.summary("product"), "bare": self.summary("bare")},
            "questions": [asdict(r) for r in self.records],
        }


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.accuracy",
        description="Execution accuracy of the product and of the bare model on a public question set (Spider "
        "dev, 6 databases) or on the metadata questions over the sample data.",
    )
    parser.add_argument("--set", dest="question_set", choices=tuple(SETS), default="spider",
                        help="spider: evals/spider (its own servers); large: evals/large_schema, 124 tables in one "
                        "database (its own server); metadata: evals/metadata_questions.yaml against the registry's "
                        "servers (start `talk2tables up` first)")  # fmt: skip
    parser.add_argument("--questions", type=Path, default=None, help="another question file of the same format")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions (a fixed sample)")
    parser.add_argument("--only", choices=("product", "bare"), default=None, help="run one system only")
    parser.add_argument("--config", type=Path, default=Path("mcp_config.yaml"), help="the registry, for --set metadata")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per LLM call (default 600: a CPU model)")
    parser.add_argument("--json", action="store_true", help="print the whole report as JSON")
    return parser.parse_args(argv)


def _settings(args: argparse.Namespace) -> Settings:
    """The configured LLM, else the bundled local model; one request per LLM call (the SDK retries nothing)."""
    if not os.environ.get("T2T_LLM_MODEL"):
        os.environ["T2T_LLM_MODEL"] = f"openai:{DEFAULT_MODEL.alias}"
        os.environ.setdefault("OPENAI_BASE_URL", LOCAL_BASE_URL)
        os.environ.setdefault("OPENAI_API_KEY", "local-model")
    os.environ.update({"T2T_LLM_TIMEOUT": str(args.timeout), "T2T_REQUEST_TIMEOUT": str(args.timeout * 8),
                       "T2T_LLM_MAX_RETRIES": "0"})  # fmt: skip
    return Settings()


def product_outcome(result: QueryResult, correct: bool, detail: str, latency_ms: float) -> Outcome:
    attempts = result.metadata.get("attempts") or []
    if result.success:
        kind = "correct" if correct else "wrong result"
    else:
        stage = attempts[-1].get("stage") if attempts else "generating"
        kind = _STAGE_KINDS.get(stage or "generating", "no SQL")
        if attempts and attempts[-1].get("error") is None:  # the query ran; the step after it (the notes) failed
            kind = "no explanation"
        detail = result.error or ""
    return Outcome(
        kind=kind,
        sql=result.sql,
        latency_ms=latency_ms,
        detail=detail[:300],
        attempts=len(attempts),
        recovered=bool(result.metadata.get("recovered")),
        first_attempt_failed=bool(attempts) and attempts[0].get("error") is not None,
        time_to_rows_ms=result.metadata.get("time_to_rows_ms"),
        llm_calls=list(result.metadata.get("llm_calls") or []),
        errors=[str(a.get("error")) for a in attempts if a.get("error")],
        repairs=[str(r) for a in attempts for r in a.get("repairs") or []],
    )


class Database:
    """One database of a question set: the product answers through `orchestrator`, the gold SQL runs there too;
    the bare model reads `ddl` and its SQL runs on `path`, read-only."""

    def __init__(self, key: str, orchestrator: Orchestrator, path: Path, extra: str | None = None) -> None:
        self.key = key
        self.orchestrator = orchestrator
        self.path = path
        self.ddl = sqlite_ddl(path)
        self.extra = extra


async def product_outcome_for(question: Question, database: Database, pipeline: Any, gold: Any) -> Outcome:
    timer = Timer()
    result = await pipeline.answer(question.question)
    latency = timer.elapsed_ms
    correct, detail = (False, "")
    if result.success:
        correct, detail = compare_results(gold.rows, result.result.rows, ordered=_ordered(question))
    return product_outcome(result, correct, detail, latency)


async def bare_outcome_for(question: Question, database: Database, bare: BareModel, gold: Any) -> Outcome:
    answer = await bare.answer(question.question, database.ddl, extra=database.extra)
    if answer.sql is None:
        return Outcome("no SQL", None, answer.latency_ms, answer.error or "")
    try:
        _, rows = await asyncio.to_thread(run_read_only, database.path, answer.sql)
    except Exception as exc:  # the database refused it: its own error
        return Outcome("database error", answer.sql, answer.latency_ms, str(exc).splitlines()[0][:300])
    correct, detail = compare_results(gold.rows, rows, ordered=_ordered(question))
    return Outcome("correct" if correct else "wrong result", answer.sql, answer.latency_ms, detail)


def _ordered(question: Question) -> bool:
    return gold_is_ordered(question.gold_sql, "sqlite")


def _database_key(args: argparse.Namespace, question: Question) -> str:
    return "database" if args.question_set == "metadata" else question.db


def _gold_case(args: argparse.Namespace, question: Question) -> EvalCase:
    server = "database" if args.question_set == "metadata" else None
    return EvalCase(question.id, question.question, question.gold_sql, server)


def _report(on_record: Callable[[Record, str], None] | None, record: Record, system: str) -> None:
    if on_record is not None:
        on_record(record, system)


def _spider_registry(url: str) -> Any:
    return parse_registry({"mcp_servers": {"database": {
        "name": "Database MCP", "url": url, "priority": 10, "capabilities": ["execute_query", "list_resources"],
    }}}, source="spider benchmark")  # fmt: skip


async def run(args: argparse.Namespace, *, on_record: Callable[[Record, str], None] | None = None) -> Report:
    settings = _settings(args)
    directory = SETS[args.question_set]
    source = args.questions or (directory / "questions.yaml" if directory else METADATA_QUESTIONS)
    default_db = None if directory else "database"
    questions = load_questions(source, default_db=default_db)[: args.limit]
    report = Report(args.question_set, settings.llm_model or "")
    bare = None if args.only == "product" else BareModel(LLMConfig.from_settings(settings))
    with tempfile.TemporaryDirectory(prefix="t2t-accuracy-") as tmp:
        workdir = Path(tmp)
        servers: list[Any] = []
        databases: dict[str, Database] = {}
        try:
            if directory is not None:
                await _start_servers(questions, directory, workdir, servers, databases)
            else:
                await _attach_registry(args.config, settings, databases)
            pipelines = {}
            if args.only != "bare":
                pipelines = {key: pipeline_from_settings(settings, db.orchestrator) for key, db in databases.items()}
            records = {q.id: Record(q.id, q.db, q.question, q.gold_sql) for q in questions}
            # One database at a time, the product's questions and then the bare model's: each keeps one system
            # prompt for a run of questions, as a real deployment does, so a server's prompt cache counts.
            for key in dict.fromkeys(_database_key(args, q) for q in questions):
                database = databases[key]
                mine = [q for q in questions if _database_key(args, q) == key]
                golds = {q.id: await gold_rows(_gold_case(args, q), database.orchestrator) for q in mine}
                if pipelines:
                    for q in mine:
                        records[q.id].product = await product_outcome_for(q, database, pipelines[key], golds[q.id])
                        _report(on_record, records[q.id], "product")
                if bare is not None:
                    for q in mine:
                        records[q.id].bare = await bare_outcome_for(q, database, bare, golds[q.id])
                        _report(on_record, records[q.id], "bare")
            report.records = list(records.values())
            for pipeline in pipelines.values():
                await pipeline.aclose()
        finally:
            if bare is not None:
                await bare.aclose()
            for database in {id(d.orchestrator): d for d in databases.values()}.values():
                await database.orchestrator.close()
            for server in servers:
                server.stop()
    return report


async def _start_servers(
    questions: Sequence[Question], directory: Path, workdir: Path, servers: list[Any], databases: dict[str, Database]
) -> None:
    """A fresh SQLite file (from the set's dumps) and a real Database MCP (its own process, on loopback) per
    database."""
    from tests.support.processes import ServerProcess, free_port

    for name in databases_of(questions):
        path = build_spider_database(name, workdir, source=directory)
        description = workdir / f"{name}.md"
        description.write_text(f"# {name}\n\nA database of the Spider benchmark.\n", encoding="utf-8")
        port = free_port()
        server = ServerProcess(
            ["db-server", "--database-url", str(path), "--description", str(description), "--port", str(port),
             "--query-processes", "1"],
            port, log=workdir / f"{name}.log",
        )  # fmt: skip
        servers.append(server.start())
        orchestrator = Orchestrator(_spider_registry(server.sse_url))
        await orchestrator.start()
        databases[name] = Database(name, orchestrator, path)


async def _attach_registry(config: Path, settings: Settings, databases: dict[str, Database]) -> None:
    """The registry's servers (`talk2tables up`): the sample database (DATABASE_URL, a SQLite file), and the product
    metadata's resources as JSON text for the bare model."""
    from sqlalchemy.engine import make_url

    from talk2tables.database_mcp.engine import normalize_database_url

    url = make_url(normalize_database_url(settings.database_url))
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SystemExit(f"--set metadata needs the sample data in SQLite (DATABASE_URL), not {url.get_backend_name()}")
    orchestrator = Orchestrator(load_registry(config, os.environ), token=settings.mcp_token)
    await orchestrator.start()
    gather = await orchestrator.gather_all_resources()
    metadata = [_text(r) for s in gather.servers if not s.capabilities or "execute_query" not in s.capabilities
                for r in s.resources.values()]  # fmt: skip
    databases["database"] = Database("database", orchestrator, Path(url.database), extra="\n".join(metadata))


def _text(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)


def _line(record: Record, system: str) -> str:
    outcome = record.product if system == "product" else record.bare
    assert outcome is not None
    attempts = f" x{outcome.attempts}" if system == "product" else ""
    return f"{record.id:<32} {system:<8} {outcome.kind:<22} {outcome.latency_ms / 1000:6.1f}s{attempts}"


def render(report: Report) -> str:
    lines = [f"Accuracy benchmark: {report.question_set} set, {len(report.records)} questions, model {report.model}"]
    header = f"{'':<24}{'product':>12}{'bare model':>14}"
    lines.append(header)
    product, bare = report.summary("product"), report.summary("bare")

    def cell(summary: dict[str, Any] | None, value: Callable[[dict[str, Any]], str]) -> str:
        return value(summary) if summary else "-"

    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("accuracy", lambda s: f"{s['accuracy']:.1%} ({s['correct']}/{s['questions']})"),
        *[(f"  {kind}", lambda s, k=kind: str(s["failures"][k])) for kind in KINDS[1:]],
        ("latency p50", lambda s: f"{s['latency_s']['p50']} s"),
        ("latency p95", lambda s: f"{s['latency_s']['p95']} s"),
    ]
    for label, value in rows:
        lines.append(f"{label:<24}{cell(product, value):>12}{cell(bare, value):>14}")
    if product:
        rows_s = product["time_to_rows_s"]
        lines.append(f"{'time to rows p50/p95':<24}{rows_s['p50']} / {rows_s['p95']} s")
        lines.append(f"{'attempts':<24}{' '.join(f'{k}: {v}' for k, v in product['attempts'].items())}")
        recovered = f"{product['recovered']} of {product['needed_recovery']} whose first attempt failed"
        lines.append(f"{'recovered':<24}{recovered}")
        lines.append(f"{'repaired':<24}{product['repaired']} questions with a column reference mended, answered or not")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    configure_logging(level="CRITICAL")  # the report says what failed
    report = asyncio.run(run(args, on_record=lambda r, s: print(_line(r, s), file=sys.stderr, flush=True)))
    print(json.dumps(report.to_dict(), indent=2, default=str) if args.json else render(report))


if __name__ == "__main__":
    main()
