"""The real local model, when it is installed: a llama.cpp server child process for the whole module."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from talk2tables.local_llm.model import DEFAULT_MODEL, default_model_path, is_verified
from talk2tables.local_llm.server import llama_installed
from tests.support.processes import ServerProcess, free_port
from tests.support.skips import skip_loudly


def real_model_missing() -> str | None:
    """Why the real model cannot run here, or None."""
    if not llama_installed():
        return "llama-cpp-python is not installed (talk2tables llm-server --install)"
    path = default_model_path(os.environ)
    if not is_verified(path, DEFAULT_MODEL.sha256):
        return f"the default model is not installed and verified at {path} (talk2tables llm-server --install)"
    return None


@pytest.fixture(scope="module")
def local_llm(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    reason = real_model_missing()
    if reason:
        skip_loudly(request.config, "THE END-TO-END TEST WITH THE REAL LOCAL MODEL", reason)
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "llm-server.log"
    server = ServerProcess(["llm-server", "--port", str(port)], port, log=log).start(timeout=120)
    yield server
    server.stop()
    # `llm-server` execs llama.cpp's server, so stopping it leaves no orphan holding the port.
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the llama.cpp server outlived llm-server"
