"""Warm the local model at start-up: it reads the current system prompt once, so the first question does not.

On a CPU, reading the ~6,000-token prompt is most of a cold question's time (about a minute on 2 cores). The
model server keeps the last prompt it read (llama.cpp reuses the longest common prefix of the next one), and
every question's prompt starts with the same system message: the rules and every server's resources. So `up`
gathers the resources once, exactly as a question would, sends that system message with a placeholder
question and a one-token answer, and throws the answer away.

Nothing is cached by the product: every question still gathers every resource fresh; if they changed, the
model server reads the part that differs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import replace

from talk2tables.config import Settings
from talk2tables.errors import LLMOutputError
from talk2tables.logging import Timer, get_logger
from talk2tables.orchestrator import Orchestrator
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig

log = get_logger(__name__)

WARM_UP_QUESTION = "(warming up: no question yet)"


async def warm_up(settings: Settings, llm: LLMConfig, env: Mapping[str, str]) -> float:
    """Read the system prompt of the registry's current resources into the model; returns the milliseconds it
    took. Raises what a question would raise when a server or the model cannot be reached."""
    timer = Timer()
    orchestrator = Orchestrator.from_settings(settings, env)
    generator = SQLGenerator(replace(llm, max_output_tokens=1, max_retries=0))
    try:
        await orchestrator.start()
        gather = await orchestrator.gather_all_resources()
        context = GenerationContext.from_servers(list(gather.servers))
        # One token is never a whole answer: only the reading of the prompt was wanted.
        with contextlib.suppress(LLMOutputError):
            await generator.generate(WARM_UP_QUESTION, context)
    finally:
        await generator.aclose()
        await orchestrator.close()
    log.info("local_llm_warm_up", duration_ms=timer.elapsed_ms)
    return timer.elapsed_ms
