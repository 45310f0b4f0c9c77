"""A real MCP client session over SSE for tests: initialised, bounded, with or without a bearer token."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp import ClientSession
from mcp.client.sse import sse_client


@asynccontextmanager
async def mcp_session(sse_url: str, *, token: str | None = None) -> AsyncIterator[ClientSession]:
    """Bounded so a broken server fails the test quickly instead of waiting for the SDK's 300 s."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with (
        sse_client(sse_url, headers=headers, timeout=10, sse_read_timeout=60) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def read_json(session: ClientSession, uri: str) -> Any:
    """One JSON resource, checked to be a single application/json content."""
    result = await session.read_resource(uri)
    assert len(result.contents) == 1
    content = result.contents[0]
    assert content.mime_type == "application/json"
    return json.loads(content.text)  # type: ignore[union-attr]
