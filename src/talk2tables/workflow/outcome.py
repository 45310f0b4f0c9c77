"""Where a failure becomes a QueryResult (the one place, for every endpoint and every stage), and how a result
names the database that answered it."""

from __future__ import annotations

from typing import Any

from talk2tables.errors import Talk2TablesError
from talk2tables.logging import new_request_id
from talk2tables.models import QueryResult


def failure_result(
    query: str,
    error: Talk2TablesError,
    *,
    request_id: str | None = None,
    sql: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> QueryResult:
    """A whole failure: no rows, the message a person can act on, the error's context in `metadata.error`.

    `metadata` adds what the request knew when it failed (attempts, timings, servers)."""
    details = {**error.to_dict(), "status_code": error.status_code}
    merged: dict[str, Any] = {**(metadata or {}), "error": details}
    merged.setdefault("request_id", request_id or new_request_id())
    return QueryResult(success=False, query=query, sql=sql, error=error.message, metadata=merged)


def answered_from(metadata: dict[str, Any]) -> str | None:
    """Which database answered: "from Support Desk MCP", or each part of a combined answer."""
    parts = metadata.get("parts")
    if isinstance(parts, list) and parts:
        return "combined: " + " + ".join(
            f"{p.get('name')} from {p.get('server_name') or p.get('server')}" for p in parts
        )
    name = metadata.get("server_name")
    return f"from {name}" if name else None
