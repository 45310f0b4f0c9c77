"""What the LLM answers, in two steps: the SQL first (GeneratedSQL or RoutedSQL), then, once the rows exist, what the
question's terms meant and an explanation (AnswerNotes); and the record of one attempt at the SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

EntityKind = Literal["product", "column", "aggregation", "time", "other"]


class ResolvedEntity(BaseModel):
    """One term of the question and what the LLM took it to mean."""

    model_config = ConfigDict(extra="ignore")

    term: str = Field(description="The words the user wrote, e.g. 'abracadabra' or 'revenue'.")
    resolved_to: str = Field(description="What they became, e.g. 'Magic Wand Pro' or 'sales.total_amount'.")
    kind: EntityKind = Field(description="product | column | aggregation | time | other")
    source_server: str = Field(description="Name of the MCP server whose resource told you this.")


SQLText = Annotated[
    str, Field(description="Exactly one SELECT (or WITH ... SELECT) statement; empty if the data cannot answer.")
]
# On the wire an entity is a list, [term, resolved_to, kind, source_server]: the same facts as ResolvedEntity in
# about half the tokens (its four keys repeated per entity were most of the notes' length on a local model).
EntityRow = tuple[str, str, EntityKind, str]
ENTITY_FIELDS = tuple(ResolvedEntity.model_fields)  # term, resolved_to, kind, source_server: the list's order
Entities = Annotated[
    list[EntityRow],
    Field(
        description="One [term, resolved_to, kind, source_server] list per term of the question a resource gave a "
        "meaning to: a product, column, aggregation or time range."
    ),
]
Explanation = Annotated[str, Field(description="One short plain sentence for a non-technical reader.")]
Confidence = Annotated[
    float, Field(ge=0, le=1, description="How sure you are that the query answers the question, 0-1.")
]
COMBINE = "combine"


Reason = Annotated[str, Field(description="Only when sql is empty: why the data cannot answer the question.")]
# Written before the SQL: the model first picks the metadata's names and terms the question uses (a grammar holds the
# list to the metadata's own names), so their meanings are in its mind, and on a retry in the message, as it writes.
Uses = Annotated[
    list[str],
    Field(
        description="The product names and business terms of the product metadata the question uses, as written there."
    ),
]


class GeneratedSQL(BaseModel):
    """The first answer: one read-only SQL query for the question, nothing else, so the rows come fast."""

    model_config = ConfigDict(extra="ignore")

    uses: Uses = []
    sql: SQLText
    reason: Reason = ""


class QueryPart(BaseModel):
    """One database's share of a question that spans several: its rows become a table of the combining query."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(description="The table name the combining query reads this part's rows from, e.g. open_tickets.")
    server: str = Field(description="Key of the database server this part runs on.")
    sql: str = Field(description="One SELECT in that database's dialect.")


class RoutedSQL(BaseModel):
    """The first answer when there are several databases: which one the query runs on (`server`), or, for a
    question that needs two, one query per database in `parts`, `server` "combine" and `sql` joining the parts'
    rows. The routing comes first: the model decides where before it writes what."""

    model_config = ConfigDict(extra="ignore")

    uses: Uses = []
    server: str = Field(description="Key of the database server the sql runs on, or 'combine' when parts are used.")
    parts: list[QueryPart] = Field(
        default_factory=list, description="Only when the question needs two databases: one query per database."
    )
    sql: SQLText
    reason: Reason = ""


class AnswerNotes(BaseModel):
    """The second answer, asked once the query has run: what the question's terms were taken to mean, the answer
    in plain words, and how sure the LLM is."""

    model_config = ConfigDict(extra="ignore")

    resolved_entities: Entities
    explanation: Explanation
    confidence: Confidence

    @field_validator("resolved_entities", mode="before")
    @classmethod
    def _accept_objects(cls, value: Any) -> Any:
        """A provider that writes each entity as an object (its keys those of ResolvedEntity) is understood too."""
        if not isinstance(value, list):
            return value
        return [[item.get(key) for key in ENTITY_FIELDS] if isinstance(item, dict) else item for item in value]

    @field_validator("confidence", mode="before")
    @classmethod
    def _accept_percentages(cls, value: Any) -> Any:
        """A confidence written as a percentage (llama.cpp's grammar does not hold numbers to the schema's 0-1)."""
        if isinstance(value, int | float) and 1 < value <= 100:
            return value / 100
        return value

    def entities(self) -> list[ResolvedEntity]:
        """The entities as the QueryResult carries them: one object each."""
        return [ResolvedEntity(**dict(zip(ENTITY_FIELDS, row, strict=True))) for row in self.resolved_entities]


Answer = GeneratedSQL | RoutedSQL


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
    # Column references the schema made certain, mended before `sql` ran (repair.py): `t2.x -> t1.x`.
    repairs: tuple[str, ...] = ()

    def to_metadata(self) -> dict[str, Any]:
        return {
            "attempt": self.number,
            "sql": self.sql,
            "error": self.error,
            "stage": self.stage,
            "error_type": self.error_type,
            "duration_ms": self.duration_ms,
            "repairs": list(self.repairs),
        }
