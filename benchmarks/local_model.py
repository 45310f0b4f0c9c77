"""`make bench-local` = `python -m benchmarks.local_model`: where the time goes with the bundled local model.

Needs `talk2tables up` running with the bundled model (or any OpenAI-compatible server: --base-url, --model).
For every question of the set (default evals/sample_questions.yaml), after one warm-up question:

- the product answers it through the real pipeline (fresh resources from every MCP server in the registry,
  validation, execution, recovery, the explanation): time to rows, time to the whole answer, attempts, and
  each LLM call's duration and tokens in and out;
- the bare model answers the same question with the same prompt in one SQL-only completion, timed twice: once
  with `max_tokens=1` (reading the prompt: what is left after the server's prompt cache) and once whole (the
  prompt is then cached, so this is mostly generation).

It prints a table per question and p50/p95 of each measure, with the ratio of time to rows over the bare
model's time. Nothing here is a pass/fail test: a 1.5B model's speed depends on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from talk2tables.config import Settings
from talk2tables.local_llm.model import DEFAULT_MODEL
from talk2tables.logging import configure_logging
from talk2tables.orchestrator import Orchestrator
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.evaluation import compare_results, gold_is_ordered, gold_rows, load_cases, percentile
from talk2tables.workflow.factory import pipeline_from_settings

DEFAULT_QUESTIONS = Path("evals/sample_questions.yaml")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.local_model",
        description="Time the product and the bare model on a question set with a local model (start `talk2tables "
        "up` first).",
    )
    parser.add_argument("questions", nargs="?", type=Path, default=DEFAULT_QUESTIONS, help="question set (YAML)")
    parser.add_argument("--config", type=Path, default=Path("mcp_config.yaml"), help="the MCP registry")
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", "http://127.0.0.1:8003/v1"))
    parser.add_argument("--model", default=f"openai:{DEFAULT_MODEL.alias}", help="T2T_LLM_MODEL of the server")
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per LLM call")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser.parse_args(argv)


async def _bare(generator: SQLGenerator, question: str, context: GenerationContext) -> dict[str, Any]:
    """The bare model: same prompt, one SQL-only completion, no validation and no retry."""
    prompt_only = SQLGenerator(replace(generator.config, max_output_tokens=1))
    started = time.perf_counter()
    try:
        with contextlib.suppress(Exception):  # one token is never a whole answer: only its time counts
            await prompt_only.generate(question, context)
    finally:
        await prompt_only.aclose()
    prompt_ms = (time.perf_counter() - started) * 1000
    calls: list[dict[str, Any]] = []
    started = time.perf_counter()
    sql = None
    try:
        sql = (await generator.generate(question, context, calls=calls)).sql
    except Exception as exc:
        sql = f"(failed: {type(exc).__name__})"
    whole_ms = (time.perf_counter() - started) * 1000
    return {"prompt_ms": prompt_ms, "generation_ms": whole_ms, "bare_ms": prompt_ms + whole_ms, "sql": sql,
            "output_tokens": calls[0].get("output_tokens") if calls else None}  # fmt: skip


async def run(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.update({
        "T2T_LLM_MODEL": args.model, "OPENAI_BASE_URL": args.base_url, "T2T_LLM_TIMEOUT": str(args.timeout),
        "T2T_REQUEST_TIMEOUT": str(args.timeout * 8), "T2T_LLM_MAX_RETRIES": "0", "MCP_CONFIG_PATH": str(args.config),
    })  # fmt: skip
    os.environ.setdefault("OPENAI_API_KEY", "local-model")
    settings = Settings()
    cases = load_cases(args.questions)[: args.limit]
    orchestrator = Orchestrator.from_settings(settings, {})
    await orchestrator.start()
    pipeline = pipeline_from_settings(settings, orchestrator)
    generator = SQLGenerator(LLMConfig.from_settings(settings))
    rows: list[dict[str, Any]] = []
    try:
        warm = time.perf_counter()
        await pipeline.answer(cases[0].question)  # the first question reads the whole prompt: not counted
        warm_up_ms = (time.perf_counter() - warm) * 1000
        for case in cases:
            started = time.perf_counter()
            result = await pipeline.answer(case.question)
            total_ms = (time.perf_counter() - started) * 1000
            correct = False
            if result.success:
                gold = await gold_rows(case, orchestrator)
                ordered = gold_is_ordered(case.gold_sql, result.metadata.get("dialect"))
                correct, _ = compare_results(gold.rows, result.result.rows, ordered=ordered)
            gather = await orchestrator.gather_all_resources()
            bare = await _bare(generator, case.question, GenerationContext.from_servers(list(gather.servers)))
            calls = result.metadata.get("llm_calls") or []
            rows.append({
                "id": case.id,
                "correct": correct,
                "attempts": result.metadata.get("attempts_count"),
                "time_to_rows_ms": result.metadata.get("time_to_rows_ms"),
                "total_ms": total_ms,
                "calls": [{k: c.get(k) for k in ("step", "duration_ms", "input_tokens", "output_tokens")}
                          for c in calls],
                **{f"bare_{k}": v for k, v in bare.items() if k != "sql"},
            })  # fmt: skip
            print(_line(rows[-1]), file=sys.stderr, flush=True)
    finally:
        await pipeline.aclose()
        await generator.aclose()
        await orchestrator.close()
    return {"warm_up_ms": warm_up_ms, "questions": rows, "summary": _summary(rows)}


def _line(row: dict[str, Any]) -> str:
    calls = " ".join(
        f"{c['step']}:{c['duration_ms'] / 1000:.1f}s/{c['input_tokens']}in/{c['output_tokens']}out"
        for c in row["calls"]
    )
    rows_s = (row["time_to_rows_ms"] or 0) / 1000
    return (
        f"{row['id']:<32} {'ok ' if row['correct'] else 'BAD'} attempts {row['attempts']}  rows {rows_s:5.1f}s  "
        f"whole {row['total_ms'] / 1000:5.1f}s  bare {row['bare_bare_ms'] / 1000:5.1f}s "
        f"(prompt {row['bare_prompt_ms'] / 1000:.1f}s + generation {row['bare_generation_ms'] / 1000:.1f}s)  {calls}"
    )


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def p(key: str, q: float) -> float | None:
        values = [r[key] for r in rows if r.get(key) is not None]
        return round(percentile(values, q) / 1000, 2) if values else None

    ratios = [r["time_to_rows_ms"] / r["bare_bare_ms"] for r in rows if r["time_to_rows_ms"] and r["bare_bare_ms"]]
    return {
        "questions": len(rows),
        "correct": sum(r["correct"] for r in rows),
        "time_to_rows_s": {"p50": p("time_to_rows_ms", 50), "p95": p("time_to_rows_ms", 95)},
        "whole_answer_s": {"p50": p("total_ms", 50), "p95": p("total_ms", 95)},
        "bare_s": {"p50": p("bare_bare_ms", 50), "p95": p("bare_bare_ms", 95)},
        "rows_over_bare": {"p50": round(percentile(ratios, 50), 2) if ratios else None},
        "attempts_over_1": sum((r["attempts"] or 0) > 1 for r in rows),
    }


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    configure_logging(level="WARNING")
    report = asyncio.run(run(args))
    if args.json:
        print(json.dumps(report, indent=2))
        return
    s = report["summary"]
    print(f"\nLocal model: {args.model} at {args.base_url}; {s['questions']} questions after a warm-up question "
          f"({report['warm_up_ms'] / 1000:.1f} s)")  # fmt: skip
    print(f"Right answers: {s['correct']}/{s['questions']}; questions that needed a retry: {s['attempts_over_1']}")
    measures = (("time to rows", "time_to_rows_s"), ("whole answer", "whole_answer_s"), ("bare model", "bare_s"))
    for label, key in measures:
        print(f"  {label:<13} p50 {s[key]['p50']} s   p95 {s[key]['p95']} s")
    print(f"  time to rows / bare model, p50: {s['rows_over_bare']['p50']}")


if __name__ == "__main__":
    main()
