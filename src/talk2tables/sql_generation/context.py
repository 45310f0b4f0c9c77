"""Everything the generator knows for one question: the gathered resources in priority order, and the schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from talk2tables.errors import ResourceFetchError
from talk2tables.models import ResourceData
from talk2tables.protocol import EXECUTE_QUERY, SCHEMA_URI


@dataclass(frozen=True)
class GenerationContext:
    """The resources of one request (read fresh by the orchestrator), ordered by server priority."""

    servers: tuple[ResourceData, ...]
    dialect: str
    schema: dict[str, Any]
    database_server: str

    @classmethod
    def from_servers(cls, servers: Sequence[ResourceData], dialect: str) -> GenerationContext:
        """Pick the schema of the highest-priority server that executes queries (the one queries go to)."""
        ordered = tuple(sorted(servers, key=lambda s: s.priority))
        executing = [s for s in ordered if EXECUTE_QUERY in s.capabilities and SCHEMA_URI in s.resources]
        holders = executing or [s for s in ordered if SCHEMA_URI in s.resources]
        if not holders:
            names = ", ".join(s.name for s in ordered) or "none"
            raise ResourceFetchError(
                f"No MCP server provided the {SCHEMA_URI} resource (servers: {names}); "
                "check that the Database MCP is in the registry and enabled.",
            )
        schema = holders[0].resources[SCHEMA_URI]
        if not isinstance(schema, dict) or not isinstance(schema.get("tables"), list):
            raise ResourceFetchError(
                f"The {SCHEMA_URI} resource of {holders[0].name} is not a schema object with a 'tables' list.",
                server=holders[0].name,
            )
        return cls(servers=ordered, dialect=dialect, schema=schema, database_server=holders[0].name)

    @property
    def tables(self) -> list[dict[str, Any]]:
        return [t for t in self.schema.get("tables", []) if isinstance(t, dict)]
