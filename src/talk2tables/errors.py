"""One small error hierarchy; each class carries its HTTP status and the context that names what failed.

The API turns every one of these into the QueryResult error shape in exactly one place
(`talk2tables.api.errors`), so a failure reads the same over HTTP, in the CLI and in logs.
"""

from __future__ import annotations

from typing import Any


class Talk2TablesError(Exception):
    """Base class: a failure a person can act on. `message` says what failed and what to do."""

    status_code: int = 500
    stage: str = "internal"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = {k: v for k, v in context.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "stage": self.stage, "message": self.message, **self.context}


class ConfigurationError(Talk2TablesError):
    """A configuration file or setting is missing or invalid."""

    status_code = 500
    stage = "configuration"


class InvalidQuestionError(Talk2TablesError):
    """The request itself is unusable (empty, too long, malformed)."""

    status_code = 422
    stage = "request"


# --- MCP servers (the plan's hierarchy) -------------------------------------------------


class MCPError(Talk2TablesError):
    """Something went wrong talking to an MCP server."""

    status_code = 502
    stage = "mcp"

    def __init__(self, message: str, *, server: str | None = None, **context: Any) -> None:
        super().__init__(message, server=server, **context)
        self.server = server


class MCPConnectionError(MCPError):
    """An MCP server could not be reached, or its session broke."""


class MCPTimeoutError(MCPError):
    """An MCP server did not answer within its deadline."""

    status_code = 504


class ResourceFetchError(MCPError):
    """Listing or reading a resource failed."""

    stage = "gathering"


class NoMCPAvailableError(MCPError):
    """No configured MCP server can serve what is needed (e.g. nothing offers execute_query)."""


class ToolExecutionError(MCPError):
    """An MCP tool returned an error (for execute_query: the database's own message)."""

    stage = "executing"


# --- Database MCP server side ---------------------------------------------------------


class UnsafeQueryError(Talk2TablesError):
    """A query was refused because it is not a single read-only SELECT/WITH statement."""

    status_code = 422
    stage = "validating"


class DatabaseError(Talk2TablesError):
    """The database refused or failed a query (over MCP: the database is unavailable, status 502)."""

    status_code = 502
    stage = "executing"


class DatabaseBusyError(DatabaseError):
    """The Database MCP is at its limit of concurrent and queued queries; the same question may work later."""

    status_code = 503


class MetadataError(Talk2TablesError):
    """A product metadata file is missing, unreadable or invalid."""

    status_code = 502
    stage = "metadata"


# --- LLM ------------------------------------------------------------------------------


class LLMError(Talk2TablesError):
    """The LLM provider failed."""

    status_code = 503
    stage = "generating"


class LLMNotConfiguredError(LLMError):
    """No LLM provider is configured."""


class LLMUnavailableError(LLMError):
    """The LLM endpoint is unreachable, refused the key, or answered with a server error."""


class LLMTimeoutError(LLMError):
    """The LLM did not answer in time."""

    status_code = 504


class LLMOutputError(LLMError):
    """The LLM answered, but not with the structured output asked for (e.g. invalid JSON); worth another attempt."""

    status_code = 502


class SQLValidationError(Talk2TablesError):
    """Generated SQL failed validation against the gathered schema."""

    status_code = 422
    stage = "validating"


class QueryNotAnsweredError(Talk2TablesError):
    """Every recovery attempt failed; `attempts` lists each attempt's SQL and error."""

    status_code = 422
    stage = "generating"


class RequestTimeoutError(Talk2TablesError):
    """The whole request ran past its deadline."""

    status_code = 504
    stage = "request"
