"""An ASGI guard for the MCP SDK's SSE app: one response per HTTP request.

When a server stops while a client holds its `/sse` stream open, the SDK's endpoint ends the stream and then
returns a second, empty `Response()`. uvicorn refuses that second response and logs "Exception in ASGI
application" with a traceback, once per connected client, on every ordinary shutdown. The guard drops a
response started after the first one, so a clean stop reads as one.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class OneResponsePerRequest:
    """ASGI middleware: pass the first response of each HTTP request, drop any response started after it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        dropping = False

        async def send_first_response_only(message: Message) -> None:
            nonlocal started, dropping
            if message["type"] == "http.response.start":
                if started:
                    dropping = True
                started = True
            if not dropping:
                await send(message)

        await self.app(scope, receive, send_first_response_only)
