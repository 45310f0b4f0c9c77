"""Real Database MCP and Product Metadata MCP processes on loopback ports, and registries pointing at them."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from talk2tables.orchestrator import Registry, parse_registry
from tests.support.processes import REPO_ROOT, ServerProcess, free_port, wait_for_port


def db_server(
    data: Path,
    logs: Path,
    *,
    port: int | None = None,
    statement_timeout: float = 60,
    token: str = "",
    extra: tuple[str, ...] = (),
) -> ServerProcess:
    port = port or free_port()
    return ServerProcess(
        [
            "db-server",
            "--database-url",
            str(data / "multi_mcp_test.db"),
            "--description",
            str(data / "database_description.md"),
            "--port",
            str(port),
            "--statement-timeout",
            str(statement_timeout),
            *extra,
        ],
        port,
        env={"T2T_MCP_TOKEN": token},
        log=logs / f"db-{port}.log",
    )


def metadata_server(metadata: Path, logs: Path, *, port: int | None = None) -> ServerProcess:
    port = port or free_port()
    return ServerProcess(
        ["metadata-server", "--metadata", str(metadata), "--port", str(port)],
        port,
        env={"T2T_MCP_TOKEN": ""},
        log=logs / f"metadata-{port}.log",
    )


def registry_for(
    *,
    database_url: str,
    metadata_url: str,
    connect: float = 5,
    resource: float = 5,
    tool: float = 30,
    extra: dict[str, Any] | None = None,
) -> Registry:
    """The default registry's shape (metadata priority 1, database priority 10) at the given URLs."""
    return parse_registry(
        {
            "mcp_servers": {
                "database": {
                    "name": "Database MCP",
                    "url": database_url,
                    "priority": 10,
                    "domains": ["sales", "customers", "orders", "products"],
                    "capabilities": ["execute_query", "list_resources"],
                },
                "product_metadata": {
                    "name": "Product Metadata MCP",
                    "url": metadata_url,
                    "priority": 1,
                    "domains": ["products"],
                    "capabilities": ["list_resources"],
                },
                **(extra or {}),
            },
            "orchestration": {
                "timeouts": {"connect_seconds": connect, "resource_seconds": resource, "tool_seconds": tool}
            },
        }
    )


def dead_url() -> str:
    """An SSE URL where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/sse"


def start_all(*servers: ServerProcess) -> None:
    """Start server processes in parallel (each start waits until its port answers)."""
    with ThreadPoolExecutor(len(servers)) as pool:
        for future in [pool.submit(server.start) for server in servers]:
            future.result()


@dataclass
class Live:
    db: ServerProcess
    metadata: ServerProcess
    metadata_path: Path
    data: Path
    logs: Path

    def registry(self, **timeouts: float) -> Registry:
        return registry_for(database_url=self.db.sse_url, metadata_url=self.metadata.sse_url, **timeouts)


@pytest.fixture
def data_copy(sample_data_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample data this test may change."""
    copy = tmp_path / "data"
    shutil.copytree(sample_data_dir, copy)
    return copy


@pytest.fixture(scope="module")
def shared_live(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Both real servers for a whole module; tests using it must not stop, pause or change them."""
    logs = tmp_path_factory.mktemp("logs")
    db = db_server(sample_data_dir, logs)
    metadata = metadata_server(sample_data_dir / "product_metadata.json", logs)
    try:
        start_all(db, metadata)
        yield Live(db, metadata, sample_data_dir / "product_metadata.json", sample_data_dir, logs)
    finally:
        metadata.stop()
        db.stop()


@pytest.fixture
def live(data_copy: Path, tmp_path: Path) -> Iterator[Live]:
    """Both real servers for one test, over a private copy of the data: free to kill, pause and edit."""
    db = db_server(data_copy, tmp_path)
    metadata = metadata_server(data_copy / "product_metadata.json", tmp_path)
    try:
        start_all(db, metadata)
        yield Live(db, metadata, data_copy / "product_metadata.json", data_copy, tmp_path)
    finally:
        for server in (metadata, db):
            if server.process is not None and server.process.poll() is None:
                server.resume()  # a paused (hung) server cannot handle SIGTERM
            server.stop()


class TinyServer:
    """tests/orchestrator/tiny_server.py in a subprocess: an echoing execute_query, for routing tests."""

    def __init__(self, name: str, log: Path) -> None:
        self.port = free_port()
        self.name = name
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def sse_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sse"

    def start(self) -> TinyServer:
        with open(self.log, "ab") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.orchestrator.tiny_server", "--port", str(self.port), "--name", self.name],
                cwd=REPO_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, process=self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def tiny_server(tmp_path: Path) -> Iterator[TinyServer]:
    server = TinyServer("tiny", tmp_path / "tiny.log").start()
    try:
        yield server
    finally:
        server.stop()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and everything it started (the Database MCP runs queries in
    processes of its own)."""
    root = psutil.Process(pid)
    total = 0.0
    for process in (root, *root.children(recursive=True)):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def wait_until_busy(pid: int, *, cpu: float = 0.3, timeout: float = 20.0) -> None:
    """Poll until the process (with its children) has burned `cpu` more seconds of CPU: proof it is working on
    our request."""
    start = cpu_seconds(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cpu_seconds(pid) - start >= cpu:
            return
        time.sleep(0.02)
    raise TimeoutError(f"process {pid} did not get busy within {timeout}s")
