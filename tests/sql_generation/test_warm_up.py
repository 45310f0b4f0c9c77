"""`up`'s warm-up of the local model (local_llm/warm_up.py), against the scripted OpenAI-compatible server: one
one-token request whose system message is exactly the one the next question sends, so a server that keeps the
last prompt (llama.cpp) has already read it. The time it saves shows only with the real model (make bench-local).
"""

from __future__ import annotations

import pytest

from talk2tables.cli.up import local_llm_config, warm_local_llm
from talk2tables.errors import LLMUnavailableError
from talk2tables.local_llm.warm_up import warm_up
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.pipeline import Pipeline
from tests.support.scripted_llm import ScriptedLLMServer, answer
from tests.support.scripts import PRODUCT_COUNT_SQL
from tests.support.system import McpServers, api_settings

pytestmark = pytest.mark.e2e


def _system(request: dict[str, object]) -> str:
    messages = request["messages"]
    assert isinstance(messages, list)
    return str(messages[0]["content"]) if messages[0]["role"] == "system" else ""


async def test_the_warm_up_sends_the_next_questions_system_prompt_for_one_token(
    llm: ScriptedLLMServer, llm_config: LLMConfig, mcp_servers: McpServers, pipeline: Pipeline
) -> None:
    llm.llm.set_script([{"match": "", "responses": [answer(PRODUCT_COUNT_SQL)]}])
    elapsed = await warm_up(api_settings(mcp_servers, llm), llm_config, {})
    assert elapsed > 0
    (warm,) = llm.llm.requests
    assert warm.get("max_tokens") == 1
    result = await pipeline.answer("How many products are there?")
    assert result.success
    question = llm.llm.requests[1]
    assert _system(warm) == _system(question)
    assert "Magic Wand Pro" in _system(warm)  # every server's resources, read fresh for the warm-up too


async def test_an_unreachable_model_is_said_and_up_goes_on(
    mcp_servers: McpServers, llm: ScriptedLLMServer, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = api_settings(mcp_servers, None, local_llm_port=1)  # nothing listens on port 1
    with pytest.raises(LLMUnavailableError):
        await warm_up(settings, local_llm_config(settings), {})
    await warm_local_llm(settings)  # what `up` does: says so, does not stop
    err = " ".join(capsys.readouterr().err.split())  # rich wraps lines at the terminal's width
    assert "Local LLM not warmed up" in err
    assert "the first question will be slower" in err
