"""The optional bearer token (T2T_MCP_TOKEN): a real server process, real HTTP, a real MCP client."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from talk2tables.mcp_auth import BearerTokenMiddleware
from talk2tables.sample_data.description import write_database_description
from tests.database_mcp.helpers import mcp_session, query
from tests.support.processes import ServerProcess, free_port, running

pytestmark = pytest.mark.e2e
TOKEN = "correct-horse-battery-staple-42"


@dataclass
class Guarded:
    server: ServerProcess
    log: Path


@pytest.fixture(scope="module")
def guarded(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guarded]:
    folder = tmp_path_factory.mktemp("db-auth")
    database = shutil.copy(sample_db, folder / "shop.db")
    log = folder / "server.log"
    port = free_port()
    description = write_database_description(folder / "description.md")
    args = ["db-server", "--database-url", str(database), "--port", str(port), "--description", str(description)]
    with running(args, port, env={"T2T_MCP_TOKEN": TOKEN, "LOG_LEVEL": "DEBUG"}, log=log) as server:
        yield Guarded(server, log)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ],
    ids=["missing", "wrong", "longer", "basic-scheme", "no-scheme"],
)
def test_refuses_the_sse_stream_without_the_right_token(guarded: Guarded, headers: dict[str, str]) -> None:
    response = httpx.get(guarded.server.sse_url, headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "T2T_MCP_TOKEN" in response.json()["message"]


def test_refuses_message_posts_without_the_token(guarded: Guarded) -> None:
    response = httpx.post(f"{guarded.server.url}/messages/?session_id=0123", json={}, timeout=10)
    assert response.status_code == 401


async def test_a_client_with_the_token_lists_tools_and_runs_queries(guarded: Guarded) -> None:
    async with mcp_session(guarded.server.sse_url, token=TOKEN) as session:
        tools = (await session.list_tools()).tools
        result = await query(session, "SELECT COUNT(*) FROM products")
    assert [tool.name for tool in tools] == ["execute_query"]
    assert result.structured_content is not None
    assert result.structured_content["rows"] == [[18]]


async def test_an_mcp_client_without_the_token_cannot_connect(guarded: Guarded) -> None:
    with pytest.raises(BaseException) as failure:  # noqa: PT011 - the SDK raises inside an exception group
        async with mcp_session(guarded.server.sse_url):
            pass
    assert "401" in repr(failure.value) + repr(getattr(failure.value, "exceptions", ""))


async def test_never_writes_the_token_to_the_log(guarded: Guarded) -> None:
    async with mcp_session(guarded.server.sse_url, token=TOKEN) as session:
        await session.list_tools()
    httpx.get(guarded.server.sse_url, headers={"Authorization": f"Bearer {TOKEN}-wrong"}, timeout=10)
    log = guarded.log.read_text()
    assert "unauthorised_request" in log
    assert TOKEN not in log


def test_an_empty_token_is_refused_rather_than_accepting_everyone() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("never called")

    with pytest.raises(ValueError, match="empty bearer token"):
        BearerTokenMiddleware(app, "")  # type: ignore[arg-type]
