"""One smoke question through the whole system with the real bundled model (llama.cpp, CPU): `make test-local`.

`make test` leaves it out: a 1.5B model's speed on a loaded CPU is not a pass/fail fact, and the suite's own
servers load both cores. Run it alone, on an idle machine. It asserts the system works with a real LLM end to
end (valid read-only SQL, executed, the right count back), within a generous deadline; speed and accuracy are
measured by the benchmarks (docs/benchmarks.md), not here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from talk2tables.api.app import create_app
from talk2tables.local_llm.model import DEFAULT_MODEL
from tests.support.processes import ServerProcess
from tests.support.system import InProcessApi, McpServers, api_settings

pytestmark = [pytest.mark.localmodel, pytest.mark.e2e, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def api(
    local_llm: ServerProcess, tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path
) -> Iterator[tuple[InProcessApi, McpServers]]:
    servers = McpServers(tmp_path_factory.mktemp("real-model"), sample_data_dir).start()
    settings = api_settings(
        servers, None,
        llm_model=f"openai:{DEFAULT_MODEL.alias}", openai_base_url=f"{local_llm.url}/v1", openai_api_key="local",
        llm_timeout_seconds=300, request_timeout_seconds=800,
    )  # fmt: skip
    app = InProcessApi(create_app(settings)).start()
    yield app, servers
    app.stop()
    servers.stop()


def oracle(database: Path, sql: str) -> object:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)  # noqa: TID251 - the test's own oracle
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def test_the_real_model_answers_a_smoke_question_end_to_end(api: tuple[InProcessApi, McpServers]) -> None:
    question, gold = "How many customers are there?", "SELECT COUNT(*) FROM customers"
    app, servers = api
    response = httpx.post(f"{app.url}/api/query", json={"query": question}, timeout=900)
    body = response.json()
    assert response.status_code == 200, body["error"]
    assert body["success"] is True
    assert body["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
    assert body["result"]["rows"], "an answer with rows"
    assert body["result"]["rows"][0][0] == oracle(servers.database_path, gold)
    print(f"\n{question!r}: {body['metadata']['timings_ms']} attempts={body['metadata']['attempts_count']}")
