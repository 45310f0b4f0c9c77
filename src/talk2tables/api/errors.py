"""Where failures become HTTP responses: one mapping from errors and failed results to status codes.

Every failure of a question answers with the QueryResult shape, whatever went wrong.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from talk2tables.errors import InvalidQuestionError, Talk2TablesError
from talk2tables.logging import get_logger
from talk2tables.models import QueryResult
from talk2tables.workflow.outcome import failure_result

log = get_logger(__name__)


def status_for(result: QueryResult) -> int:
    """200 for an answer; otherwise the status of the error class that ended the request."""
    if result.success:
        return 200
    error = result.metadata.get("error")
    status = error.get("status_code") if isinstance(error, dict) else None
    return status if isinstance(status, int) and 400 <= status <= 599 else 500


def result_response(result: QueryResult) -> JSONResponse:
    return JSONResponse(result.model_dump(mode="json"), status_code=status_for(result))


def _describe_validation(exc: RequestValidationError) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        problems.append(f"{where}: {err.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(problems) + '. Send JSON like {"query": "your question"}.'


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(Talk2TablesError)
    async def _talk2tables_error(request: Request, exc: Talk2TablesError) -> JSONResponse:
        log.warning("request_failed", path=request.url.path, **exc.to_dict())
        query = getattr(request.state, "question", "")
        return result_response(failure_result(query, exc, request_id=getattr(request.state, "request_id", None)))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:  # FastAPI could not parse the body: bad input like any other (422)
            return await _validation_error(request, RequestValidationError([{"loc": ("body",), "msg": exc.detail}]))
        return await http_exception_handler(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        message = _describe_validation(exc)
        if request.url.path.startswith("/v1/"):
            body = {"error": {"message": message, "type": "invalid_request_error", "code": "invalid_request"}}
            return JSONResponse(body, status_code=422)
        return result_response(failure_result("", InvalidQuestionError(message)))
