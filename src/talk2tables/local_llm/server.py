"""How the local model is served: llama.cpp's OpenAI-compatible server on loopback, and its extra."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from talk2tables.errors import ConfigurationError

LLAMA_REQUIREMENT = "llama-cpp-python[server]>=0.3,<0.4"


def default_threads() -> int:
    """What the machine can spare: all cores but one (on 2 cores, 1 generation thread was steadier than 2)."""
    return max(1, (os.cpu_count() or 2) - 1)


def llama_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("uvicorn") is not None


def install_llama() -> None:
    """Install the `local` extra (compiles llama.cpp from source: a few minutes, no other downloads)."""
    from talk2tables.local_llm.installer import pip_command

    pip = pip_command()
    if importlib.util.find_spec("pip") is None:  # a pip from PATH must still install into this interpreter
        pip += ["--python", sys.executable]
    done = subprocess.run([*pip, "install", "-q", LLAMA_REQUIREMENT], check=False)
    if done.returncode != 0:
        raise ConfigurationError(
            f"Installing {LLAMA_REQUIREMENT} failed (exit {done.returncode}). It needs a C++ compiler and cmake; "
            "or configure a hosted model with T2T_LLM_MODEL instead."
        )


def server_argv(
    model: Path, *, alias: str, host: str, port: int, threads: int, batch_threads: int, n_ctx: int
) -> list[str]:
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(model),
        "--model_alias", alias,
        "--host", host,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads),
        "--n_threads_batch", str(batch_threads),
        "--verbose", "False",
    ]  # fmt: skip
