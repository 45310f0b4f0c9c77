"""The static YAML registry of MCP servers: Pydantic models, loading with environment overrides,
and validation that reports every problem at once as "mcp_servers.<key>.<field>: message" lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError, field_validator, model_validator

from talk2tables.errors import ConfigurationError
from talk2tables.protocol import EXECUTE_QUERY

DEFAULT_REGISTRY_PATH = Path("mcp_config.yaml")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def url_env_var(key: str) -> str:
    """The environment variable that overrides one server's URL: `T2T_MCP_<KEY>_URL`."""
    return f"T2T_MCP_{key.upper()}_URL"


def check_url(url: str) -> str:
    """Return the URL if it is an absolute http(s) URL with a host and a valid port; else raise ValueError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{url!r} is not an http:// or https:// URL (SSE servers are reached over HTTP)")
    if not parts.hostname:
        raise ValueError(f"{url!r} has no host")
    try:
        _ = parts.port
    except ValueError:
        raise ValueError(f"{url!r} has an invalid port") from None
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r} must not carry a query string or fragment")
    return url.strip()


class ServerConfig(BaseModel):
    """One MCP server of the registry. `key` is its name in the YAML mapping."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = ""
    name: str = Field(min_length=1, description="Human-readable name, shown in logs and /api/servers.")
    url: str = Field(description="The server's SSE endpoint, e.g. http://127.0.0.1:8000/sse.")
    priority: StrictInt = Field(ge=1, le=999, description="Lower number = higher preference.")
    domains: list[str] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    transport: Literal["sse"] = "sse"
    description: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("capabilities")
    @classmethod
    def _identifiers(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not _NAME.match(v)]
        if bad:
            raise ValueError(f"entries must be lower-case identifiers like execute_query, not {bad}")
        return values

    @field_validator("domains")
    @classmethod
    def _non_empty(cls, values: list[str]) -> list[str]:
        if any(not v.strip() for v in values):
            raise ValueError("domains must be non-empty names")
        return values

    @property
    def can_execute_query(self) -> bool:
        return EXECUTE_QUERY in self.capabilities


class Timeouts(BaseModel):
    """Hard deadlines in seconds; each bounds one request to one server, including a transparent reconnect."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_seconds: float = Field(default=5.0, gt=0, le=600)
    resource_seconds: float = Field(default=5.0, gt=0, le=600)
    tool_seconds: float = Field(default=30.0, gt=0, le=3600)


class Orchestration(BaseModel):
    """How the orchestrator behaves. `fail_fast` must be true: partial results are never returned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fail_fast: Literal[True] = True
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    timeouts: Timeouts = Field(default_factory=Timeouts)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value


class Registry(BaseModel):
    """The whole registry; servers keep the YAML's key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mcp_servers: dict[str, ServerConfig] = Field(min_length=1)
    orchestration: Orchestration = Field(default_factory=Orchestration)

    @model_validator(mode="before")
    @classmethod
    def _fill_keys(cls, data: Any) -> Any:
        servers = data.get("mcp_servers") if isinstance(data, dict) else None
        if isinstance(servers, dict):
            data = {
                **data,
                "mcp_servers": {k: ({**v, "key": k} if isinstance(v, dict) else v) for k, v in servers.items()},
            }
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Registry:
        problems = cross_server_problems({k: s.model_dump() for k, s in self.mcp_servers.items()})
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def servers_by_priority(self) -> list[ServerConfig]:
        return sorted(self.mcp_servers.values(), key=lambda s: (s.priority, s.key))

    def query_server(self) -> ServerConfig | None:
        """The highest-priority server that declares `execute_query`."""
        return next((s for s in self.servers_by_priority() if s.can_execute_query), None)


def cross_server_problems(servers: Mapping[str, Any]) -> list[str]:
    """Problems no single field shows: key format, duplicate priorities, no server able to run queries."""
    problems: list[str] = []
    owners: dict[int, list[str]] = {}
    for key, server in servers.items():
        if not _KEY.match(str(key)):
            problems.append(
                f"mcp_servers.{key}: keys must be lower-case letters, digits and underscores, starting with a letter"
            )
        if not isinstance(server, Mapping):
            continue
        priority = server.get("priority")
        if isinstance(priority, int) and not isinstance(priority, bool):
            owners.setdefault(priority, []).append(str(key))
    for priority, keys in sorted(owners.items()):
        if len(keys) > 1:
            for key in keys[1:]:
                problems.append(
                    f"mcp_servers.{key}.priority: {priority} is already used by {keys[0]}; "
                    "each server needs a distinct priority"
                )
    capable = [
        k for k, s in servers.items() if isinstance(s, Mapping) and EXECUTE_QUERY in (s.get("capabilities") or [])
    ]
    if servers and not capable:
        problems.append(
            "mcp_servers: no server declares the execute_query capability; "
            "add execute_query to the Database MCP's capabilities"
        )
    return problems


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; see docs/orchestrator.md for the format)"
    if kind == "literal_error" and error["loc"][-1] == "transport":
        return f"transport must be sse, not {error['input']!r} (only SSE is supported)"
    if kind == "literal_error" and error["loc"][-1] == "fail_fast":
        return "fail_fast must be true: Talk 2 Tables never returns partial results"
    if kind == "missing":
        return "required"
    if kind in ("greater_than_equal", "less_than_equal") and error["loc"][-1] == "priority":
        return f"must be between 1 and 999 (lower number = preferred), not {error['input']}"
    if kind == "model_type":
        return "must be a mapping (for a server: name, url, priority, domains, capabilities, transport)"
    if kind == "too_short" and error["loc"] == ("mcp_servers",):
        return "at least one server is required"
    text = str(error["msg"])
    return text.removeprefix("Value error, ")


def _format_errors(exc: ValidationError) -> list[str]:
    problems: list[str] = []
    for error in exc.errors():
        where = _location(error["loc"])
        if error["type"] == "value_error" and not where:
            # Our own cross-server check: its message already names each key.
            problems.extend(str(error["msg"]).removeprefix("Value error, ").split("\n"))
        else:
            problems.append(f"{where or '(top level)'}: {_message(error)}")
    return problems


def _apply_env(data: Any, env: Mapping[str, str]) -> Any:
    servers = data.get("mcp_servers") if isinstance(data, dict) else None
    if not isinstance(servers, dict):
        return data
    patched = dict(servers)
    for key, server in servers.items():
        override = env.get(url_env_var(str(key)))
        if override and isinstance(server, dict):
            patched[key] = {**server, "url": override}
    return {**data, "mcp_servers": patched}


def registry_problems(data: Any, env: Mapping[str, str] | None = None) -> list[str]:
    """Every problem of a parsed YAML document, as "mcp_servers.<key>.<field>: message" lines ([] = valid)."""
    if not isinstance(data, dict):
        return ["(top level): the registry must be a mapping with mcp_servers and orchestration"]
    overridden = {
        f"mcp_servers.{key}.url": url_env_var(str(key))
        for key in (data.get("mcp_servers") or {} if isinstance(data.get("mcp_servers"), dict) else {})
        if (env or {}).get(url_env_var(str(key)))
    }
    data = _apply_env(data, env or {})
    try:
        Registry.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{p} (set by {overridden[p.split(':', 1)[0]]})" if p.split(":", 1)[0] in overridden else p
            for p in _format_errors(exc)
        ]
        servers = data.get("mcp_servers")
        cross_ran = any(e["type"] == "value_error" and not e["loc"] for e in exc.errors())
        if isinstance(servers, dict) and not cross_ran:
            # Field errors stop Pydantic before the cross-server check; run it on the raw data too.
            problems.extend(cross_server_problems(servers))
        return problems
    return []


def resolve_registry_path(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Path:
    """An explicit path wins, then `MCP_CONFIG_PATH`, then ./mcp_config.yaml."""
    if path is not None:
        return Path(path)
    configured = (env or {}).get("MCP_CONFIG_PATH")
    return Path(configured) if configured else DEFAULT_REGISTRY_PATH


def read_registry_file(path: Path) -> Any:
    """Parse the YAML file; a missing or unparsable file is a ConfigurationError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read the MCP registry {path}: {exc.strerror or exc}. "
            "Create it (see docs/orchestrator.md) or point MCP_CONFIG_PATH at it.",
            path=str(path),
            problems=[f"{path}: {exc.strerror or exc}"],
        ) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigurationError(
            f"the MCP registry {path} is not valid YAML: {exc}", path=str(path), problems=[f"{path}: {exc}"]
        ) from exc


def parse_registry(data: Any, env: Mapping[str, str] | None = None, *, source: str = "registry") -> Registry:
    """Validate a parsed document; raise ConfigurationError listing every problem."""
    problems = registry_problems(data, env)
    if problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise ConfigurationError(
            f"{source} has {len(problems)} problem(s):\n{listing}\nFix them and run `talk2tables validate-config`.",
            path=source,
            problems=problems,
        )
    return Registry.model_validate(_apply_env(data, env or {}))


def load_registry(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Registry:
    """Load and validate the registry; `env` supplies `MCP_CONFIG_PATH` and `T2T_MCP_<KEY>_URL` overrides."""
    resolved = resolve_registry_path(path, env)
    return parse_registry(read_registry_file(resolved), env, source=str(resolved))
