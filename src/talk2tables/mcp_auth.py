"""Optional bearer-token check in front of the SSE app (`T2T_MCP_TOKEN`).

Every HTTP request (the `/sse` stream and each `/messages/` post) must carry
`Authorization: Bearer <token>`; anything else gets 401 before the MCP layer sees it.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from talk2tables.bearer import bearer_matches
from talk2tables.logging import get_logger

log = get_logger(__name__)


class BearerTokenMiddleware:
    """ASGI middleware: refuse HTTP requests without the right bearer token (constant-time compare)."""

    def __init__(self, app: ASGIApp, token: str, *, server: str = "database") -> None:
        if not token:
            raise ValueError("an empty bearer token would accept everyone; pass a non-empty token or no middleware")
        self.app = app
        self._expected = token
        self._server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._authorised(scope):
            await self.app(scope, receive, send)
            return
        log.warning("unauthorised_request", server=self._server, path=scope.get("path"), outcome="refused")
        body = json.dumps(
            {
                "error": "unauthorized",
                "message": "This MCP server requires a bearer token: send 'Authorization: Bearer <T2T_MCP_TOKEN>'.",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="talk2tables"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _authorised(self, scope: Scope) -> bool:
        header = dict(scope.get("headers", [])).get(b"authorization")
        return bearer_matches(header, self._expected)
