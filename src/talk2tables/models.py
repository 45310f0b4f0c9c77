"""Shared vocabulary of every component: the plan's QueryResult and ResourceData shapes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ResultTable(BaseModel):
    """Rows of a query result, column names first."""

    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)


class QueryResult(BaseModel):
    """The plan's QueryResult: exactly these keys, success or failure."""

    model_config = ConfigDict(extra="forbid")

    success: bool
    query: str
    sql: str | None = None
    result: ResultTable = Field(default_factory=ResultTable)
    error: str | None = None
    explanation: str | None = None
    resolved_entities: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class ResourceData(BaseModel):
    """The plan's ResourceData: every resource one MCP server exposes, read fresh for one request."""

    name: str
    server_key: str
    url: str
    priority: int
    domains: list[str] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    resources: dict[str, Any] = Field(default_factory=dict)


class QueryRows(BaseModel):
    """What the Database MCP's execute_query tool returns."""

    columns: list[str]
    rows: list[list[Any]]
    row_count: int
    truncated: bool = False


class ProgressEvent(BaseModel):
    """One step of answering a question, streamed to the UI as it happens.

    stage: gathering | generating | validating | executing | retrying | explaining | done | failed
    """

    stage: str
    message: str
    attempt: int | None = None
    max_attempts: int | None = None
    elapsed_ms: float = 0.0


class RowsReady(BaseModel):
    """The SQL and its rows as soon as the query has run, before the LLM's explanation of them: streamed as the
    `rows` event. It is not the answer: the `result` event that follows carries the whole QueryResult, or a
    failure if the explanation failed."""

    query: str
    sql: str
    result: ResultTable
    metadata: dict[str, Any] = Field(default_factory=dict)
