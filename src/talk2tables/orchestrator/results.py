"""What the orchestrator hands back: one gather's resources in priority order, and each server's status."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from talk2tables.models import ResourceData


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
