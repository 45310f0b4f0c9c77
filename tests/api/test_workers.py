"""`talk2tables api --workers N`: several processes share the port, answer questions, and /metrics adds them up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from talk2tables.api.workers import METRICS_DIR_PREFIX, remove_orphaned_metrics_dirs
from tests.api.test_metrics import sample
from tests.support.processes import ServerProcess, free_port
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import McpServers, llm_env

WORKERS = 2
QUESTIONS = 12


def _events(log: Path) -> Iterator[dict[str, Any]]:
    for line in log.read_text(errors="replace").splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            continue  # not a JSON log line (a child's stray output)


def _pids_that_answered(log: Path) -> set[int]:
    return {event["pid"] for event in _events(log) if event.get("event") == "question_answered"}


@pytest.fixture(scope="module")
def workers_api(
    servers: McpServers, llm: ScriptedLLMServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("workers")
    port = free_port()
    env = {**llm_env(llm), "T2T_API_TOKEN": "", "T2T_MCP_TOKEN": "", "T2T_UI_DIST": str(workdir / "no-ui")}
    api = ServerProcess(
        ["api", "--config", str(servers.registry), "--port", str(port), "--workers", str(WORKERS)],
        port,
        env=env,
        log=workdir / "api.log",
    )
    api.start(timeout=60)
    try:
        yield api
    finally:
        api.stop()


def _workers_of(api: ServerProcess) -> list[psutil.Process]:
    assert api.process is not None
    parent = psutil.Process(api.process.pid)
    # uvicorn's multiprocessing may add a helper (resource tracker): workers are the ones running our app.
    return [p for p in parent.children() if "multiprocessing.resource_tracker" not in " ".join(p.cmdline())]


def test_workers_share_the_port_and_metrics_add_up_over_all_of_them(workers_api: ServerProcess) -> None:
    assert len(_workers_of(workers_api)) == WORKERS
    assert workers_api.log is not None
    before = httpx.get(f"{workers_api.url}/metrics", timeout=30).text
    deadline = time.monotonic() + 60
    answered = 0
    # A new connection per question: the kernel hands each to whichever worker accepts first.
    while answered < QUESTIONS or len(_pids_that_answered(workers_api.log)) < WORKERS:
        assert time.monotonic() < deadline, "the questions were not spread over every worker within 60 s"
        response = httpx.post(f"{workers_api.url}/api/query", json={"query": "How many products?"}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["success"] is True
        answered += 1
    after = httpx.get(f"{workers_api.url}/metrics", timeout=30).text
    assert len(_pids_that_answered(workers_api.log)) == WORKERS

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    # Whichever worker answered the scrape, it counted every worker's questions.
    assert delta("t2t_requests_total", endpoint="query", status="200") == answered
    assert delta("t2t_operations_total", outcome="success") == answered
    assert delta("t2t_stage_duration_seconds_count", stage="execute") == answered


def _metrics_dir(log: Path) -> Path:
    for event in _events(log):
        if event.get("event") == "api_workers":
            return Path(event["metrics_dir"])
    raise AssertionError("no api_workers line in the log")


def test_sigterm_stops_every_worker_and_removes_the_metrics_directory(
    servers: McpServers, llm: ScriptedLLMServer, tmp_path: Path
) -> None:
    port = free_port()
    env = {**llm_env(llm), "T2T_API_TOKEN": "", "T2T_MCP_TOKEN": "", "T2T_API_WORKERS": str(WORKERS)}
    log = tmp_path / "api.log"
    api = ServerProcess(["api", "--config", str(servers.registry), "--port", str(port)], port, env=env, log=log)
    api.start(timeout=60)
    try:
        workers = _workers_of(api)
        assert len(workers) == WORKERS  # T2T_API_WORKERS works as --workers does
        assert httpx.post(f"{api.url}/api/query", json={"query": "How many products?"}, timeout=30).status_code == 200
        metrics_dir = _metrics_dir(log)
        assert any(metrics_dir.iterdir())  # the workers write their counts there
    finally:
        api.stop(timeout=20)
    assert api.process is not None
    assert api.process.returncode == 0
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers left running: {[p.pid for p in alive]}"
    assert not metrics_dir.exists()


def test_a_worker_count_out_of_range_is_refused_by_name(servers: McpServers) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "talk2tables", "api", "--config", str(servers.registry), "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--workers" in result.stderr


def _start_workers(servers: McpServers, llm: ScriptedLLMServer, registry: Path, log: Path) -> ServerProcess:
    port = free_port()
    env = {**llm_env(llm), "T2T_API_TOKEN": "", "T2T_MCP_TOKEN": "", "T2T_API_WORKERS": str(WORKERS)}
    return ServerProcess(["api", "--config", str(registry), "--port", str(port)], port, env=env, log=log)


def test_workers_stop_when_their_supervisor_is_killed(
    servers: McpServers, llm: ScriptedLLMServer, tmp_path: Path
) -> None:
    api = _start_workers(servers, llm, servers.registry, tmp_path / "api.log").start(timeout=60)
    try:
        workers = _workers_of(api)
        assert len(workers) == WORKERS
        metrics_dir = _metrics_dir(tmp_path / "api.log")
        api.kill()  # SIGKILL: the supervisor gets no chance to stop them
        _, alive = psutil.wait_procs(workers, timeout=20)
        assert not alive, f"orphaned workers kept running: {[p.pid for p in alive]}"
    finally:
        api.stop()
    # Nor to remove its metrics directory: the next `talk2tables api` with workers does, and only that one.
    assert metrics_dir.is_dir()
    another_apis = Path(tempfile.mkdtemp(prefix=f"{METRICS_DIR_PREFIX}{os.getpid()}-", dir=metrics_dir.parent))
    try:
        removed = remove_orphaned_metrics_dirs(str(metrics_dir.parent))
        assert metrics_dir in removed
        assert not metrics_dir.exists()
        assert another_apis.is_dir()  # its process (this one) still runs
        assert another_apis not in removed
    finally:
        another_apis.rmdir()


def test_a_worker_that_cannot_start_stops_them_all_with_exit_code_3(
    servers: McpServers, llm: ScriptedLLMServer, tmp_path: Path
) -> None:
    registry = tmp_path / "broken.yaml"
    registry.write_text("mcp_servers: 5\n")  # the file exists (the command checks that); the workers refuse it
    api = _start_workers(servers, llm, registry, tmp_path / "api.log")
    api.process = subprocess.Popen(
        [*api.command, *api.args], env=api.env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        assert api.process.wait(timeout=60) == 3
    finally:
        api.kill()
