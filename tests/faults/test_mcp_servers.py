"""Each MCP server killed, hung or restarted while questions are in flight: every reply is a whole answer or a
whole failure naming the server (502/504, never a 500, never partial), within its deadline; then service resumes.

tests/api/test_servers_and_faults.py covers a server stopped or hung between requests; these break it under
load, with requests at every stage when the fault lands.
"""

from __future__ import annotations

import pytest

from tests.faults.conftest import TIMEOUTS
from tests.faults.helpers import Background, assert_whole, assert_whole_failure, serves_again
from tests.support.processes import ServerProcess
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import InProcessApi, McpServers

pytestmark = pytest.mark.e2e

NAMES = {"db": "Database MCP", "metadata": "Product Metadata MCP"}
# The longest a failure may take: one connect plus one resource/tool deadline, and generous slack for a busy
# machine. Without hard deadlines a hung server would hold a request for the SDK's 300 s read timeout.
FAILURE_BOUND_SECONDS = TIMEOUTS["connect_seconds"] + TIMEOUTS["tool_seconds"] + 8


def _server(servers: McpServers, which: str) -> ServerProcess:
    server: ServerProcess = getattr(servers, which)
    return server


@pytest.mark.parametrize("which", ["db", "metadata"])
def test_a_server_killed_mid_load_fails_requests_whole_by_name_and_a_restart_brings_answers_back(
    api: InProcessApi, servers: McpServers, llm: ScriptedLLMServer, which: str
) -> None:
    server, name = _server(servers, which), NAMES[which]
    with Background(api.url) as load:
        load.wait_for(ok=3)
        mark = len(load.snapshot())
        server.kill()  # SIGKILL: no goodbye on the SSE stream
        load.wait_for(failed=2, since=mark)
        server.start()
        restarted = len(load.snapshot())
        load.wait_for(ok=3, since=restarted)
    replies = load.snapshot()
    for reply in replies:
        assert_whole(reply, {502, 504}, name)
    failures = [r for r in replies if not r.ok]
    assert failures
    assert all(r.seconds < FAILURE_BOUND_SECONDS for r in failures), [r.seconds for r in failures]
    assert serves_again(api.url).ok


@pytest.mark.parametrize("which", ["db", "metadata"])
def test_a_server_hung_mid_load_fails_requests_within_the_deadline_and_answers_after_it_resumes(
    api: InProcessApi, servers: McpServers, llm: ScriptedLLMServer, which: str
) -> None:
    server, name = _server(servers, which), NAMES[which]
    with Background(api.url) as load:
        load.wait_for(ok=3)
        mark = len(load.snapshot())
        server.pause()  # SIGSTOP: connections are accepted by the kernel, nothing answers
        try:
            load.wait_for(failed=3, since=mark, timeout=FAILURE_BOUND_SECONDS * 3)
        finally:
            server.resume()
        resumed = len(load.snapshot())
        load.wait_for(ok=3, since=resumed)
    replies = load.snapshot()
    failures = [r for r in replies if not r.ok]
    for reply in failures:
        assert_whole_failure(reply, {502, 504}, name)
        assert reply.seconds < FAILURE_BOUND_SECONDS, reply.seconds
    assert any(r.status == 504 for r in failures)  # a hung server is a timeout, not "connection refused"
    assert serves_again(api.url).ok


@pytest.mark.parametrize("which", ["db", "metadata"])
def test_a_server_restarted_mid_load_never_yields_a_partial_or_500_and_later_requests_succeed(
    api: InProcessApi, servers: McpServers, llm: ScriptedLLMServer, which: str
) -> None:
    server, name = _server(servers, which), NAMES[which]
    with Background(api.url) as load:
        load.wait_for(ok=3)
        server.stop()  # SIGTERM, as a deploy would
        server.start()
        restarted = len(load.snapshot())
        load.wait_for(ok=5, since=restarted)
    replies = load.snapshot()
    for reply in replies:
        assert_whole(reply, {502, 504}, name)
    after = replies[restarted:]
    # The first reply of each client after the restart may belong to a request sent before it; after that,
    # every request is answered.
    assert all(r.ok for r in after[load.clients :]), [r.status for r in after]
    assert serves_again(api.url).ok
