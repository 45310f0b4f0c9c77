"""One way to answer a question, for every front door (the API's endpoints, `talk2tables ask` and `eval`):
the question check, the request deadline, the pipeline, metrics when there are any."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Protocol

from talk2tables.errors import InvalidQuestionError, RequestTimeoutError
from talk2tables.logging import bound_request, get_logger, new_request_id
from talk2tables.models import ProgressEvent, QueryResult
from talk2tables.workflow.outcome import failure_result
from talk2tables.workflow.pipeline import Progress

log = get_logger(__name__)


class Answerer(Protocol):
    """What the service needs of the pipeline (talk2tables.workflow.pipeline.Pipeline)."""

    async def answer(
        self, question: str, *, request_id: str | None = None, progress: Progress | None = None
    ) -> Any: ...


class Observer(Protocol):
    """Records one answered or failed question (talk2tables.api.metrics.Metrics)."""

    def observe(self, result: QueryResult, *, endpoint: str, seconds: float) -> None: ...


class QuestionService:
    """Answers one question for any endpoint: never raises, always a QueryResult."""

    def __init__(self, pipeline: Answerer, metrics: Observer | None, *, max_chars: int, timeout_seconds: float) -> None:
        self.pipeline = pipeline
        self.metrics = metrics
        self.max_chars = max_chars
        self.timeout_seconds = timeout_seconds

    def check(self, question: str) -> str:
        """The question as it will be answered, or InvalidQuestionError naming what is wrong."""
        cleaned = question.strip()
        if not cleaned:
            raise InvalidQuestionError("The question is empty: type a question about your data.")
        if len(cleaned) > self.max_chars:
            raise InvalidQuestionError(
                f"The question is {len(cleaned)} characters long; "
                f"the limit is {self.max_chars} (T2T_MAX_QUESTION_CHARS)."
            )
        if "\x00" in cleaned:
            raise InvalidQuestionError("The question contains a NUL character.")
        return cleaned

    async def answer(self, question: str, *, endpoint: str, progress: Progress | None = None) -> QueryResult:
        request_id = new_request_id()
        started = time.perf_counter()
        with bound_request(request_id):
            try:
                cleaned = self.check(question)
            except InvalidQuestionError as exc:
                result = failure_result(question[:200], exc, request_id=request_id)
            else:
                result = await self._run(cleaned, request_id, progress)
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.observe(result, endpoint=endpoint, seconds=seconds)
            log.info(
                "question_answered",
                endpoint=endpoint,
                outcome="success" if result.success else "failure",
                duration_ms=round(seconds * 1000, 2),
                attempts=result.metadata.get("attempts_count"),
            )
        return result

    async def _run(self, question: str, request_id: str, progress: Progress | None) -> QueryResult:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                answer = await self.pipeline.answer(question, request_id=request_id, progress=progress)
        except TimeoutError:
            error = RequestTimeoutError(
                f"No answer within {self.timeout_seconds:g} s (T2T_REQUEST_TIMEOUT); nothing was returned in part."
            )
            elapsed = {"total": round((time.perf_counter() - started) * 1000, 2)}
            result = failure_result(
                question, error, request_id=request_id,
                metadata={"attempts": [], "attempts_count": 0, "timings_ms": elapsed},
            )  # fmt: skip
            if progress is not None:
                await progress(ProgressEvent(stage="failed", message=error.message))
            return result
        return answer if isinstance(answer, QueryResult) else QueryResult.model_validate(answer)
