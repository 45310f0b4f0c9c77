"""The whole system on loopback for end-to-end tests and benchmarks: real MCP servers, a registry,
the scripted LLM, and the real API (in this process over real HTTP, or as a child process)."""

from __future__ import annotations

import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
import yaml

from talk2tables.serving import API_HTTP
from tests.support.processes import ServerProcess, free_port
from tests.support.scripted_llm import MODEL_ID, ScriptedLLMServer

API_KEY = "sk-scripted-test"


def write_registry(
    path: Path, *, db_port: int, metadata_port: int | None, timeouts: dict[str, float] | None = None
) -> Path:
    servers: dict[str, Any] = {
        "database": {
            "name": "Database MCP",
            "url": f"http://127.0.0.1:{db_port}/sse",
            "priority": 10,
            "domains": ["sales", "customers", "orders", "products"],
            "capabilities": ["execute_query", "list_resources"],
            "transport": "sse",
        }
    }
    if metadata_port is not None:
        servers["product_metadata"] = {
            "name": "Product Metadata MCP",
            "url": f"http://127.0.0.1:{metadata_port}/sse",
            "priority": 1,
            "domains": ["products", "aliases", "terminology"],
            "capabilities": ["list_resources"],
            "transport": "sse",
        }
    orchestration = {
        "fail_fast": True,
        "log_level": "INFO",
        "timeouts": timeouts or {"connect_seconds": 5, "resource_seconds": 5, "tool_seconds": 15},
    }
    path.write_text(yaml.safe_dump({"mcp_servers": servers, "orchestration": orchestration}, sort_keys=False))
    return path


@dataclass
class McpServers:
    """The Database MCP and the Product Metadata MCP as child processes, with data copied to `workdir`."""

    workdir: Path
    sample_data_dir: Path
    token: str | None = None
    timeouts: dict[str, float] | None = None
    db_args: tuple[str, ...] = ()  # extra `db-server` options, e.g. ("--statement-timeout", "0.5")
    database_url: str | None = None  # serve this database (e.g. PostgreSQL) instead of the copied SQLite file
    db: ServerProcess = field(init=False)
    metadata: ServerProcess = field(init=False)
    registry: Path = field(init=False)

    def __post_init__(self) -> None:
        data = self.workdir / "data"
        shutil.copytree(self.sample_data_dir, data, dirs_exist_ok=True)
        self.database_path = data / "multi_mcp_test.db"
        self.metadata_path = data / "product_metadata.json"
        env = {"T2T_MCP_TOKEN": self.token} if self.token else {}
        db_port, md_port = free_port(), free_port()
        self.db = ServerProcess(
            ["db-server", "--database-url", self.database_url or str(self.database_path), "--description",
             str(data / "database_description.md"), "--port", str(db_port), *self.db_args],
            db_port, env=env, log=self.workdir / "db-server.log",
        )  # fmt: skip
        self.metadata = ServerProcess(
            ["metadata-server", "--metadata", str(self.metadata_path), "--port", str(md_port)],
            md_port, env=env, log=self.workdir / "metadata-server.log",
        )  # fmt: skip
        self.registry = write_registry(
            self.workdir / "mcp_config.yaml", db_port=db_port, metadata_port=md_port, timeouts=self.timeouts
        )

    def start(self) -> McpServers:
        self.db.start()
        try:
            self.metadata.start()
        except BaseException:
            self.db.stop()
            raise
        return self

    def stop(self) -> None:
        for server in (self.db, self.metadata):
            if server.process is not None and server.process.poll() is None:
                server.resume()
            server.stop()


def llm_env(llm: ScriptedLLMServer) -> dict[str, str]:
    return llm_env_at(llm.base_url)


def llm_env_at(base_url: str) -> dict[str, str]:
    """The environment that points the product at a scripted LLM serving `base_url` (e.g. a child process)."""
    return {"T2T_LLM_MODEL": f"openai:{MODEL_ID}", "OPENAI_BASE_URL": base_url, "OPENAI_API_KEY": API_KEY}


def api_settings(servers: McpServers, llm: ScriptedLLMServer | None, **overrides: Any) -> Any:
    """Settings for an in-process app, never read from this machine's environment or .env."""
    from talk2tables.config import Settings

    values: dict[str, Any] = {
        "mcp_config_path": servers.registry,
        "database_url": str(servers.database_path),
        "metadata_path": servers.metadata_path,
        "llm_model": f"openai:{MODEL_ID}" if llm else None,
        "openai_base_url": llm.base_url if llm else None,
        "openai_api_key": API_KEY if llm else None,
        "mcp_token": servers.token,
        "llm_timeout_seconds": 10,
        "llm_max_retries": 0,
        "ui_dist_dir": servers.workdir / "no-ui",
    }
    values.update(overrides)
    return Settings.model_validate(values)  # type: ignore[call-arg]


class InProcessApi:
    """The real FastAPI app served by uvicorn in a background thread: real HTTP, coverage in-process."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self._server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", ws="none",
                           http=API_HTTP, timeout_graceful_shutdown=3)  # the HTTP parser `talk2tables api` uses
        )  # fmt: skip
        self._thread = threading.Thread(target=self._server.run, name=f"api-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> InProcessApi:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=15)
