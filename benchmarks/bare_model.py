"""The baseline of the accuracy benchmark: the bare model, as a text-to-SQL paper would run it.

The database's own DDL (and, for the metadata questions, the product metadata as text) plus the question, one
completion constrained to `{"sql": ...}`, no validation, no retry. The same provider and output mode as the
product (any configured LLM), at temperature 0.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict
from pydantic_ai import Agent

from talk2tables.sql_generation.generator import output_spec
from talk2tables.sql_generation.providers import LLMConfig, build_llm, close_http_client, request_settings

BARE_PROMPT = """\
Write one {dialect} query that answers the user's question about the database below. Answer with one JSON
object and nothing around it: {{"sql": "<the query>"}}.

{ddl}
"""
EXTRA = "\n\nWhat the business calls things (product metadata, JSON):\n{extra}\n"


class BareSQL(BaseModel):
    model_config = ConfigDict(extra="ignore")

    sql: str


@dataclass
class BareAnswer:
    sql: str | None  # None: no usable answer
    error: str | None
    latency_ms: float
    input_tokens: int | None = None
    output_tokens: int | None = None


class BareModel:
    """One completion per question; the provider's HTTP client is kept across questions and closed by aclose()."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.choice = build_llm(config)
        spec = output_spec(self.choice.output_mode, BareSQL)
        self.agent: Agent[None, BareSQL] = Agent(self.choice.model, output_type=spec, retries={"output": 0})

    async def answer(self, question: str, ddl: str, *, dialect: str = "SQLite", extra: str | None = None) -> BareAnswer:
        instructions = BARE_PROMPT.format(dialect=dialect, ddl=ddl) + (EXTRA.format(extra=extra) if extra else "")
        settings = request_settings(self.choice, self.config, BareSQL.model_json_schema())
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.config.timeout_seconds + 5):
                result = await self.agent.run(question, instructions=instructions, model_settings=settings)
        except Exception as exc:  # any failure is "no SQL" for the baseline; the kind is kept for the report
            return BareAnswer(None, f"{type(exc).__name__}: {exc}"[:300], (time.perf_counter() - started) * 1000)
        usage = result.usage
        sql = result.output.sql.strip()
        return BareAnswer(
            sql or None,
            None if sql else "empty SQL",
            (time.perf_counter() - started) * 1000,
            usage.input_tokens,
            usage.output_tokens,
        )

    async def aclose(self) -> None:
        await close_http_client(self.choice)
