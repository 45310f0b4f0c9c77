"""`talk2tables llm-server`: the bundled local model as an OpenAI-compatible endpoint on loopback."""

from __future__ import annotations

import os

import typer

from talk2tables.cli.local_install import console, ensure_llama, resolve_model
from talk2tables.cli.main import app
from talk2tables.cli.settings import read_settings
from talk2tables.errors import ConfigurationError
from talk2tables.local_llm import server as llama
from talk2tables.local_llm.model import DEFAULT_MODEL


@app.command("llm-server")
def llm_server(
    install: bool = typer.Option(False, "--install", help="Install llama.cpp and the default model if missing."),
    host: str = typer.Option("127.0.0.1", help="Bind address (keep it on loopback: nothing leaves this machine)."),
    port: int | None = typer.Option(None, help="Port. Default: T2T_LOCAL_LLM_PORT or 8003."),
    threads: int | None = typer.Option(None, help="Generation threads. Default: T2T_LLM_THREADS or every core."),
    context: int | None = typer.Option(None, help="Context size in tokens. Default: T2T_LOCAL_LLM_CONTEXT or 8192."),
    install_only: bool = typer.Option(
        False, "--install-only", help="Install llama.cpp and the default model if missing, then exit without serving."
    ),
) -> None:
    """Serve the local model (Qwen2.5-Coder-1.5B-Instruct Q4_K_M, or T2T_LOCAL_MODEL_PATH) over an
    OpenAI-compatible API. Point the product at it with T2T_LLM_MODEL=openai:<alias> and OPENAI_BASE_URL."""
    settings = read_settings()
    try:
        install = install or install_only
        if not llama.llama_installed():
            if not install:
                raise ConfigurationError(
                    "llama.cpp is not installed. Run `talk2tables llm-server --install` "
                    "(or `pip install 'talk2tables[local]'`)."
                )
            ensure_llama()
        model = resolve_model(settings, install=install)
    except ConfigurationError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(1) from exc
    if install_only:
        console.print(f"llama.cpp and {model.name} are installed.")
        return
    n_threads = threads or settings.llm_threads or llama.default_threads()
    argv = llama.server_argv(
        model,
        alias=DEFAULT_MODEL.alias if settings.local_model_path is None else model.stem,
        host=host,
        port=port or settings.local_llm_port,
        threads=n_threads,
        batch_threads=max(n_threads, os.cpu_count() or 1),
        n_ctx=context or settings.local_llm_context,
    )
    console.print(f"Serving {model.name} on http://{host}:{port or settings.local_llm_port}/v1 ({n_threads} threads)")
    # Become the server (exec), so that signals from `up`, a test or a service manager reach it directly
    # and no orphaned llama.cpp process outlives this command.
    os.execv(argv[0], argv)  # noqa: S606 - our own argv, no shell
