"""Fixtures of the SQL generation tests: the scripted OpenAI-compatible LLM (the only fake), real MCP servers
over SSE, the real orchestrator, and the pipeline built on them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from talk2tables.orchestrator import Orchestrator, load_registry
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.pipeline import Pipeline
from tests.support.scripted_llm import MODEL_ID, ScriptedLLM, ScriptedLLMServer
from tests.support.system import API_KEY, McpServers


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


@pytest.fixture(scope="session")
def mcp_servers(tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path) -> Iterator[McpServers]:
    """The real Database MCP and Product Metadata MCP over SSE (child processes), shared read-only by tests."""
    running = McpServers(tmp_path_factory.mktemp("sqlgen-system"), sample_data_dir).start()
    yield running
    running.stop()


@pytest.fixture
async def orchestrator(mcp_servers: McpServers) -> AsyncIterator[Orchestrator]:
    async with Orchestrator(load_registry(mcp_servers.registry)) as running:
        yield running


@pytest.fixture
async def pipeline(orchestrator: Orchestrator, llm_config: LLMConfig) -> AsyncIterator[Pipeline]:
    generator = SQLGenerator(llm_config)
    yield Pipeline(orchestrator, generator)
    await generator.aclose()
