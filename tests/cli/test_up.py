"""`talk2tables up` as a user runs it: sample data created, every process answers, Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import yaml

from tests.support.processes import REPO_ROOT, free_port
from tests.support.scripted_llm import ScriptedLLM, ScriptedLLMServer
from tests.support.scripts import standard_rules
from tests.support.system import llm_env, write_registry

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def llm() -> Iterator[ScriptedLLMServer]:
    server = ScriptedLLMServer(ScriptedLLM()).start()
    server.llm.set_script(standard_rules())
    yield server
    server.stop()


def add_server(registry: Path, key: str, port: int, *, host: str = "127.0.0.1", priority: int = 20) -> Path:
    """Add a Database MCP entry (execute_query) under `key` to a registry written by write_registry."""
    document = yaml.safe_load(registry.read_text())
    document["mcp_servers"][key] = {
        "name": "Support Desk MCP" if key == "support" else f"{key} MCP",
        "url": f"http://{host}:{port}/sse",
        "priority": priority,
        "domains": ["support", "tickets", "agents"],
        "capabilities": ["execute_query", "list_resources"],
        "transport": "sse",
    }
    registry.write_text(yaml.safe_dump(document, sort_keys=False))
    return registry


class Up:
    def __init__(self, workdir: Path, llm: ScriptedLLMServer, *, support: bool = False) -> None:
        self.api_port = free_port()
        self.ports = [free_port(), free_port()]  # the Database MCP's and the Product Metadata MCP's
        self.registry = write_registry(workdir / "mcp_config.yaml", db_port=self.ports[0], metadata_port=self.ports[1])
        if support:  # the support desk's Database MCP too, as in the repository's mcp_config.yaml
            self.ports.append(free_port())
            add_server(self.registry, "support", self.ports[2])
        env = {k: v for k, v in os.environ.items() if not k.startswith(("T2T_", "OPENAI_", "DATABASE_URL"))}
        env.update(llm_env(llm))
        env["PYTHONPATH"] = str(REPO_ROOT / "src")
        self.output = workdir / "up.log"
        with self.output.open("wb") as out:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                [sys.executable, "-m", "talk2tables", "up", "--config", str(self.registry),
                 "--port", str(self.api_port)],
                cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.url = f"http://127.0.0.1:{self.api_port}"

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def wait_running(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while "Talk 2 Tables is running" not in self.log():
            assert self.process.poll() is None, f"up exited early:\n{self.log()}"
            assert time.monotonic() < deadline, f"up did not come up in {timeout}s:\n{self.log()}"
            time.sleep(0.2)

    def children(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for child in self.children():
                    child.kill()
                self.process.kill()


def test_up_creates_sample_data_starts_everything_and_ctrl_c_stops_it_all(
    tmp_path: Path, llm: ScriptedLLMServer
) -> None:
    up = Up(tmp_path, llm, support=True)
    try:
        up.wait_running()
        children = up.children()
        # Database MCP, Support Desk MCP, Product Metadata MCP, API (a provider is configured: no local LLM)
        assert len(children) == 4
        assert (tmp_path / "test_data" / "multi_mcp_test.db").is_file()
        assert (tmp_path / "test_data" / "support.db").is_file()
        assert (tmp_path / "test_data" / "product_metadata.json").is_file()
        log = up.log()
        assert up.url in log
        assert "openai:scripted" in log
        response = httpx.post(f"{up.url}/api/query", json={"query": "total sales of abracadabra"}, timeout=60)
        assert response.status_code == 200
        assert response.json()["success"] is True
        up.process.send_signal(signal.SIGINT)
        assert up.process.wait(timeout=30) == 0
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
        assert "Stopped." in up.log()
        assert (tmp_path / ".talk2tables" / "logs" / "database-mcp.log").read_text()  # children log to files
        assert "support_description.md" in (tmp_path / ".talk2tables" / "logs" / "support-desk-mcp.log").read_text()
    finally:
        up.stop()


def test_closing_the_terminal_stops_everything(tmp_path: Path, llm: ScriptedLLMServer) -> None:
    up = Up(tmp_path, llm)
    try:
        up.wait_running()
        children = up.children()
        assert len(children) == 3
        up.process.send_signal(signal.SIGHUP)  # the children, in groups of their own, hear it only through up
        assert up.process.wait(timeout=30) == 0
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
        assert "Stopped." in up.log()
    finally:
        up.stop()


def _port_is_free(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        # As a server binds (uvicorn does): connections in TIME_WAIT do not count, a listening socket does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_killing_up_outright_leaves_no_process_and_no_bound_port(tmp_path: Path, llm: ScriptedLLMServer) -> None:
    up = Up(tmp_path, llm)
    try:
        up.wait_running()
        # Everything up started, down to the Database MCP's query processes and their fork server.
        descendants = psutil.Process(up.process.pid).children(recursive=True)
        assert len(descendants) > 3
        ports = [up.api_port, *up.ports]
        assert not any(_port_is_free(port) for port in ports)
        up.process.kill()  # SIGKILL: up cannot stop anything itself
        up.process.wait(timeout=10)
        _gone, alive = psutil.wait_procs(descendants, timeout=20)
        assert not alive, [" ".join(p.cmdline()) for p in alive]
        assert all(_port_is_free(port) for port in ports)
    finally:
        up.stop()


def test_when_one_process_dies_up_stops_the_others_and_fails(tmp_path: Path, llm: ScriptedLLMServer) -> None:
    up = Up(tmp_path, llm)
    try:
        up.wait_running()
        children = up.children()
        victim = next(c for c in children if "metadata-server" in " ".join(c.cmdline()))
        victim.kill()
        assert up.process.wait(timeout=30) == 1
        _gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive
        assert "Product Metadata MCP exited" in up.log()
        assert "Last lines of" in up.log()  # the dead child's log tail explains why
    finally:
        up.stop()


def test_up_refuses_an_invalid_registry_with_every_problem(tmp_path: Path) -> None:
    registry = tmp_path / "bad.yaml"
    registry.write_text(
        "mcp_servers:\n  database:\n    name: DB\n    url: ftp://x\n    priority: 0\n    transport: stdio\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "talk2tables", "up", "--config", str(registry)],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "T2T_LLM_MODEL": "openai:x", "PYTHONPATH": str(REPO_ROOT / "src")},
    )  # fmt: skip
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "transport" in output
    assert "priority" in output
    assert "url" in output


def test_without_a_provider_up_plans_the_local_model_and_points_the_api_at_it(tmp_path: Path) -> None:
    from talk2tables.cli.up import plan_children
    from talk2tables.config import Settings

    registry = write_registry(tmp_path / "reg.yaml", db_port=18000, metadata_port=18002)
    settings = Settings.model_validate({"llm_model": None, "local_llm_port": 18003, "api_port": 18001})
    children, external = plan_children(settings, registry)
    assert [c.name for c in children] == [
        "Local LLM (llama.cpp)",
        "Product Metadata MCP",
        "Database MCP",
        "API + web UI",
    ]  # fmt: skip (MCP servers in priority order)
    assert external == []
    assert "llm-server" in children[0].argv
    assert "18003" in children[0].argv
    api = children[-1]
    assert api.env["T2T_LLM_MODEL"] == "openai:qwen2.5-coder-1.5b-instruct"
    assert api.env["OPENAI_BASE_URL"] == "http://127.0.0.1:18003/v1"
    assert float(api.env["T2T_LLM_TIMEOUT"]) >= 600  # a CPU reads the first prompt for minutes
    assert float(api.env["T2T_REQUEST_TIMEOUT"]) >= float(api.env["T2T_LLM_TIMEOUT"])


def test_with_a_provider_nothing_local_is_started(tmp_path: Path) -> None:
    from talk2tables.cli.up import plan_children
    from talk2tables.config import Settings

    registry = write_registry(tmp_path / "reg.yaml", db_port=18000, metadata_port=18002)
    settings = Settings.model_validate({"llm_model": "anthropic:claude-sonnet-4-5"})
    children, _ = plan_children(settings, registry)
    assert not any("llm-server" in c.argv for c in children)
    assert children[-1].env == {}


def test_sample_data_fills_in_only_missing_default_files_and_never_replaces_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talk2tables.cli.up import ensure_sample_data
    from talk2tables.config import Settings

    monkeypatch.chdir(tmp_path)
    settings = Settings.model_validate({})
    first = ensure_sample_data(settings)
    assert sorted(p.name for p in first) == [
        "database_description.md",
        "multi_mcp_test.db",
        "product_metadata.json",
        "support.db",
        "support_description.md",
    ]
    database = tmp_path / "test_data" / "multi_mcp_test.db"
    stamp = database.stat().st_mtime_ns
    (tmp_path / "test_data" / "product_metadata.json").unlink()
    second = ensure_sample_data(settings)
    assert [p.name for p in second] == ["product_metadata.json"]
    assert database.stat().st_mtime_ns == stamp  # the existing database is kept


def test_custom_paths_get_no_invented_sample_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from talk2tables.cli.up import ensure_sample_data
    from talk2tables.config import Settings

    monkeypatch.chdir(tmp_path)
    settings = Settings.model_validate(
        {
            "database_url": "postgresql://reader:pw@db/x",
            "support_database_url": "postgresql://reader:pw@db/support",
            "metadata_path": tmp_path / "mine.json",
        }
    )
    assert ensure_sample_data(settings) == []
    assert not (tmp_path / "mine.json").exists()
    assert not (tmp_path / "test_data").exists()


def test_the_database_url_never_appears_on_a_command_line(tmp_path: Path) -> None:
    from talk2tables.cli.up import plan_children
    from talk2tables.config import Settings

    registry = write_registry(tmp_path / "reg.yaml", db_port=18000, metadata_port=18002)
    url = "postgresql://reader:s3cret@db.example/shop"
    settings = Settings.model_validate({"llm_model": "openai:x", "database_url": url})
    children, _ = plan_children(settings, registry)
    assert all("s3cret" not in " ".join(c.argv) for c in children)
    database = next(c for c in children if c.name == "Database MCP")
    assert database.env["DATABASE_URL"] == url


def test_every_built_in_database_server_gets_its_own_database_and_others_are_listed(tmp_path: Path) -> None:
    from talk2tables.cli.up import plan_children
    from talk2tables.config import Settings

    registry = write_registry(tmp_path / "reg.yaml", db_port=18000, metadata_port=18002)
    add_server(registry, "support", 18004)
    add_server(registry, "inventory", 18005, priority=30)  # not one of the built-in keys
    add_server(registry, "remote_support", 18006, host="db.example", priority=40)
    url = "postgresql://reader:s3cret@db.example/support"
    settings = Settings.model_validate({"llm_model": "openai:x", "support_database_url": url})
    children, external = plan_children(settings, registry)
    assert [c.name for c in children] == ["Product Metadata MCP", "Database MCP", "Support Desk MCP", "API + web UI"]
    shop, support = children[1], children[2]
    assert shop.env["DATABASE_URL"] == settings.database_url
    assert support.env["DATABASE_URL"] == url
    assert all("s3cret" not in " ".join(c.argv) for c in children)
    argv = " ".join(support.argv)
    assert "db-server --port 18004 --description test_data/support_description.md" in argv
    assert external == [
        "inventory MCP (http://127.0.0.1:18005/sse)",
        "remote_support MCP (http://db.example:18006/sse)",
    ]
