"""Bearer-token check and request-size limit for the API."""

from __future__ import annotations

import hmac
import json

from fastapi import HTTPException, Request, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from talk2tables.api.errors import failure_result
from talk2tables.errors import InvalidQuestionError


def require_token(expected: str | None):  # type: ignore[no-untyped-def]
    """A FastAPI dependency that checks `Authorization: Bearer <token>` in constant time."""

    async def check(request: Request) -> None:
        if not expected:
            return
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                detail="Missing or wrong API token: send 'Authorization: Bearer <T2T_API_TOKEN>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return check


class BodySizeLimit:
    """Refuses request bodies over `max_bytes` with 413, whether or not Content-Length is declared."""

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
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _TooLarge
            return message

        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                # The app caught the overflow while reading the body (FastAPI answers "error parsing the body");
                # what happened is a body over the limit: say so, and drop the app's own answer.
                if not started:
                    started = True
                    await self._refuse(send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        error = InvalidQuestionError(f"Request body too large: the limit is {self.max_bytes} bytes.")
        result = failure_result("", error)
        result.metadata["error"]["status_code"] = 413
        body = json.dumps(result.model_dump(mode="json")).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
