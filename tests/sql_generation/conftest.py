"""Fixtures of the SQL generation tests: the scripted OpenAI-compatible LLM (the only fake) and its config."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from talk2tables.sql_generation.providers import LLMConfig
from tests.support.scripted_llm import MODEL_ID, ScriptedLLM, ScriptedLLMServer
from tests.support.system import API_KEY


@pytest.fixture(scope="session")
def llm_server() -> Iterator[ScriptedLLMServer]:
    server = ScriptedLLMServer(ScriptedLLM(api_key=API_KEY)).start()
    yield server
    server.stop()


@pytest.fixture
def llm(llm_server: ScriptedLLMServer) -> Iterator[ScriptedLLMServer]:
    """The session's scripted LLM with an empty script and no recorded requests; set the script per test."""
    llm_server.llm.set_script([])
    yield llm_server
    llm_server.llm.release_hangs()


@pytest.fixture
def llm_config(llm: ScriptedLLMServer) -> LLMConfig:
    """The product's settings for the scripted LLM: an OpenAI-compatible server, no SDK retries."""
    return LLMConfig(
        model=f"openai:{MODEL_ID}",
        openai_base_url=llm.base_url,
        openai_api_key=API_KEY,
        timeout_seconds=10,
        max_retries=0,
    )
