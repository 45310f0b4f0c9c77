"""POST /api/query and its streaming twin POST /api/query/stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sse_starlette import EventSourceResponse

from talk2tables.api.errors import result_response
from talk2tables.api.schemas import QueryRequest
from talk2tables.errors import Talk2TablesError
from talk2tables.logging import get_logger
from talk2tables.models import ProgressEvent, QueryResult, RowsReady
from talk2tables.workflow.outcome import failure_result
from talk2tables.workflow.service import QuestionService

log = get_logger(__name__)
T = TypeVar("T")

router = APIRouter(prefix="/api", tags=["questions"])

_FAILURES: dict[int | str, dict[str, Any]] = {
    401: {"description": "API token missing or wrong (when T2T_API_TOKEN is set)."},
    413: {"model": QueryResult, "description": "Request body too large."},
    422: {"model": QueryResult, "description": "Bad input, or the question could not be answered in 3 attempts."},
    502: {"model": QueryResult, "description": "An MCP server failed; the error names it."},
    503: {"model": QueryResult, "description": "No LLM configured, or the LLM is unreachable."},
    504: {"model": QueryResult, "description": "An MCP server, the LLM or the whole request timed out."},
}


def _service(request: Request) -> QuestionService:
    service: QuestionService = request.app.state.questions
    return service


@router.post("/query", response_model=QueryResult, responses=_FAILURES, summary="Answer a question")
async def query(body: QueryRequest, request: Request) -> JSONResponse:
    """Answer one question: the SQL, the rows and an explanation — or a whole failure saying what failed."""
    request.state.question = body.query
    service = _service(request)
    service.check(body.query)
    return result_response(await until_disconnected(request, service.answer(body.query, endpoint="query")))


async def until_disconnected(request: Request, work: Awaitable[T]) -> T:
    """`work`, cancelled if the client goes away first: a question nobody waits for must not keep the LLM (a
    local model answers one request at a time) or the databases busy."""
    task = asyncio.ensure_future(work)
    watcher = asyncio.create_task(_disconnect(request))
    try:
        await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
        if not task.done():
            log.info("client_disconnected", endpoint=request.url.path)
            task.cancel()
        return await task
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher


async def _disconnect(request: Request) -> None:
    """Returns when the client has gone: the body is read, so the next ASGI message is the disconnect."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


@router.post(
    "/query/stream",
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "progress events, then the result"},
        **_FAILURES,
    },
    summary="Answer a question, streaming progress",
)
async def query_stream(body: QueryRequest, request: Request) -> EventSourceResponse:
    """Server-Sent Events: `progress` events (gathering, generating, validating, executing, retrying n/3,
    explaining, done or failed); a `rows` event with the SQL and rows as soon as the query has run, before the
    LLM has explained them; then one `result` event carrying the whole QueryResult (or the failure)."""
    request.state.question = body.query
    service = _service(request)
    service.check(body.query)
    return EventSourceResponse(_stream(service, body.query), ping=15)


async def _stream(service: QuestionService, question: str) -> AsyncIterator[dict[str, str]]:
    events: asyncio.Queue[ProgressEvent | RowsReady | QueryResult] = asyncio.Queue()

    async def progress(event: ProgressEvent | RowsReady) -> None:
        await events.put(event)

    async def run() -> None:
        try:
            result = await service.answer(question, endpoint="query_stream", progress=progress)
        except Exception as exc:  # the stream must always end with a result, never wait forever
            log.exception("stream_failed")
            result = failure_result(question, Talk2TablesError(f"Internal error while answering: {exc}"))
        await events.put(result)

    task = asyncio.create_task(run())
    try:
        while True:
            item = await events.get()
            if isinstance(item, QueryResult):
                yield {"event": "result", "data": json.dumps(item.model_dump(mode="json"), default=str)}
                return
            if isinstance(item, RowsReady):
                yield {"event": "rows", "data": json.dumps(item.model_dump(mode="json"), default=str)}
                continue
            yield {"event": "progress", "data": item.model_dump_json()}
    finally:
        if not task.done():  # the client went away: stop the work too
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
