"""The whole system for fault tests: real MCP server processes with short deadlines, the scripted LLM, the real
API over real HTTP. Each test breaks one part on purpose; an autouse fixture puts every server back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from talk2tables.api.app import create_app
from tests.faults.helpers import fault_rules
from tests.support.scripted_llm import ScriptedLLM, ScriptedLLMServer
from tests.support.system import InProcessApi, McpServers, api_settings

# Short deadlines keep each fault quick to detect; a query may run 3 s before the database stops it. Not
# shorter: the Database MCP describes the whole schema (some 30 statements) within one statement time limit,
# and on a busy machine a 1 s limit interrupted that now and then.
TIMEOUTS: dict[str, float] = {"connect_seconds": 2, "resource_seconds": 3, "tool_seconds": 6}
STATEMENT_TIMEOUT_SECONDS = 3
LLM_TIMEOUT_SECONDS = 2


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLMServer]:
    server = ScriptedLLMServer(ScriptedLLM()).start()
    server.llm.set_script(fault_rules())
    yield server
    server.stop()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path) -> Iterator[McpServers]:
    running = McpServers(
        tmp_path_factory.mktemp("faults"),
        sample_data_dir,
        timeouts=TIMEOUTS,
        db_args=("--statement-timeout", str(STATEMENT_TIMEOUT_SECONDS)),
    ).start()
    yield running
    running.stop()


def start_api(servers: McpServers, llm: ScriptedLLMServer, **overrides: object) -> InProcessApi:
    settings = api_settings(
        servers, llm, llm_timeout_seconds=LLM_TIMEOUT_SECONDS, llm_max_retries=0, request_timeout_seconds=60
    )
    if overrides:
        settings = settings.model_copy(update=overrides)
    return InProcessApi(create_app(settings)).start()


@pytest.fixture(scope="module")
def api(servers: McpServers, llm: ScriptedLLMServer) -> Iterator[InProcessApi]:
    running = start_api(servers, llm)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def healthy_afterwards(request: pytest.FixtureRequest) -> Iterator[None]:
    """Whatever a test broke, the next test starts with both servers running and answering."""
    yield
    if "servers" not in request.fixturenames:
        return
    servers: McpServers = request.getfixturevalue("servers")
    for server in (servers.db, servers.metadata):
        if server.process is not None and server.process.poll() is None:
            server.resume()
        else:
            server.start()
    if "llm" in request.fixturenames:
        llm: ScriptedLLMServer = request.getfixturevalue("llm")
        llm.llm.release_hangs()
        llm.llm.set_script(fault_rules())
