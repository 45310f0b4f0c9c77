"""What the orchestrator hands back: one gather's resources in priority order, and each server's status."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from talk2tables.errors import ResourceFetchError
from talk2tables.models import ResourceData
from talk2tables.protocol import EXECUTE_QUERY, SCHEMA_URI


class GatherResult(BaseModel):
    """Every resource of every enabled server, read fresh for one request; never partial."""

    request_id: str
    servers: list[ResourceData] = Field(description="In priority order, lowest number first.")
    conflicts: list[dict[str, Any]] = Field(
        default_factory=list, description="Entities described by several servers; the lower priority number won."
    )
    timings_ms: dict[str, float] = Field(default_factory=dict, description="Per server key: list + read time.")
    total_ms: float = 0.0


class ServerStatus(BaseModel):
    """One server as seen by listing its tools and resources right now (there are no health endpoints)."""

    key: str
    name: str
    url: str
    priority: int
    domains: list[str] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    reachable: bool
    resources: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    latency_ms: float | None = None
    error: str | None = None


def database_dialect(gather: GatherResult) -> str:
    """The SQL dialect (a sqlglot dialect name) of the database behind the query server's schema resource."""
    candidates = sorted(gather.servers, key=lambda s: (EXECUTE_QUERY not in s.capabilities, s.priority))
    for server in candidates:
        schema = server.resources.get(SCHEMA_URI)
        if isinstance(schema, dict) and isinstance(schema.get("dialect"), str):
            return str(schema["dialect"])
    raise ResourceFetchError(
        f"no server exposed {SCHEMA_URI} with a dialect, so the SQL dialect is unknown; "
        "check that the Database MCP is registered with the execute_query capability and is running",
        uri=SCHEMA_URI,
    )
