"""Everything the generator knows for one question: the gathered resources in priority order, and the
databases among them (each Database MCP's schema and dialect), the only places SQL can run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from talk2tables.errors import ResourceFetchError
from talk2tables.models import ResourceData
from talk2tables.protocol import EXECUTE_QUERY, SCHEMA_URI


@dataclass(frozen=True)
class Database:
    """One database server of this request: its registry key, name, SQL dialect and schema, read fresh."""

    key: str
    name: str
    dialect: str
    schema: dict[str, Any]

    @property
    def table_names(self) -> list[str]:
        return [str(t["name"]) for t in self.schema.get("tables", []) if isinstance(t, dict) and t.get("name")]


@dataclass(frozen=True)
class GenerationContext:
    """The resources of one request (read fresh by the orchestrator), ordered by server priority."""

    servers: tuple[ResourceData, ...]
    databases: tuple[Database, ...]

    @classmethod
    def from_servers(cls, servers: Sequence[ResourceData], dialect: str | None = None) -> GenerationContext:
        """Every server that executes queries and serves a schema is a database, highest priority first.

        A schema names its own dialect; `dialect` stands in for a schema that does not."""
        ordered = tuple(sorted(servers, key=lambda s: s.priority))
        executing = [s for s in ordered if EXECUTE_QUERY in s.capabilities and SCHEMA_URI in s.resources]
        holders = executing or [s for s in ordered if SCHEMA_URI in s.resources][:1]
        if not holders:
            names = ", ".join(s.name for s in ordered) or "none"
            raise ResourceFetchError(
                f"No MCP server provided the {SCHEMA_URI} resource (servers: {names}); "
                "check that the Database MCP is in the registry and enabled.",
            )
        return cls(servers=ordered, databases=tuple(_database(s, dialect) for s in holders))

    @property
    def several(self) -> bool:
        """True when the LLM must say which database a query runs on."""
        return len(self.databases) > 1

    @property
    def default(self) -> Database:
        """The highest-priority database: the only one unless there are several."""
        return self.databases[0]

    @property
    def dialect(self) -> str:
        return self.default.dialect

    @property
    def schema(self) -> dict[str, Any]:
        return self.default.schema

    @property
    def database_server(self) -> str:
        return self.default.name

    @property
    def tables(self) -> list[dict[str, Any]]:
        return [t for t in self.schema.get("tables", []) if isinstance(t, dict)]


def _database(server: ResourceData, fallback_dialect: str | None) -> Database:
    schema = server.resources[SCHEMA_URI]
    if not isinstance(schema, dict) or not isinstance(schema.get("tables"), list):
        raise ResourceFetchError(
            f"The {SCHEMA_URI} resource of {server.name} is not a schema object with a 'tables' list.",
            server=server.name,
        )
    dialect = schema.get("dialect") if isinstance(schema.get("dialect"), str) else fallback_dialect
    if not dialect:
        raise ResourceFetchError(
            f"The {SCHEMA_URI} resource of {server.name} names no dialect, so its SQL dialect is unknown; "
            "check that the server is a Talk 2 Tables Database MCP.",
            server=server.name,
            uri=SCHEMA_URI,
        )
    return Database(key=server.server_key, name=server.name, dialect=str(dialect), schema=schema)
