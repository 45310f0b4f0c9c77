"""The pipeline: question → fresh resources → SQL → route → validation → execution (→ combination) → rows
(streamed at once) → the LLM's explanation of them → QueryResult, all or nothing.

Validation failures, database errors and unusable LLM answers go back to the LLM with the error and the
failed SQL, for at most `max_attempts` in all. Anything else (an MCP server down, the LLM unreachable or not
configured, a timeout) fails the request at once. The explanation is a second, short LLM call asked once the
rows exist, so the rows never wait for it; if it fails, the whole request fails. `answer` never raises: a
failure is a QueryResult with success=False, a message a person can act on, and every attempt's error in its
metadata.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any, Protocol

from talk2tables.errors import (
    LLMOutputError,
    QueryNotAnsweredError,
    SQLValidationError,
    Talk2TablesError,
    ToolExecutionError,
)
from talk2tables.logging import Timer, bound_request, get_logger, new_request_id
from talk2tables.models import ProgressEvent, QueryResult, QueryRows, ResourceData, ResultTable, RowsReady
from talk2tables.orchestrator.deadlines import all_or_nothing
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.output import Answer, AnswerNotes, Attempt, Stage
from talk2tables.sql_generation.tables import narrowed, schema_tokens
from talk2tables.workflow.combine import CombineError, CombineLimits
from talk2tables.workflow.isolation import combine_isolated
from talk2tables.workflow.outcome import failure_result
from talk2tables.workflow.routing import QueryPlan, RoutedQuery, checked_plan, plan_query
from talk2tables.workflow.voting import decided, majority

log = get_logger(__name__)

Progress = Callable[[ProgressEvent | RowsReady], Awaitable[None]]
STAGES = ("gather", "generate", "validate", "execute", "combine", "explain")


class GatherLike(Protocol):
    """What the pipeline reads of the orchestrator's GatherResult."""

    servers: list[ResourceData]
    conflicts: list[dict[str, Any]]
    timings_ms: dict[str, float]


class OrchestratorLike(Protocol):
    """What the pipeline needs of talk2tables.orchestrator.Orchestrator."""

    async def gather_all_resources(self, request_id: str | None = None) -> Any: ...

    async def execute_query(
        self, sql: str, request_id: str | None = None, *, server: str | None = None
    ) -> QueryRows: ...


class GeneratorLike(Protocol):
    """What the pipeline needs of SQLGenerator."""

    def ensure_configured(self) -> Any: ...

    def describe(self) -> dict[str, Any]: ...

    async def generate(
        self,
        question: str,
        context: GenerationContext,
        previous_attempts: Any = (),
        *,
        calls: Any = None,
        hints: str = "",
        sampled: bool = False,
    ) -> Answer: ...

    async def explain(
        self,
        question: str,
        context: GenerationContext,
        attempts: Any,
        result: tuple[list[str], int],
        *,
        calls: Any,
        hints: str = "",
    ) -> AnswerNotes: ...

    async def pick_terms(self, question: str, context: GenerationContext, *, calls: Any = None) -> str: ...

    async def select_tables(self, question: str, context: GenerationContext, *, calls: Any = None) -> list[str]: ...

    async def aclose(self) -> None: ...


class _Run:
    """The state of one request: timings, attempts, progress."""

    def __init__(self, question: str, request_id: str, progress: Progress | None, max_attempts: int) -> None:
        self.question = question
        self.request_id = request_id
        self.progress = progress
        self.max_attempts = max_attempts
        self.timer = Timer()
        self.timings: dict[str, float] = dict.fromkeys(STAGES, 0.0)
        self.attempts: list[Attempt] = []
        self.servers: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []
        self.gather_timings: dict[str, float] = {}
        self.sql: str | None = None
        self.dialect: str | None = None
        self.databases: list[str] = []
        self.llm_calls: list[dict[str, Any]] = []
        self.time_to_rows_ms: float | None = None
        self.hints = ""  # what the question's metadata terms mean, when the terms step named some
        # What the LLM is shown: the gathered context, or (a large schema) the tables it chose of it.
        self.prompt_context: GenerationContext | None = None
        self.tables: list[str] | None = None  # the tables the LLM chose, when the schema was too large
        self.candidates: list[dict[str, Any]] | None = None  # self-consistency's queries, when there were several

    async def emit(self, stage: str, message: str, attempt: int | None = None) -> None:
        if self.progress is None:
            return
        event = ProgressEvent(
            stage=stage,
            message=message,
            attempt=attempt,
            max_attempts=self.max_attempts if attempt is not None else None,
            elapsed_ms=self.timer.elapsed_ms,
        )
        await self._send(event, stage)

    async def emit_rows(self, rows: RowsReady) -> None:
        self.time_to_rows_ms = self.timer.elapsed_ms
        await self._send(rows, "rows")

    async def _send(self, item: ProgressEvent | RowsReady, stage: str) -> None:
        if self.progress is None:
            return
        try:
            await self.progress(item)
        except Exception as exc:  # a listener that went away must not fail the answer
            log.warning("progress_listener_failed", stage=stage, error=str(exc))

    def add(self, stage: str, ms: float) -> None:
        self.timings[stage] = round(self.timings[stage] + ms, 2)

    def metadata(self, generator: GeneratorLike) -> dict[str, Any]:
        self.timings["total"] = self.timer.elapsed_ms
        first_failed = bool(self.attempts) and self.attempts[0].error is not None
        succeeded = bool(self.attempts) and self.attempts[-1].error is None
        return {
            "request_id": self.request_id,
            "attempts": [a.to_metadata() for a in self.attempts],
            "attempts_count": len(self.attempts),
            "max_attempts": self.max_attempts,
            "recovered": first_failed and succeeded,
            "servers": self.servers,
            "timings_ms": dict(self.timings),
            "time_to_rows_ms": self.time_to_rows_ms,
            "llm_calls": self.llm_calls,
            "server_timings_ms": self.gather_timings,
            "conflicts": self.conflicts,
            "dialect": self.dialect,
            "databases": self.databases,
            "llm": generator.describe(),
            **({"tables_chosen": self.tables} if self.tables is not None else {}),
            **({"candidates": self.candidates} if self.candidates is not None else {}),
        }


class Pipeline:
    """Answers questions with an orchestrator (resources, execution) and a generator (the LLM)."""

    def __init__(
        self,
        orchestrator: OrchestratorLike,
        generator: GeneratorLike,
        *,
        max_attempts: int = 3,
        combine_limits: CombineLimits | None = None,
        terms_step: bool = False,
        schema_token_budget: int = 0,
        candidates: int = 1,
        repair_columns: bool = True,
    ) -> None:
        if not 1 <= max_attempts <= 3:
            raise ValueError("max_attempts must be between 1 and 3")
        if candidates < 1:
            raise ValueError("candidates must be at least 1")
        self.orchestrator = orchestrator
        self.generator = generator
        self.max_attempts = max_attempts
        self.terms_step = terms_step
        self.schema_token_budget = schema_token_budget
        self.candidates = candidates
        self.repair_columns = repair_columns
        self.combine_limits = combine_limits or CombineLimits()

    async def aclose(self) -> None:
        """Close the generator's HTTP client (the orchestrator is closed by whoever opened it)."""
        await self.generator.aclose()

    async def answer(
        self, question: str, *, request_id: str | None = None, progress: Progress | None = None
    ) -> QueryResult:
        run = _Run(question, request_id or new_request_id(), progress, self.max_attempts)
        with bound_request(run.request_id):
            try:
                result = await self._answer(run)
            except Talk2TablesError as exc:
                result = self._failure(run, exc)
            except Exception as exc:  # never raise: an unexpected bug still becomes a clear failure
                log.exception("pipeline_internal_error", error=str(exc))
                result = self._failure(
                    run, Talk2TablesError(f"Internal error while answering: {type(exc).__name__}: {exc}")
                )
            if result.success:
                await run.emit("done", f"Done: {len(result.result.rows)} rows")
            else:
                await run.emit("failed", result.error or "failed")
            log.info(
                "pipeline_answer",
                outcome="ok" if result.success else "error",
                attempts=len(run.attempts),
                recovered=result.metadata.get("recovered"),
                duration_ms=run.timings.get("total"),
            )
            return result

    async def _answer(self, run: _Run) -> QueryResult:
        self.generator.ensure_configured()  # no LLM configured: fail before touching any server
        context = await self._gather(run)
        run.prompt_context = await self._narrow(run, context)
        if self.terms_step:
            await run.emit("generating", "Matching the question's words to the product metadata")
            timer = Timer()
            try:
                run.hints = await self.generator.pick_terms(run.question, run.prompt_context, calls=run.llm_calls)
            finally:
                run.add("generate", timer.elapsed_ms)
        for number in range(1, self.max_attempts + 1):
            if number > 1:
                await run.emit("retrying", f"Retrying ({number}/{self.max_attempts})", number)
            outcome = await self._attempt(run, context, number)
            if outcome is not None:
                return await self._explained(run, context, *outcome)
        last = run.attempts[-1]
        raise QueryNotAnsweredError(
            f"The question could not be answered after {len(run.attempts)} attempts; the last error was: {last.error}",
            attempts=[a.to_metadata() for a in run.attempts],
        )

    async def _narrow(self, run: _Run, context: GenerationContext) -> GenerationContext:
        """A schema too large for the prompt budget: the LLM first chooses the tables the question needs, and the
        prompt carries only those (validation still checks against every table)."""
        if not self.schema_token_budget or schema_tokens(context) <= self.schema_token_budget:
            return context
        await run.emit("generating", "Choosing the tables the question needs")
        timer = Timer()
        try:
            chosen = await self.generator.select_tables(run.question, context, calls=run.llm_calls)
        finally:
            run.add("generate", timer.elapsed_ms)
        run.tables = chosen
        return narrowed(context, chosen)

    async def _gather(self, run: _Run) -> GenerationContext:
        await run.emit("gathering", "Reading every MCP server's resources")
        timer = Timer()
        try:
            gather = await self.orchestrator.gather_all_resources(request_id=run.request_id)
        finally:
            run.add("gather", timer.elapsed_ms)
        servers: list[ResourceData] = list(gather.servers)
        run.servers = [{"name": s.name, "key": s.server_key, "priority": s.priority} for s in servers]
        run.conflicts = list(gather.conflicts)
        run.gather_timings = dict(gather.timings_ms)
        context = GenerationContext.from_servers(servers)
        run.dialect = context.dialect
        run.databases = [d.key for d in context.databases]
        return context

    async def _attempt(
        self, run: _Run, context: GenerationContext, number: int
    ) -> tuple[QueryPlan, QueryRows, dict[str, QueryRows]] | None:
        """One try. Returns the answer, or None after recording a recoverable failure."""
        if number == 1 and self.candidates > 1:
            return await self._voted_attempt(run, context)
        started = Timer()
        await run.emit("generating", "Writing SQL", number)
        generated = await self._generate(run, context, number)
        outcome, attempt = await self._check_and_run(run, context, number, generated, started)
        run.attempts.append(attempt)
        return outcome

    async def _generate(
        self, run: _Run, context: GenerationContext, number: int, *, sampled: bool = False
    ) -> Answer | LLMOutputError:
        """The LLM's SQL, or the unusable answer's error (worth another attempt)."""
        timer = Timer()
        try:
            return await self.generator.generate(
                run.question, run.prompt_context or context, tuple(run.attempts),
                calls=run.llm_calls, hints=run.hints, sampled=sampled,
            )  # fmt: skip
        except LLMOutputError as exc:
            return exc
        finally:
            run.add("generate", timer.elapsed_ms)

    async def _voted_attempt(
        self, run: _Run, context: GenerationContext
    ) -> tuple[QueryPlan, QueryRows, dict[str, QueryRows]] | None:
        """Self-consistency on the first attempt: up to `candidates` queries (the first at temperature 0, the others
        sampled), each checked and run, and the result most of them return wins (voting.py); once more than half of
        them agree, the rest are not written. None of them running is a failed first attempt like any other: the
        first candidate's error goes back to the LLM."""
        started = Timer()
        tried: list[tuple[tuple[QueryPlan, QueryRows, dict[str, QueryRows]] | None, Attempt]] = []
        winner = None
        for index in range(self.candidates):
            await run.emit("generating", f"Writing SQL (candidate {index + 1} of {self.candidates})", 1)
            own = Timer()
            if index == 0:
                generated = await self._generate(run, context, 1)
                tried.append(await self._check_and_run(run, context, 1, generated, own))
            else:
                try:
                    tried.append(await self._sampled_candidate(run, context, own))
                except Talk2TablesError as exc:
                    # An extra query that cannot be had (the LLM timed out, a server is busy) must not cost the
                    # answers already in hand: it is recorded, and the vote is among the queries that ran.
                    tried.append((None, self._record(1, None, exc, "generating", own, raw=None)))
                    break
            results = [outcome[1] if outcome is not None else None for outcome, _ in tried]
            winner = majority(results)
            if winner is not None and decided(results, winner, self.candidates):
                break
        run.candidates = [
            {"sql": attempt.sql, "error": attempt.error, "stage": attempt.stage if attempt.error else None,
             "duration_ms": attempt.duration_ms, "repairs": list(attempt.repairs)}
            for _, attempt in tried
        ]  # fmt: skip
        chosen = winner[0] if winner is not None else 0  # none ran: the first one's failure goes back to the LLM
        if winner is not None:
            run.candidates[chosen] |= {"chosen": True, "votes": winner[1]}
        outcome, attempt = tried[chosen]
        run.sql = attempt.sql
        run.attempts.append(replace(attempt, duration_ms=started.elapsed_ms))
        return outcome

    async def _sampled_candidate(
        self, run: _Run, context: GenerationContext, started: Timer
    ) -> tuple[tuple[QueryPlan, QueryRows, dict[str, QueryRows]] | None, Attempt]:
        """Another candidate, sampled. Only the temperature-0 answer may say the data cannot answer the question: a
        sampled one that says so is a candidate without a result."""
        generated = await self._generate(run, context, 1, sampled=True)
        if not isinstance(generated, LLMOutputError) and not _has_sql(generated):
            return None, Attempt(1, None, "no SQL", "generating", duration_ms=started.elapsed_ms)
        return await self._check_and_run(run, context, 1, generated, started)

    async def _check_and_run(
        self, run: _Run, context: GenerationContext, number: int, generated: Answer | LLMOutputError, started: Timer
    ) -> tuple[tuple[QueryPlan, QueryRows, dict[str, QueryRows]] | None, Attempt]:
        """Route, validate and run one answer: `(the answer, its attempt)`, or `(None, the failed attempt)`."""
        if isinstance(generated, LLMOutputError):
            raw = generated.context.get("raw")
            return None, self._record(number, None, generated, "generating", started, raw=raw)
        # Replayed on a retry as the model's own turn: `uses` only where the grammar asked for it.
        raw = generated.model_dump_json(exclude=None if generated.uses else {"uses"})
        if not _has_sql(generated):
            raise QueryNotAnsweredError(
                f"The LLM says the data cannot answer this question: {generated.reason or 'no reason given'}",
                explanation=generated.reason,
            )
        run.sql = generated.sql.strip()
        await run.emit("validating", "Checking the SQL against the schema", number)
        timer = Timer()
        try:
            plan = plan_query(generated, context)  # where it runs: decided once, carried to the end
            run.sql = plan.display_sql()
            # Parsing and qualifying is CPU work (hundreds of ms for long SQL): off the event loop, so it does not
            # stall every other request's MCP calls past their deadlines.
            plan, fixes = await asyncio.to_thread(checked_plan, plan, context, repair=self.repair_columns)
        except SQLValidationError as exc:
            return None, self._record(number, run.sql, exc, "validating", started, raw=raw)
        finally:
            run.add("validate", timer.elapsed_ms)
        repairs = tuple(fix.describe() for fix in fixes)
        if repairs:  # what runs, and what the person reads, is the mended SQL
            log.info("sql_repaired", attempt=number, repairs=list(repairs))
            run.sql = plan.display_sql()
        await run.emit("executing", "Running the query" if not plan.combined else "Running each part", number)
        timer = Timer()
        try:
            results = await all_or_nothing([self._execute(run, query) for query in plan.queries])
        except ToolExecutionError as exc:
            return None, self._record(number, run.sql, exc, "executing", started, raw=raw, repairs=repairs)
        finally:
            run.add("execute", timer.elapsed_ms)
        parts = {q.part or q.database.key: rows for q, rows in zip(plan.queries, results, strict=True)}
        rows = results[0]
        if plan.combined:
            await run.emit("executing", "Combining the parts' rows", number)
            timer = Timer()
            try:
                rows = await asyncio.to_thread(combine_isolated, plan.combine_sql or "", parts, self.combine_limits)
            except (SQLValidationError, CombineError) as exc:
                stage: Stage = "validating" if isinstance(exc, SQLValidationError) else "executing"
                return None, self._record(number, run.sql, exc, stage, started, raw=raw)
            finally:
                run.add("combine", timer.elapsed_ms)
        attempt = Attempt(number, run.sql, None, "executing", raw=raw, duration_ms=started.elapsed_ms, repairs=repairs)
        return (plan, rows, parts), attempt

    async def _execute(self, run: _Run, query: RoutedQuery) -> QueryRows:
        """One query on its own database; a failing part is named, whatever the failure."""
        try:
            key = query.database.key
            return await self.orchestrator.execute_query(query.sql, request_id=run.request_id, server=key)
        except Talk2TablesError as exc:
            if query.part is None:
                raise
            exc.message = f"Part {query.part!r} ({query.database.key}): {exc.message}"
            exc.args = (exc.message,)
            exc.context["part"] = query.part
            raise

    @staticmethod
    def _record(
        number: int, sql: str | None, exc: Talk2TablesError, stage: Stage, started: Timer, raw: Any,
        repairs: tuple[str, ...] = (),
    ) -> Attempt:  # fmt: skip
        attempt = Attempt(
            number,
            sql,
            exc.message,
            stage,
            error_type=type(exc).__name__,
            raw=raw if isinstance(raw, str) else None,
            duration_ms=started.elapsed_ms,
            repairs=repairs,
        )
        log.info("attempt_failed", attempt=number, stage=stage, error_type=attempt.error_type, error=exc.message)
        return attempt

    async def _explained(
        self, run: _Run, context: GenerationContext, plan: QueryPlan, rows: QueryRows, parts: dict[str, QueryRows]
    ) -> QueryResult:
        """The rows go out at once; then the LLM says what the terms meant and explains; then the whole answer."""
        metadata = self._answer_metadata(run, plan, rows, parts)
        table = ResultTable(columns=rows.columns, rows=rows.rows)
        await run.emit_rows(RowsReady(query=run.question, sql=run.sql or "", result=table, metadata=metadata))
        await run.emit("explaining", "Explaining the answer")
        timer = Timer()
        try:
            notes = await self.generator.explain(
                run.question,
                run.prompt_context or context,
                tuple(run.attempts),
                (rows.columns, rows.row_count),
                calls=run.llm_calls,
                hints=run.hints,
            )
        except LLMOutputError as exc:
            exc.message = f"The query ran, but the LLM's explanation of it could not be used: {exc.message}"
            exc.args = (exc.message,)
            raise
        finally:
            run.add("explain", timer.elapsed_ms)
        metadata = {**run.metadata(self.generator), **metadata, "confidence": notes.confidence}
        entities = [e.model_dump() for e in notes.entities()]
        return QueryResult(
            success=True,
            query=run.question,
            sql=run.sql,
            result=table,
            explanation=notes.explanation,
            resolved_entities={"entities": entities, "confidence": notes.confidence},
            metadata=metadata,
        )

    @staticmethod
    def _answer_metadata(run: _Run, plan: QueryPlan, rows: QueryRows, parts: dict[str, QueryRows]) -> dict[str, Any]:
        """Where the rows came from and how many: known once the query has run."""
        metadata: dict[str, Any] = {
            "request_id": run.request_id,
            "attempts_count": len(run.attempts),
            "row_count": rows.row_count,
            "truncated": rows.truncated,
            "server": plan.server,
            "server_name": plan.server_name,
            "dialect": "sqlite" if plan.combined else plan.queries[0].database.dialect,
        }
        if plan.combined:
            metadata["parts"] = [
                {"name": q.part, "server": q.database.key, "server_name": q.database.name, "sql": q.sql,
                 "row_count": parts[q.part or ""].row_count}
                for q in plan.queries
            ]  # fmt: skip
        return metadata

    def _failure(self, run: _Run, exc: Talk2TablesError) -> QueryResult:
        return failure_result(run.question, exc, request_id=run.request_id, sql=run.sql,
                              metadata=run.metadata(self.generator))  # fmt: skip


def _has_sql(answer: Answer) -> bool:
    """False for the answer that says the data cannot answer the question (no SQL and no parts)."""
    return bool(answer.sql.strip() or getattr(answer, "parts", None))
