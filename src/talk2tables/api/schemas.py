"""Request and response models of the HTTP API: the single source of the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class QueryRequest(BaseModel):
    """A question in plain language."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"query": "total sales of abracadabra"}]})

    query: str = Field(description="The question, in plain language.", min_length=1)


class ServerInfo(BaseModel):
    """One registered MCP server, as found by listing it just now."""

    key: str
    name: str
    url: str
    priority: int
    domains: list[str]
    capabilities: list[str]
    reachable: bool
    resources: list[str]
    tools: list[str]
    latency_ms: float | None
    error: str | None = None


class LLMInfo(BaseModel):
    configured: bool
    model: str | None


class ServersResponse(BaseModel):
    servers: list[ServerInfo]
    llm: LLMInfo


class ChatMessage(BaseModel):
    """An OpenAI chat message; content may be text or a list of parts."""

    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(BaseModel):
    """The subset of OpenAI's chat completion request that existing chat clients send."""

    model_config = ConfigDict(extra="allow")

    model: str = "talk2tables"
    messages: list[ChatMessage] = Field(min_length=1)
    stream: StrictBool = False


class ChatChoiceMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatChoiceMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletionResponse(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: dict[str, int] = Field(
        default_factory=lambda: {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    )
    talk2tables: dict[str, Any] = Field(default_factory=dict, description="The full QueryResult behind this answer.")
