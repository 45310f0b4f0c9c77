"""Bearer-token check and request-size limit for the API."""

from __future__ import annotations

import json

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talk2tables.bearer import bearer_matches
from talk2tables.errors import InvalidQuestionError
from talk2tables.workflow.outcome import failure_result


def require_token(expected: str | None):  # type: ignore[no-untyped-def]
    """A FastAPI dependency that checks `Authorization: Bearer <token>` in constant time."""

    async def check(request: Request) -> None:
        if not expected:
            return
        if not bearer_matches(request.headers.get("authorization"), expected):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="Missing or wrong API token: send 'Authorization: Bearer <T2T_API_TOKEN>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413, declared (Content-Length) or streamed (chunked).

    The body is read here first — bounded by the limit, so at most `max_bytes` are ever held — and
    replayed to the app; later `receive` calls (a client going away) pass straight through."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client left before sending its body
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        error = InvalidQuestionError(f"Request body too large: the limit is {self.max_bytes} bytes.")
        result = failure_result("", error)
        result.metadata["error"]["status_code"] = 413
        body = json.dumps(result.model_dump(mode="json")).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})
