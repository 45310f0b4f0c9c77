"""The real API over real HTTP, with real MCP server processes and the scripted LLM."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from talk2tables.api.app import create_app
from tests.support.scripted_llm import ScriptedLLM, ScriptedLLMServer
from tests.support.scripts import standard_rules
from tests.support.system import InProcessApi, McpServers, api_settings


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLMServer]:
    server = ScriptedLLMServer(ScriptedLLM()).start()
    server.llm.set_script(standard_rules())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path) -> Iterator[McpServers]:
    running = McpServers(tmp_path_factory.mktemp("api-system"), sample_data_dir).start()
    yield running
    running.stop()


ApiFactory = Callable[..., InProcessApi]


@pytest.fixture(scope="module")
def start_api() -> Iterator[ApiFactory]:
    """Start an app with settings overrides; every app started is stopped at the end of the module."""
    started: list[InProcessApi] = []

    def start(servers: McpServers, llm: ScriptedLLMServer | None, **overrides: Any) -> InProcessApi:
        api = InProcessApi(create_app(api_settings(servers, llm, **overrides))).start()
        started.append(api)
        return api

    yield start
    for api in started:
        api.stop()


@pytest.fixture(scope="module")
def api(start_api: ApiFactory, servers: McpServers, llm: ScriptedLLMServer) -> InProcessApi:
    return start_api(servers, llm)


@pytest.fixture
def client(api: InProcessApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=60) as http:
        yield http
