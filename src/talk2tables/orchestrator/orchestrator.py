"""The orchestrator: gathers every resource of every enabled MCP server, fresh and in parallel, all or nothing,
and routes `execute_query` to the highest-priority server that offers it."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import structlog
from mcp import ClientSession
from mcp_types import (
    CallToolResult,
    PaginatedRequestParams,
    ReadResourceResult,
    Resource,
    TextResourceContents,
    Tool,
)
from pydantic import SecretStr, ValidationError

from talk2tables.config import Settings
from talk2tables.errors import (
    DatabaseBusyError,
    DatabaseError,
    MCPError,
    NoMCPAvailableError,
    ResourceFetchError,
    ToolExecutionError,
)
from talk2tables.logging import Timer, bound_request, get_logger, new_request_id
from talk2tables.models import QueryRows, ResourceData
from talk2tables.orchestrator.connection import SSE_READ_TIMEOUT_SECONDS, ServerConnection
from talk2tables.orchestrator.deadlines import Deadline, all_or_nothing, both
from talk2tables.orchestrator.registry import Registry, ServerConfig, load_registry
from talk2tables.orchestrator.resolution import find_conflicts
from talk2tables.orchestrator.results import GatherResult, ServerStatus
from talk2tables.protocol import BUSY_PREFIX, EXECUTE_QUERY, UNAVAILABLE_PREFIX

log = get_logger(__name__)


@contextmanager
def _request_scope(request_id: str | None) -> Iterator[str]:
    """Bind a request id to the logs: the given one, else one already bound by the caller, else a new one."""
    bound = structlog.contextvars.get_contextvars().get("request_id")
    rid = request_id or (str(bound) if bound else new_request_id())
    with bound_request(rid):
        yield rid


async def _list_resources(session: ClientSession) -> list[Resource]:
    result = await session.list_resources()
    resources = list(result.resources)
    while result.next_cursor:
        result = await session.list_resources(params=PaginatedRequestParams(cursor=result.next_cursor))
        resources.extend(result.resources)
    return resources


async def _list_tools(session: ClientSession) -> list[Tool]:
    result = await session.list_tools()
    tools = list(result.tools)
    while result.next_cursor:
        result = await session.list_tools(params=PaginatedRequestParams(cursor=result.next_cursor))
        tools.extend(result.tools)
    return tools


def _parse_contents(server: ServerConfig, uri: str, result: ReadResourceResult) -> Any:
    """JSON resources become Python values, other text stays text; several contents become a list."""
    values: list[Any] = []
    for content in result.contents:
        mime = (content.mime_type or "").split(";")[0].strip().lower()
        if not isinstance(content, TextResourceContents):
            values.append({"mime_type": mime, "blob": content.blob})
        elif mime == "application/json" or mime.endswith("+json"):
            try:
                values.append(json.loads(content.text))
            except ValueError as exc:
                raise ResourceFetchError(
                    f"{server.name} ({server.key}) returned invalid JSON for {uri}: {exc}; fix the server's resource",
                    server=server.key,
                    uri=uri,
                ) from exc
        else:
            values.append(content.text)
    return values[0] if len(values) == 1 else values


def _tool_text(result: CallToolResult, tool: str = EXECUTE_QUERY) -> str:
    text = "\n".join(str(getattr(c, "text", "")) for c in result.content).strip()
    # The SDK wraps a ToolError's text; the database's own words are what a person (or the LLM) can act on.
    return text.removeprefix(f"Error executing tool {tool}: ")


def token_env_var(key: str) -> str:
    """The environment variable holding one server's own bearer token: `T2T_MCP_<KEY>_TOKEN`."""
    return f"T2T_MCP_{key.upper()}_TOKEN"


_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _shared_token_for(server: ServerConfig, shared: str | None) -> str | None:
    parts = urlsplit(server.url)
    if shared and parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        log.warning(
            "mcp.token_withheld",
            server=server.key,
            reason="T2T_MCP_TOKEN is not sent in clear text to another host",
            fix=f"use https, or give this server its own token in {token_env_var(server.key)}",
        )
        return None
    return shared


class Orchestrator:
    """Holds one shared MCP session per enabled server; every request still lists and reads everything fresh."""

    def __init__(
        self,
        registry: Registry,
        *,
        enable_multi_mcp: bool = True,
        token: str | SecretStr | None = None,
        server_tokens: Mapping[str, str] | None = None,
        sse_read_timeout: float = SSE_READ_TIMEOUT_SECONDS,
    ) -> None:
        """`token` is the shared bearer token (T2T_MCP_TOKEN); `server_tokens` maps a registry key to its own
        (T2T_MCP_<KEY>_TOKEN), which wins. The shared token never travels in clear text off this machine: a
        plain-http server on another host gets only its own token."""
        self.registry = registry
        self.enable_multi_mcp = enable_multi_mcp
        self.timeouts = registry.orchestration.timeouts
        if enable_multi_mcp:
            self.servers = registry.servers_by_priority()
        else:
            query_server = registry.query_server()
            # Single-server mode (the plan's starting point): the Database MCP alone.
            self.servers = [query_server] if query_server else []
        shared = token.get_secret_value() if isinstance(token, SecretStr) else token
        own = server_tokens or {}
        self._connections = {
            s.key: ServerConnection(
                s,
                connect_seconds=self.timeouts.connect_seconds,
                token=own.get(s.key) or _shared_token_for(s, shared),
                sse_read_timeout=sse_read_timeout,
            )
            for s in self.servers
        }

    @classmethod
    def from_settings(cls, settings: Settings, env: Mapping[str, str]) -> Orchestrator:
        """The registry at `settings.mcp_config_path`, with `T2T_MCP_<KEY>_URL` overrides from `env`."""
        registry = load_registry(settings.mcp_config_path, env)
        tokens = {key: env[token_env_var(key)] for key in registry.mcp_servers if env.get(token_env_var(key))}
        return cls(registry, enable_multi_mcp=settings.enable_multi_mcp, token=settings.mcp_token, server_tokens=tokens)

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Open every session in parallel. A server that is down is logged, not raised: requests retry it."""
        timer = Timer()
        # The registry's log_level governs the orchestrator's own events (the process-wide level still applies).
        logging.getLogger("talk2tables.orchestrator").setLevel(self.registry.orchestration.log_level)

        async def connect(connection: ServerConnection) -> bool:
            try:
                await connection.connect()
            except MCPError:
                return False  # already logged as mcp.failure; the next request reconnects
            return True

        results = await all_or_nothing([connect(c) for c in self._connections.values()])
        log.info(
            "orchestrator.start",
            servers=[s.key for s in self.servers],
            connected=sum(results),
            multi_mcp=self.enable_multi_mcp,
            duration_ms=timer.elapsed_ms,
        )

    async def close(self) -> None:
        await all_or_nothing([c.close() for c in self._connections.values()])

    async def __aenter__(self) -> Orchestrator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    # --- gathering --------------------------------------------------------------------------

    async def _gather_server(self, server: ServerConfig) -> tuple[ResourceData, float]:
        connection = self._connections[server.key]
        deadline = Deadline(self.timeouts.resource_seconds)
        timer = Timer()
        # Resources only: nothing in a question uses a server's tool list (execute_query is routed by the
        # registry's capabilities), and each MCP call costs ~4 ms of CPU across the processes. The tool
        # lists are what /api/servers and `validate-config --check-connections` show.
        listed = await connection.request("list", _list_resources, deadline=deadline, what="resources")
        uris = [str(r.uri) for r in listed]

        async def read(uri: str) -> Any:
            result = await connection.request("read", lambda s: s.read_resource(uri), deadline=deadline, uri=uri)
            return _parse_contents(server, uri, result)

        contents = await all_or_nothing([read(uri) for uri in uris])
        data = ResourceData(
            name=server.name,
            server_key=server.key,
            url=server.url,
            priority=server.priority,
            domains=list(server.domains),
            capabilities=list(server.capabilities),
            resources=dict(zip(uris, contents, strict=True)),
        )
        return data, timer.elapsed_ms

    async def gather_all_resources(self, request_id: str | None = None) -> GatherResult:
        """List and read every resource of every enabled server, fresh; any failure fails the whole call."""
        with _request_scope(request_id) as rid:
            timer = Timer()
            if not self.servers:
                raise NoMCPAvailableError("no MCP server is enabled; add servers to the registry")
            try:
                gathered = await all_or_nothing([self._gather_server(s) for s in self.servers])
            except MCPError as exc:
                log.warning(
                    "orchestrator.gather",
                    outcome="error",
                    server=exc.server,
                    error_type=type(exc).__name__,
                    error=exc.message,
                    duration_ms=timer.elapsed_ms,
                )
                raise
            servers = [data for data, _ in gathered]
            conflicts = find_conflicts(servers)
            result = GatherResult(
                request_id=rid,
                servers=servers,
                conflicts=conflicts,
                timings_ms={data.server_key: ms for data, ms in gathered},
                total_ms=timer.elapsed_ms,
            )
            log.info(
                "orchestrator.gather",
                outcome="ok",
                servers=[s.server_key for s in servers],
                resources=sum(len(s.resources) for s in servers),
                conflicts=len(conflicts),
                timings_ms=result.timings_ms,
                duration_ms=result.total_ms,
            )
            return result

    # --- tools ------------------------------------------------------------------------------

    def query_server(self, key: str | None = None) -> ServerConfig:
        """The enabled server `key` if it executes queries; without a key, the highest-priority one that does."""
        executing = [s for s in self.servers if EXECUTE_QUERY in s.capabilities]
        if key is not None:
            server = next((s for s in executing if s.key == key), None)
            if server is None:
                raise NoMCPAvailableError(
                    f"no enabled MCP server {key!r} declares the execute_query capability; servers that do: "
                    f"{', '.join(s.key for s in executing) or 'none'}",
                    server=key,
                    capability=EXECUTE_QUERY,
                )
            return server
        if executing:
            return executing[0]
        raise NoMCPAvailableError(
            "no enabled MCP server declares the execute_query capability; "
            "add it to the Database MCP's capabilities in the registry",
            capability=EXECUTE_QUERY,
        )

    async def execute_query(self, sql: str, request_id: str | None = None, *, server: str | None = None) -> QueryRows:
        """Run one read-only query on database server `server` (default: the highest-priority one); its refusal
        raises ToolExecutionError with its message."""
        with _request_scope(request_id):
            target = self.query_server(server)
            connection = self._connections[target.key]
            result = await connection.request(
                "call",
                lambda s: s.call_tool(EXECUTE_QUERY, {"query": sql}),
                deadline=Deadline(self.timeouts.tool_seconds),
                failure=MCPError,  # a protocol-level failure is the server's, not the SQL's: not worth a retry
                tool=EXECUTE_QUERY,
            )
            if result.is_error:
                text = _tool_text(result) or "the tool reported an error without a message"
                log.info("mcp.tool_error", server=target.key, tool=EXECUTE_QUERY, error=text)
                for prefix, error in ((UNAVAILABLE_PREFIX, DatabaseError), (BUSY_PREFIX, DatabaseBusyError)):
                    if prefix in text:  # the database is down, locked or busy: fail fast, no other SQL can help
                        raise error(
                            f"{target.name}: {text[text.index(prefix):]}",
                            server=target.key, tool=EXECUTE_QUERY, tool_message=text, sql=sql,
                        )  # fmt: skip
                raise ToolExecutionError(
                    f"{target.name} could not run the query: {text}",
                    server=target.key,
                    tool=EXECUTE_QUERY,
                    tool_message=text,
                    sql=sql,
                )
            return self._rows(target, result, sql)

    @staticmethod
    def _rows(server: ServerConfig, result: CallToolResult, sql: str) -> QueryRows:
        data: Any = result.structured_content
        if data is None:
            try:
                data = json.loads(_tool_text(result))
            except ValueError:
                data = None
        if isinstance(data, dict) and set(data) == {"result"}:
            data = data["result"]
        try:
            return QueryRows.model_validate(data)
        except ValidationError as exc:
            raise MCPError(
                f"{server.name} answered execute_query in an unexpected shape (expected columns, rows, row_count): "
                f"{exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}",
                server=server.key,
                tool=EXECUTE_QUERY,
                sql=sql,
            ) from exc

    # --- status -----------------------------------------------------------------------------

    async def _status(self, server: ServerConfig) -> ServerStatus:
        connection = self._connections[server.key]
        deadline = Deadline(self.timeouts.connect_seconds + self.timeouts.resource_seconds)
        timer = Timer()
        base = server.model_dump(include={"key", "name", "url", "priority", "domains", "capabilities"})
        try:
            resources, tools = await both(
                connection.request("list", _list_resources, deadline=deadline, what="resources"),
                connection.request("list", _list_tools, deadline=deadline, what="tools"),
            )
        except MCPError as exc:
            return ServerStatus(**base, reachable=False, latency_ms=timer.elapsed_ms, error=exc.message)
        return ServerStatus(
            **base,
            reachable=True,
            resources=[str(r.uri) for r in resources],
            tools=[t.name for t in tools],
            latency_ms=timer.elapsed_ms,
        )

    async def server_status(self) -> list[ServerStatus]:
        """Each enabled server, healthy when listing its tools and resources works right now."""
        return await all_or_nothing([self._status(s) for s in self.servers])
