"""Bearer token on and off, CORS restricted to configured origins, and the built UI served at /."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import ApiFactory
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import InProcessApi, McpServers

TOKEN = "s3cret-api-token"
GUARDED = [("POST", "/api/query"), ("POST", "/api/query/stream"), ("GET", "/api/servers"),
           ("GET", "/metrics"), ("POST", "/v1/chat/completions"), ("GET", "/v1/models")]  # fmt: skip


@pytest.fixture(scope="module")
def ui_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<!doctype html><title>Talk 2 Tables UI</title><div id=root></div>")
    (dist / "assets").mkdir()
    (dist / "assets" / "app.js").write_text("console.log('ui')")
    return dist


@pytest.fixture(scope="module")
def guarded_api(start_api: ApiFactory, servers: McpServers, llm: ScriptedLLMServer, ui_dist: Path) -> InProcessApi:
    return start_api(servers, llm, api_token=TOKEN, ui_dist_dir=ui_dist, cors_origins=["http://allowed.example:3000"])


@pytest.fixture
def anonymous(guarded_api: InProcessApi) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=guarded_api.url, timeout=60) as client:
        yield client


def _call(client: httpx.Client, method: str, path: str, **kwargs: object) -> httpx.Response:
    body = {"messages": [{"role": "user", "content": "hi"}]} if path.startswith("/v1/chat") else {"query": "hi"}
    return client.request(method, path, json=body if method == "POST" else None, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("method", "path"), GUARDED)
def test_every_endpoint_refuses_a_missing_or_wrong_token(anonymous: httpx.Client, method: str, path: str) -> None:
    missing = _call(anonymous, method, path)
    wrong = _call(anonymous, method, path, headers={"Authorization": "Bearer nope"})
    for response in (missing, wrong):
        assert response.status_code == 401
        assert "T2T_API_TOKEN" in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"


def test_the_right_token_is_let_in(anonymous: httpx.Client) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    response = anonymous.post("/api/query", json={"query": "total sales of abracadabra"}, headers=headers)
    assert response.status_code == 200
    assert anonymous.get("/metrics", headers=headers).status_code == 200


def test_ui_and_docs_stay_public(anonymous: httpx.Client) -> None:
    index = anonymous.get("/")
    assert index.status_code == 200
    assert "Talk 2 Tables UI" in index.text
    assert anonymous.get("/assets/app.js").text == "console.log('ui')"
    assert anonymous.get("/docs").status_code == 200
    assert anonymous.get("/openapi.json").json()["info"]["title"] == "Talk 2 Tables"


def test_no_token_configured_means_open_endpoints(client: httpx.Client) -> None:
    assert client.get("/api/servers").status_code == 200
    assert client.get("/metrics").status_code == 200


def test_without_a_built_ui_the_root_says_how_to_build_it(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "make install" in page.text


def test_cors_allows_only_configured_origins(anonymous: httpx.Client) -> None:
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"}
    allowed = anonymous.options("/api/query", headers={"Origin": "http://allowed.example:3000", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://allowed.example:3000"
    refused = anonymous.options("/api/query", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in refused.headers
