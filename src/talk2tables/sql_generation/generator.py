"""SQLGenerator: the LLM's two answers to a question.

`generate` turns the question (and any failed attempts) into the SQL alone (GeneratedSQL or RoutedSQL): a
short answer, so the rows come as soon as the query has run. `explain`, asked once the rows exist, adds what
the question's terms meant, an explanation and a confidence (AnswerNotes).

Both replay one conversation: system message with every resource, the question, each earlier answer and the
error it met, and for `explain` the answer that ran. The system message and the question come first and never
change within a request, so the provider reuses the prompt prefix from one call to the next.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput, PromptedOutput, ToolOutput, capture_run_messages
from pydantic_ai import exceptions as ai_errors
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, UserPromptPart

from talk2tables.errors import LLMError, LLMOutputError, LLMTimeoutError, LLMUnavailableError
from talk2tables.logging import Timer, get_logger
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.grammar import finish_explanation, grammar_schema
from talk2tables.sql_generation.output import Answer, AnswerNotes, Attempt, GeneratedSQL, RoutedSQL
from talk2tables.sql_generation.prompt import (
    build_system_prompt,
    explain_message,
    question_message,
    recovery_message,
)
from talk2tables.sql_generation.providers import (
    LLMChoice,
    LLMConfig,
    build_llm,
    close_http_client,
    request_settings,
    translate_error,
)
from talk2tables.sql_generation.tables import selection_message, selection_prompt, table_names, tables_model
from talk2tables.sql_generation.terms import (
    Term,
    mentions_message,
    mentions_model,
    metadata_terms,
    term_hints,
    used_terms,
)

log = get_logger(__name__)

# Beyond the provider's own deadline (which covers its retries), a last guard so no call outlives its budget.
DEADLINE_MARGIN_SECONDS = 5.0
OUTPUT_NAMES: dict[type[BaseModel], str] = {
    GeneratedSQL: "GeneratedSQL",
    RoutedSQL: "GeneratedSQL",
    AnswerNotes: "AnswerNotes",
}
NO_ANSWER = "(no usable answer)"


def output_spec(mode: str, output: type[BaseModel], name: str | None = None) -> Any:
    """How pydantic-ai is to ask for `output` in this output mode (`name`: the schema's name, default its class)."""
    name = name or OUTPUT_NAMES.get(output, output.__name__)
    if mode == "tool":
        return ToolOutput(output, name="final_result")
    if mode == "native":
        return NativeOutput(output, name=name)
    # No schema text in the prompt: our own messages say which JSON object to write (and the server's grammar
    # holds it to the schema), so both steps share the whole system message and a prompt cache keeps all of it.
    return PromptedOutput(output, name=name, template=False)


def output_type(context: GenerationContext) -> type[Answer]:
    """One database: the SQL alone. Several: the SQL with the server it runs on (or parts to combine)."""
    return RoutedSQL if context.several else GeneratedSQL


class SQLGenerator:
    """Builds its model on first use (so an unconfigured LLM fails the request, not the app's start-up)."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self._choice: LLMChoice | None = None
        self._agents: dict[type[BaseModel], Agent[None, Any]] = {}

    def ensure_configured(self) -> LLMChoice:
        """The model, built once; raises LLMNotConfiguredError saying what to set."""
        if self._choice is None:
            self._choice = build_llm(self.config)
        return self._choice

    def _agent(self, choice: LLMChoice, output: type[BaseModel]) -> Agent[None, Any]:
        if output not in self._agents:
            spec = output_spec(choice.output_mode, output)
            self._agents[output] = Agent(choice.model, output_type=spec, retries={"output": 0})
        return self._agents[output]

    def describe(self) -> dict[str, Any]:
        """What the LLM is, for metadata and logs (never a key)."""
        if self._choice is None:
            return {"model": self.config.model}
        return {
            "model": self._choice.model_id,
            "output_mode": self._choice.output_mode,
            "endpoint": self._choice.endpoint,
        }

    async def generate(
        self,
        question: str,
        context: GenerationContext,
        previous_attempts: Sequence[Attempt] = (),
        *,
        calls: list[dict[str, Any]] | None = None,
        hints: str = "",
        sampled: bool = False,
    ) -> Answer:
        """The SQL. Raises LLMOutputError (worth another attempt) or LLMError subclasses (not).
        `calls`, when given, gets a record of the call: step, duration and tokens. `hints`: what the question's
        metadata terms mean (pick_terms), written under the question. `sampled`: at the retry temperature even on
        the first attempt (another candidate for self-consistency)."""
        prompt, history = conversation(question, previous_attempts, hints, metadata_terms(context))
        answer: Answer = await self._ask(
            output_type(context), prompt, history, context,
            step="sql", attempt=len(previous_attempts) + 1, calls=calls, sampled=sampled,
        )  # fmt: skip
        return answer

    async def explain(
        self,
        question: str,
        context: GenerationContext,
        attempts: Sequence[Attempt],
        result: tuple[list[str], int],
        *,
        calls: list[dict[str, Any]] | None = None,
        hints: str = "",
    ) -> AnswerNotes:
        """What the terms meant and the answer in words, once the last of `attempts` has run and returned
        `result` (its columns and row count)."""
        columns, row_count = result
        history = explained_conversation(question, attempts, hints, metadata_terms(context))
        ask = explain_message(columns, row_count, attempts[-1].repairs if attempts else ())
        notes: AnswerNotes = await self._ask(
            AnswerNotes, ask, history, context,
            step="explain", attempt=len(attempts), calls=calls,
        )  # fmt: skip
        return notes.model_copy(update={"explanation": finish_explanation(notes.explanation)})

    async def pick_terms(
        self, question: str, context: GenerationContext, *, calls: list[dict[str, Any]] | None = None
    ) -> str:
        """The meanings of the product names and business terms the LLM says the question uses, chosen from the
        metadata's own keys (terms.py); "" when the metadata defines none, the LLM names none, or its reply is
        unusable (the SQL step then reads the metadata itself, as it always can)."""
        terms = metadata_terms(context)
        if not terms:
            return ""
        model = mentions_model(terms)
        try:
            picked = await self._ask(
                model, mentions_message(question), [], context, step="terms", attempt=1, calls=calls
            )
        except LLMOutputError:
            return ""
        return term_hints(list(picked.mentions), terms)

    async def select_tables(
        self, question: str, context: GenerationContext, *, calls: list[dict[str, Any]] | None = None
    ) -> list[str]:
        """The tables the LLM says the question needs, from a compact list of every table (tables.py); [] when its
        reply is unusable (the caller then keeps the whole schema)."""
        names = list(table_names(context))
        if not names:
            return []
        model = tables_model(names)
        try:
            chosen = await self._ask(
                model, selection_message(question), [], context,
                step="tables", attempt=1, calls=calls, instructions=selection_prompt(context),
            )  # fmt: skip
        except LLMOutputError:
            return []
        return list(chosen.tables)

    async def _ask(
        self,
        output: type[BaseModel],
        prompt: str,
        history: list[ModelMessage],
        context: GenerationContext,
        *,
        step: str,
        attempt: int,
        calls: list[dict[str, Any]] | None,
        instructions: str | None = None,
        sampled: bool = False,
    ) -> Any:
        choice = self.ensure_configured()
        agent = self._agent(choice, output)
        # A retry at temperature 0 tends to repeat the SQL that failed: the later SQL attempts are sampled.
        temperature = self.config.retry_temperature if step == "sql" and (attempt > 1 or sampled) else 0.0
        settings = request_settings(choice, self.config, grammar_schema(output, context), temperature=temperature)
        timer = Timer()
        outcome = "error"
        tokens: dict[str, int | None] = {"input_tokens": None, "output_tokens": None}
        try:
            with capture_run_messages() as messages:
                try:
                    async with asyncio.timeout(self.config.timeout_seconds + DEADLINE_MARGIN_SECONDS):
                        result = await agent.run(
                            prompt,
                            message_history=history or None,
                            instructions=instructions or build_system_prompt(context),
                            model_settings=settings,
                        )
                except TimeoutError as exc:
                    raise LLMTimeoutError(
                        f"The LLM ({choice.label}) did not answer within {self.config.timeout_seconds:g} s. "
                        "Check that it is running and not overloaded, or raise T2T_LLM_TIMEOUT.",
                        model=choice.model_id,
                    ) from exc
                except ai_errors.UserError as exc:
                    raise LLMUnavailableError(
                        f"The LLM ({choice.label}) cannot be used this way: {exc}. "
                        "Set T2T_LLM_OUTPUT_MODE to prompted, tool or native to match what it supports.",
                        model=choice.model_id,
                    ) from exc
                except LLMError:
                    raise
                except Exception as exc:
                    error = translate_error(exc, choice, self.config)
                    if isinstance(error, LLMOutputError):
                        error.context["raw"] = _last_reply(messages)
                    raise error from exc
            outcome = "ok"
            usage = result.usage
            tokens = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}
            return result.output
        finally:
            log.info(
                "llm_call",
                model=choice.model_id,
                output_mode=choice.output_mode,
                step=step,
                attempt=attempt,
                duration_ms=timer.elapsed_ms,
                outcome=outcome,
                **tokens,
            )
            if calls is not None:
                calls.append({"step": step, "attempt": attempt, "duration_ms": timer.elapsed_ms, "outcome": outcome,
                              **tokens, **({"sampled": True} if sampled else {})})  # fmt: skip

    async def aclose(self) -> None:
        """Close the provider's HTTP client, if one was opened."""
        if self._choice is not None:
            await close_http_client(self._choice)


def conversation(
    question: str, previous: Sequence[Attempt], hints: str = "", terms: Mapping[str, Term] | None = None
) -> tuple[str, list[ModelMessage]]:
    """The prompt to send now and the history before it: question, then (answer, error) per earlier attempt. After
    an answer that listed metadata names in `uses`, the error comes with what they mean (`terms`), unless the terms
    step's `hints` already stand under the question."""

    def recovery(attempt: Attempt) -> str:
        named = [term.name for term in used_terms(answer_uses(attempt), terms)] if terms and not hints else []
        return recovery_message(question, attempt, term_hints(named, terms) if terms and named else "")

    asked = question_message(question, hints, ask_uses=bool(terms))
    if not previous:
        return asked, []
    history: list[ModelMessage] = [ModelRequest(parts=[UserPromptPart(asked)])]
    for index, attempt in enumerate(previous):
        history.append(ModelResponse(parts=[TextPart(attempt.raw or NO_ANSWER)]))
        if index < len(previous) - 1:
            history.append(ModelRequest(parts=[UserPromptPart(recovery(attempt))]))
    return recovery(previous[-1]), history


def answer_uses(attempt: Attempt) -> list[str]:
    """The metadata names an attempt's answer listed in `uses` (its raw reply is JSON, or was meant to be)."""
    try:
        reply = json.loads(attempt.raw or "")
    except ValueError:
        return []
    uses = reply.get("uses") if isinstance(reply, dict) else None
    return [name for name in uses if isinstance(name, str)] if isinstance(uses, list) else []


def explained_conversation(
    question: str, attempts: Sequence[Attempt], hints: str = "", terms: Mapping[str, Term] | None = None
) -> list[ModelMessage]:
    """The conversation that led to the query that ran, its answer included: `explain` asks its question after it,
    so everything before is a prefix the provider has already read."""
    prompt, history = conversation(question, attempts[:-1], hints, terms)
    ran = ModelResponse(parts=[TextPart(attempts[-1].raw or NO_ANSWER)])
    return [*history, ModelRequest(parts=[UserPromptPart(prompt)]), ran]


def _last_reply(messages: Sequence[ModelMessage]) -> str | None:
    """What the model actually said in its last response (text or tool-call arguments), to replay it."""
    for message in reversed(messages):
        if isinstance(message, ModelResponse):
            for part in message.parts:
                if isinstance(part, TextPart) and part.content.strip():
                    return part.content
                if isinstance(part, ToolCallPart):
                    return part.args_as_json_str()
            return None
    return None
