"""The MCP orchestrator: a static YAML registry of SSE servers, shared sessions, fresh all-or-nothing gathering."""

from talk2tables.orchestrator.orchestrator import Orchestrator
from talk2tables.orchestrator.registry import (
    Orchestration,
    Registry,
    ServerConfig,
    Timeouts,
    load_registry,
    parse_registry,
    registry_problems,
    resolve_registry_path,
    url_env_var,
)
from talk2tables.orchestrator.resolution import find_conflicts
from talk2tables.orchestrator.results import GatherResult, ServerStatus

__all__ = [
    "GatherResult",
    "Orchestration",
    "Orchestrator",
    "Registry",
    "ServerConfig",
    "ServerStatus",
    "Timeouts",
    "find_conflicts",
    "load_registry",
    "parse_registry",
    "registry_problems",
    "resolve_registry_path",
    "url_env_var",
]
