"""One response per HTTP request: the guard in front of both MCP servers' SSE apps."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from talk2tables.sse_guard import OneResponsePerRequest
from tests.support.processes import ServerProcess, free_port


async def _two_responses(scope: Any, receive: Any, send: Any) -> None:
    """What the SDK's SSE endpoint does at shutdown: a streamed response, then a second, empty one."""
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]})
    await send({"type": "http.response.body", "body": b"event: endpoint\r\n\r\n", "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def _run(app: Any, scope_type: str = "http") -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": scope_type}, receive, send))
    return sent


def test_passes_the_first_response_whole_and_drops_a_second_one() -> None:
    sent = _run(OneResponsePerRequest(_two_responses))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body", "http.response.body"]
    assert sent[0]["headers"] == [(b"content-type", b"text/event-stream")]
    assert sent[1]["body"] == b"event: endpoint\r\n\r\n"


def test_leaves_other_scopes_alone() -> None:
    assert len(_run(OneResponsePerRequest(_two_responses), "lifespan")) == 5


@pytest.mark.parametrize("which", ["db-server", "metadata-server"])
def test_a_server_stopped_with_a_client_connected_logs_no_error(
    which: str, sample_data_dir: Path, tmp_path: Path
) -> None:
    source = (
        ["--database-url", str(sample_data_dir / "multi_mcp_test.db")]
        if which == "db-server"
        else ["--metadata", str(sample_data_dir / "product_metadata.json")]
    )
    port = free_port()
    log = tmp_path / "server.log"
    server = ServerProcess([which, *source, "--port", str(port)], port, env={"T2T_MCP_TOKEN": ""}, log=log).start()
    connected = threading.Event()

    def hold_a_session_open() -> None:  # a client reading its stream, as the orchestrator's session does
        with contextlib.suppress(httpx.HTTPError), httpx.stream("GET", f"{server.url}/sse", timeout=10) as stream:
            for line in stream.iter_lines():
                if stream.status_code == 200 and line.startswith("event: endpoint"):
                    connected.set()

    client = threading.Thread(target=hold_a_session_open, daemon=True)
    client.start()
    try:
        assert connected.wait(10), "the SSE stream never sent its endpoint event"
        server.stop()  # SIGTERM, as `up`'s Ctrl-C or a deploy sends
    finally:
        server.kill()
    client.join(10)
    assert server.process is not None
    # uvicorn re-raises the SIGTERM after its graceful shutdown; SIGKILL (-9) would mean it hung
    assert server.process.returncode in (0, -signal.SIGTERM)
    text = log.read_text()
    assert "Shutting down" in text
    assert "Exception in ASGI application" not in text
    assert "Traceback" not in text
