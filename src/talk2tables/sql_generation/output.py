"""What the LLM must answer (GeneratedSQL) and the record of one attempt at answering a question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EntityKind = Literal["product", "column", "aggregation", "time", "other"]


class ResolvedEntity(BaseModel):
    """One term of the question and what the LLM took it to mean."""

    model_config = ConfigDict(extra="ignore")

    term: str = Field(description="The words the user wrote, e.g. 'abracadabra' or 'revenue'.")
    resolved_to: str = Field(description="What they became, e.g. 'Magic Wand Pro' or 'sales.total_amount'.")
    kind: EntityKind = Field(description="product | column | aggregation | time | other")
    source_server: str = Field(description="Name of the MCP server whose resource told you this.")


class GeneratedSQL(BaseModel):
    """One read-only SQL query that answers the question, with what the question's terms were taken to mean."""

    model_config = ConfigDict(extra="ignore")

    sql: str = Field(description="Exactly one SELECT (or WITH ... SELECT) statement; empty if the data cannot answer.")
    resolved_entities: list[ResolvedEntity] = Field(
        description="Every term of the question that was mapped to a product, column, aggregation or time range."
    )
    explanation: str = Field(description="One or two plain sentences for a non-technical reader.")
    confidence: float = Field(ge=0, le=1, description="How sure you are that the query answers the question, 0-1.")


Stage = Literal["generating", "validating", "executing"]


@dataclass(frozen=True)
class Attempt:
    """One try at a question: the SQL (if any), and the error that sent it back to the LLM (if any).

    `raw` is the LLM's reply as sent, replayed to it in the recovery conversation.
    """

    number: int
    sql: str | None
    error: str | None
    stage: Stage
    error_type: str | None = None
    raw: str | None = None
    duration_ms: float = 0.0

    def to_metadata(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "sql": self.sql,
            "error": self.error,
            "stage": self.stage,
            "error_type": self.error_type,
            "duration_ms": self.duration_ms,
        }
