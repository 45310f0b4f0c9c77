"""The Product Metadata MCP server: three JSON resources read fresh from the metadata file, no tools.

A file that is missing or invalid reaches the client as the SDK's ResourceError carrying the
store's message (file + field), never as partial data.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError
from starlette.types import ASGIApp

from talk2tables.errors import MetadataError
from talk2tables.logging import Timer, get_logger
from talk2tables.mcp_auth import BearerTokenMiddleware
from talk2tables.product_metadata_mcp.store import RESOURCE_DESCRIPTIONS, MetadataStore
from talk2tables.protocol import COLUMN_MAPPINGS_URI, METADATA_SUMMARY_URI, PRODUCT_ALIASES_URI
from talk2tables.sse_guard import OneResponsePerRequest

log = get_logger(__name__)

SERVER_NAME = "product-metadata"
INSTRUCTIONS = (
    "What users call things: product aliases (alias → canonical product and its database values) and "
    "user-friendly column terms (phrase → table.column or SQL hint). Read every resource for each question."
)


def create_server(metadata_path: Path | str) -> MCPServer:
    """An MCPServer exposing the metadata file at `metadata_path` as three application/json resources."""
    store = MetadataStore(metadata_path)
    server: MCPServer = MCPServer(name=SERVER_NAME, instructions=INSTRUCTIONS)
    readers: dict[str, Callable[[], dict[str, Any]]] = {
        PRODUCT_ALIASES_URI: store.product_aliases,
        COLUMN_MAPPINGS_URI: store.column_mappings,
        METADATA_SUMMARY_URI: store.summary,
    }
    for uri, reader in readers.items():
        server.resource(
            uri,
            name=uri.removeprefix("resource://"),
            description=RESOURCE_DESCRIPTIONS[uri],
            mime_type="application/json",
        )(_json_resource(uri, reader))
    return server


def _json_resource(uri: str, reader: Callable[[], dict[str, Any]]) -> Callable[[], Awaitable[str]]:
    # A coroutine, so the SDK runs it on the event loop: reading and validating a metadata file of a few
    # kilobytes takes well under a millisecond, while handing each read to a worker thread cost this
    # server ~16% of its CPU (thread wake-ups), three times per question.
    async def read() -> str:
        timer = Timer()
        try:
            payload = reader()
        except MetadataError as error:
            log.warning(
                "resource_read", server=SERVER_NAME, resource=uri, outcome="error", duration_ms=timer.elapsed_ms
            )
            raise ResourceError(error.message) from error
        log.info("resource_read", server=SERVER_NAME, resource=uri, outcome="ok", duration_ms=timer.elapsed_ms)
        return json.dumps(payload, ensure_ascii=False)

    read.__name__ = uri.removeprefix("resource://")
    return read


def create_app(metadata_path: Path | str, *, token: str | None = None, host: str = "127.0.0.1") -> ASGIApp:
    """The SSE app (GET /sse, POST /messages/) for uvicorn; with `token`, every request must carry it."""
    app: ASGIApp = OneResponsePerRequest(create_server(metadata_path).sse_app(host=host))
    if token:
        app = BearerTokenMiddleware(app, token, server=SERVER_NAME)
    return app
