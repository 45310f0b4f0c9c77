"""`talk2tables up`: sample data if missing, the MCP servers, the API and the UI — one command, one Ctrl-C."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import typer
from rich.console import Console

from talk2tables.cli.local_install import ensure_default_model, ensure_llama
from talk2tables.cli.main import app
from talk2tables.cli.settings import read_settings
from talk2tables.config import (
    DEFAULT_BUSINESS_DESCRIPTION_PATH,
    DEFAULT_DATABASE_PATH,
    DEFAULT_METADATA_PATH,
    DEFAULT_SUPPORT_DATABASE_PATH,
    DEFAULT_SUPPORT_DESCRIPTION_PATH,
    Settings,
    environment,
)
from talk2tables.errors import Talk2TablesError
from talk2tables.local_llm.model import DEFAULT_MODEL
from talk2tables.logging import configure_logging
from talk2tables.supervisor import (
    Child,
    ChildFailedError,
    Supervisor,
    http_ready,
    ignore_stop_signals,
    interrupt_on_stop_signals,
    mcp_ready,
    talk2tables_argv,
)

if TYPE_CHECKING:
    from talk2tables.sql_generation.providers import LLMConfig

console = Console(stderr=True)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
METADATA_SERVER_KEY = "product_metadata"
DATABASE_SERVER_KEY = "database"
SUPPORT_SERVER_KEY = "support"
LOG_DIR = Path(".talk2tables") / "logs"


def ensure_sample_data(settings: Settings) -> list[Path]:
    """Write the sample files that are missing, only where the settings use the default paths.

    Never replaces an existing file, and never invents data for a path the user configured: a missing
    custom file is the server's clear error to report."""
    from talk2tables.sample_data.database import write_sample_database
    from talk2tables.sample_data.description import write_database_description
    from talk2tables.sample_data.metadata import write_sample_metadata
    from talk2tables.sample_data.support_database import write_support_database
    from talk2tables.sample_data.support_description import write_support_description

    wanted: list[tuple[Path, Callable[[Path], Path]]] = []
    if settings.database_url == str(DEFAULT_DATABASE_PATH):
        wanted += [(DEFAULT_DATABASE_PATH, write_sample_database),
                   (DEFAULT_BUSINESS_DESCRIPTION_PATH, write_database_description)]  # fmt: skip
    if settings.support_database_url == str(DEFAULT_SUPPORT_DATABASE_PATH):
        wanted += [(DEFAULT_SUPPORT_DATABASE_PATH, write_support_database),
                   (DEFAULT_SUPPORT_DESCRIPTION_PATH, write_support_description)]  # fmt: skip
    if settings.metadata_path == DEFAULT_METADATA_PATH:
        wanted.append((DEFAULT_METADATA_PATH, write_sample_metadata))
    written = []
    for path, write in wanted:
        if not path.exists():
            console.print(f"Creating the sample {path.name} in [bold]{path.parent}/[/] …")
            written.append(write(path))
    return written


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def database_server_args(key: str, settings: Settings) -> tuple[str, list[str]] | None:
    """The database URL and extra `db-server` options of the built-in Database MCP under registry key `key`:
    `database` serves DATABASE_URL, `support` T2T_SUPPORT_DATABASE_URL; any other key is not built in."""
    if key == DATABASE_SERVER_KEY:
        return settings.database_url, []
    if key == SUPPORT_SERVER_KEY:
        return settings.support_database_url, ["--description", str(DEFAULT_SUPPORT_DESCRIPTION_PATH)]
    return None


def plan_children(settings: Settings, registry_path: Path) -> tuple[list[Child], list[str]]:
    """The local MCP servers the registry points at, then the API. Remote servers are listed, not started."""
    from talk2tables.orchestrator.registry import load_registry

    registry = load_registry(registry_path, environment())
    token = settings.mcp_token.get_secret_value() if settings.mcp_token else None
    children: list[Child] = []
    external: list[str] = []
    for server in registry.servers_by_priority():
        host = urlsplit(server.url).hostname or ""
        port = str(_port(server.url))
        database = database_server_args(server.key, settings) if server.can_execute_query else None
        if host not in LOOPBACK:
            external.append(f"{server.name} ({server.url})")
        elif database is not None:
            # The URL may hold a password: it goes through the environment, never the (world-readable) argv.
            url, options = database
            args = ["db-server", "--port", port, *options]
            env = {"DATABASE_URL": url}
            children.append(Child(server.name, talk2tables_argv(*args), mcp_ready(server.url, token), env=env))
        elif server.key == METADATA_SERVER_KEY:
            args = ["metadata-server", "--metadata", str(settings.metadata_path), "--port", port]
            children.append(Child(server.name, talk2tables_argv(*args), mcp_ready(server.url, token)))
        else:
            external.append(f"{server.name} ({server.url})")
    api_env: dict[str, str] = {}
    if not settings.llm_model:
        local = local_llm_child(settings)
        children.insert(0, local)
        api_env = local_llm_env(settings)
    api_url = f"http://{settings.api_host}:{settings.api_port}"
    api_args = ["api", "--config", str(registry_path), "--host", settings.api_host, "--port", str(settings.api_port)]
    api = Child("API + web UI", talk2tables_argv(*api_args), http_ready(f"{api_url}/openapi.json"), env=api_env)
    children.append(api)
    return children, external


def local_llm_alias(settings: Settings) -> str:
    return DEFAULT_MODEL.alias if settings.local_model_path is None else settings.local_model_path.stem


# On a CPU the first question reads the whole ~4,000-token prompt: minutes, not the seconds a hosted model needs.
LOCAL_LLM_TIMEOUT_SECONDS = 600.0
LOCAL_REQUEST_TIMEOUT_SECONDS = 1800.0


def local_llm_env(settings: Settings) -> dict[str, str]:
    """The API reaches the local model like any OpenAI-compatible server: no second code path; only the
    deadlines are raised to what a CPU needs."""
    return {
        "T2T_LLM_MODEL": f"openai:{local_llm_alias(settings)}",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{settings.local_llm_port}/v1",
        "OPENAI_API_KEY": "local-model",
        "T2T_LLM_TIMEOUT": f"{max(settings.llm_timeout_seconds, LOCAL_LLM_TIMEOUT_SECONDS):g}",
        "T2T_REQUEST_TIMEOUT": f"{max(settings.request_timeout_seconds, LOCAL_REQUEST_TIMEOUT_SECONDS):g}",
    }


def local_llm_child(settings: Settings) -> Child:
    url = f"http://127.0.0.1:{settings.local_llm_port}/v1/models"
    argv = talk2tables_argv("llm-server", "--port", str(settings.local_llm_port))
    return Child("Local LLM (llama.cpp)", argv, http_ready(url), ready_timeout=180)


def prepare_local_llm(settings: Settings) -> None:
    """Install what the bundled model needs, saying what and how long; only when no provider is configured."""
    console.print(
        "[yellow]No LLM configured[/] (T2T_LLM_MODEL is unset): using the bundled local model "
        f"{DEFAULT_MODEL.alias if settings.local_model_path is None else settings.local_model_path}.\n"
        "A hosted model gives better answers: set T2T_LLM_MODEL (e.g. openai:gpt-4o-mini) and its key in .env."
    )
    ensure_llama()
    if settings.local_model_path is None:
        ensure_default_model()


def describe_llm(settings: Settings) -> str:
    if settings.llm_model:
        where = f" at {settings.openai_base_url}" if settings.openai_base_url else ""
        return f"LLM: [bold]{settings.llm_model}[/]{where}"
    return (
        f"LLM: the bundled local model [bold]{local_llm_alias(settings)}[/] on this machine (nothing leaves it). "
        "For better answers set T2T_LLM_MODEL (openai:gpt-4o-mini with OPENAI_API_KEY, anthropic:… with "
        "ANTHROPIC_API_KEY, or any OpenAI-compatible server with OPENAI_BASE_URL) in .env."
    )


def local_llm_config(settings: Settings) -> LLMConfig:
    """The local model as the API reaches it (local_llm_env), for `up`'s own warm-up call."""
    from talk2tables.sql_generation.providers import LLMConfig

    env = local_llm_env(settings)
    return LLMConfig(
        model=env["T2T_LLM_MODEL"],
        openai_base_url=env["OPENAI_BASE_URL"],
        openai_api_key=env["OPENAI_API_KEY"],
        timeout_seconds=float(env["T2T_LLM_TIMEOUT"]),
        max_retries=0,
    )


async def warm_local_llm(settings: Settings) -> None:
    """Before saying "running": the local model reads the current prompt once, so the first question does not.
    A failure is not fatal (the first question is then only slower); it is said, with the reason."""
    from talk2tables.local_llm.warm_up import warm_up

    console.print("  … Local LLM: reading the prompt once, so the first question need not (about a minute on 2 cores)")
    try:
        elapsed_ms = await warm_up(settings, local_llm_config(settings), environment())
    except Talk2TablesError as exc:
        console.print(f"  [yellow]! Local LLM not warmed up[/] ({exc.message}); the first question will be slower.")
        return
    console.print(f"  ✓ Local LLM warmed up ({elapsed_ms / 1000:.1f} s)")


async def _run(supervisor: Supervisor, url: str, settings: Settings) -> int:
    try:
        await supervisor.start_all()
    except ChildFailedError as exc:
        console.print(f"[red]error:[/] {exc}")
        return 1
    if not settings.llm_model:
        await warm_local_llm(settings)
    console.print(f"\n[bold green]Talk 2 Tables is running:[/] {url}   (API docs: {url}/docs)")
    console.print(describe_llm(settings))
    console.print("Press Ctrl-C to stop everything.\n")
    return await supervisor.watch()


@app.command("up")
def up(
    config: Path | None = typer.Option(
        None, "--config", help="MCP registry (YAML). Default: MCP_CONFIG_PATH or ./mcp_config.yaml."
    ),
    port: int | None = typer.Option(None, help="API and web UI port. Default: T2T_API_PORT or 8001."),
) -> None:
    """Start everything: sample data if missing, the Database MCPs, the Product Metadata MCP, the API and web UI."""
    overrides: dict[str, object] = {}
    if config is not None:
        overrides["mcp_config_path"] = config
    if port is not None:
        overrides["api_port"] = port
    settings = read_settings(**overrides)
    # This terminal is for the user: up's own progress lines; INFO events go to the children's log files.
    configure_logging("WARNING" if settings.log_level.upper() == "INFO" else settings.log_level)
    try:
        children, external = plan_children(settings, settings.mcp_config_path)  # a bad registry fails first
        ensure_sample_data(settings)
        if not settings.llm_model:
            prepare_local_llm(settings)
    except Talk2TablesError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(1) from exc
    for name in external:
        console.print(f"Not started here (not a local built-in server): {name}")
    for child in children:
        child.log_path = LOG_DIR / (re.sub(r"[^a-z0-9]+", "-", child.name.lower()).strip("-") + ".log")
    console.print(f"Starting {len(children)} processes; their logs go to {LOG_DIR}/")
    supervisor = Supervisor(children, on_event=console.print)
    url = f"http://{settings.api_host}:{settings.api_port}"
    interrupt_on_stop_signals()
    try:
        code = asyncio.run(_run(supervisor, url, settings))
    finally:
        ignore_stop_signals()
        supervisor.stop_all()
    console.print("Stopped.")
    raise typer.Exit(code)
