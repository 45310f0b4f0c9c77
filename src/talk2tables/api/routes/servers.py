"""GET /api/servers: every registered MCP server, reachable or not, found by listing it now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from talk2tables.api.schemas import LLMInfo, ServerInfo, ServersResponse

router = APIRouter(prefix="/api", tags=["servers"])


@router.get("/servers", response_model=ServersResponse, summary="Registered MCP servers and the LLM")
async def servers(request: Request) -> ServersResponse:
    """List each server's tools and resources now (no health endpoints): reachable, counts, latency."""
    statuses: list[Any] = await request.app.state.orchestrator.server_status()
    infos = [ServerInfo.model_validate(_as_dict(s)) for s in statuses]
    model = request.app.state.settings.llm_model
    return ServersResponse(servers=infos, llm=LLMInfo(configured=bool(model), model=model))


def _as_dict(status: Any) -> dict[str, Any]:
    if isinstance(status, dict):
        return status
    if hasattr(status, "model_dump"):
        return dict(status.model_dump())
    return dict(vars(status))
