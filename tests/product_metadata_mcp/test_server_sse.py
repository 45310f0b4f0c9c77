"""The real `talk2tables metadata-server` process, read over SSE by the real MCP client."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from mcp.shared.exceptions import MCPError

from talk2tables.product_metadata_mcp.store import RESOURCE_DESCRIPTIONS
from talk2tables.sample_data.catalog import CATALOG
from talk2tables.sample_data.metadata import build_sample_metadata, write_sample_metadata
from tests.support.processes import TALK2TABLES, ServerProcess, free_port

from .cases import BAD_FILES, BadFile
from .conftest import mcp_session, read_json

pytestmark = pytest.mark.e2e

URIS = ("resource://product_aliases", "resource://column_mappings", "resource://metadata_summary")
NO_TOKEN = {"T2T_MCP_TOKEN": ""}  # a developer's .env or shell must not turn auth on for these tests


def start_server(metadata: Path, log: Path, *, env: dict[str, str] | None = None) -> ServerProcess:
    port = free_port()
    args = ["metadata-server", "--metadata", str(metadata), "--port", str(port)]
    return ServerProcess(args, port, env={**NO_TOKEN, **(env or {})}, log=log).start()


@pytest.fixture(scope="module")
def served_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_metadata(tmp_path_factory.mktemp("served") / "product_metadata.json")


@pytest.fixture(scope="module")
def server(served_file: Path) -> Iterator[ServerProcess]:
    process = start_server(served_file, served_file.parent / "server.log")
    yield process
    process.stop()


@pytest.fixture
def restore(served_file: Path) -> Iterator[Callable[[], None]]:
    """Puts the good sample file back after a test that spoils it (the server is shared by the module)."""

    def put_back() -> None:
        if served_file.is_dir():
            served_file.rmdir()
        write_sample_metadata(served_file)

    yield put_back
    put_back()


async def test_lists_three_json_resources_and_no_tools(server: ServerProcess) -> None:
    async with mcp_session(server.sse_url) as session:
        resources = (await session.list_resources()).resources
        tools = (await session.list_tools()).tools
        templates = (await session.list_resource_templates()).resource_templates
    assert sorted(str(r.uri) for r in resources) == sorted(URIS)
    assert {r.mime_type for r in resources} == {"application/json"}
    assert {str(r.uri): r.description for r in resources} == RESOURCE_DESCRIPTIONS
    assert tools == []
    assert templates == []


async def test_each_resource_serves_the_file(server: ServerProcess, served_file: Path) -> None:
    data = json.loads(served_file.read_text())
    async with mcp_session(server.sse_url) as session:
        aliases = await read_json(session, "resource://product_aliases")
        mappings = await read_json(session, "resource://column_mappings")
        summary = await read_json(session, "resource://metadata_summary")
    assert aliases == data["product_aliases"]
    assert aliases["abracadabra"]["canonical_name"] == "Magic Wand Pro"
    assert aliases["abracadabra"]["database_references"]["products.product_id"] == 123
    assert mappings == data["column_mappings"]
    assert mappings["user_friendly_terms"]["sales amount"] == "sales.total_amount"
    assert summary["product_count"] == len(CATALOG)
    assert summary["last_updated"] == "2025-01-15T10:00:00Z"
    assert summary["source"] == str(served_file)
    assert "magic" in summary["categories"]
    assert summary["resources"] == RESOURCE_DESCRIPTIONS


async def test_an_edit_shows_in_the_next_read_without_a_restart(
    server: ServerProcess, served_file: Path, restore: Callable[[], None]
) -> None:
    async with mcp_session(server.sse_url) as session:
        first = await read_json(session, "resource://product_aliases")
        assert "sparkle" not in first

        data = build_sample_metadata()
        data["last_updated"] = "2025-06-01T08:30:00Z"
        data["product_aliases"]["sparkle"] = {
            "canonical_id": "PROD_999",
            "canonical_name": "Sparkle Dust",
            "aliases": ["glitter", "fairy dust"],
            "database_references": {"products.product_name": "Sparkle Dust"},
            "categories": ["magic"],
        }
        data["column_mappings"]["user_friendly_terms"]["turnover"] = "sales.total_amount"
        served_file.write_text(json.dumps(data))  # edited in place, as an editor would

        aliases = await read_json(session, "resource://product_aliases")
        mappings = await read_json(session, "resource://column_mappings")
        summary = await read_json(session, "resource://metadata_summary")
    assert aliases["sparkle"]["aliases"] == ["glitter", "fairy dust"]
    assert mappings["user_friendly_terms"]["turnover"] == "sales.total_amount"
    assert summary["product_count"] == len(CATALOG) + 1
    assert summary["last_updated"] == "2025-06-01T08:30:00Z"


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
async def test_a_bad_file_on_read_is_a_clear_error_never_data(
    server: ServerProcess, served_file: Path, restore: Callable[[], None], bad: BadFile
) -> None:
    async with mcp_session(server.sse_url) as session:
        await read_json(session, "resource://metadata_summary")
        bad.make(served_file)
        for uri in URIS:
            with pytest.raises(MCPError) as raised:
                await session.read_resource(uri)
            message = raised.value.error.message
            assert f"Product metadata file {served_file} " in message
            for fragment in bad.expected:
                assert fragment in message
        restore()
        # The same session keeps working once the file is fixed: no restart, no reconnect.
        assert len(await read_json(session, "resource://product_aliases")) == len(CATALOG)


async def test_reads_during_rewrites_return_a_whole_version_or_an_error(
    server: ServerProcess, served_file: Path, restore: Callable[[], None]
) -> None:
    versions = []
    for name in ("Magic Wand Pro", "Magic Wand Max"):
        data = build_sample_metadata()
        data["product_aliases"]["abracadabra"]["canonical_name"] = name
        versions.append(data)
    texts = [json.dumps(v, indent=2) for v in versions]
    expected = [v["product_aliases"] for v in versions]
    stop = threading.Event()

    def rewrite_in_place() -> None:  # truncate + write: a reader can catch the file half written
        i = 0
        while not stop.is_set():
            served_file.write_text(texts[i % 2])
            i += 1
            stop.wait(0.002)  # yield the GIL so the client in this process keeps reading

    writer = threading.Thread(target=rewrite_in_place, daemon=True)
    writer.start()
    served: list[Any] = []
    errors: list[str] = []
    try:
        async with mcp_session(server.sse_url) as session:
            for _ in range(150):
                try:
                    served.append(await read_json(session, "resource://product_aliases"))
                except MCPError as error:
                    errors.append(error.error.message)
    finally:
        stop.set()
        writer.join(timeout=10)
    assert served, "no read succeeded"
    assert all(aliases in expected for aliases in served)
    assert all(f"Product metadata file {served_file} " in message for message in errors)


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_a_bad_file_at_start_exits_1_with_the_message(tmp_path: Path, bad: BadFile) -> None:
    path = write_sample_metadata(tmp_path / "product_metadata.json")
    bad.make(path)
    result = subprocess.run(
        [*TALK2TABLES, "metadata-server", "--metadata", str(path), "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **NO_TOKEN},
    )
    assert result.returncode == 1
    assert f"Error: Product metadata file {path} " in result.stderr
    for fragment in bad.expected:
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_the_metadata_path_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    missing = tmp_path / "from-env.json"
    result = subprocess.run(
        [*TALK2TABLES, "metadata-server", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **NO_TOKEN, "T2T_METADATA_PATH": str(missing)},
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert f"Product metadata file {missing} does not exist" in result.stderr


TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    path = write_sample_metadata(tmp_path_factory.mktemp("guarded") / "product_metadata.json")
    process = start_server(path, path.parent / "server.log", env={"T2T_MCP_TOKEN": TOKEN})
    yield process
    process.stop()


async def test_with_a_token_set_a_client_that_sends_it_reads_resources(guarded: ServerProcess) -> None:
    async with mcp_session(guarded.sse_url, token=TOKEN) as session:
        aliases: dict[str, Any] = await read_json(session, "resource://product_aliases")
    assert aliases["abracadabra"]["canonical_id"] == "PROD_123"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}],
    ids=["no header", "wrong token", "wrong scheme", "no scheme"],
)
def test_with_a_token_set_a_request_without_it_gets_401(guarded: ServerProcess, headers: dict[str, str]) -> None:
    with httpx.Client(timeout=10) as client:
        stream = client.get(guarded.sse_url, headers=headers)
        post = client.post(f"{guarded.url}/messages/?session_id=abc", headers=headers, json={})
    for response in (stream, post):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "T2T_MCP_TOKEN" in response.json()["message"]


async def test_with_a_token_set_the_mcp_client_without_it_is_refused(guarded: ServerProcess) -> None:
    with pytest.raises(httpx2.HTTPStatusError, match="401 Unauthorized"):
        async with mcp_session(guarded.sse_url):
            pass


def test_the_token_never_reaches_the_log(guarded: ServerProcess) -> None:
    assert guarded.log is not None
    log = guarded.log.read_text()
    assert "metadata_server_start" in log
    assert '"auth": "bearer"' in log
    assert TOKEN not in log
