"""`talk2tables validate-config PATH [--check-connections]`: check the MCP registry, listing every problem at once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from talk2tables.cli.main import app

if TYPE_CHECKING:
    from rich.console import Console

    from talk2tables.orchestrator.registry import Registry


@app.command("validate-config")
def validate_config(
    path: Path = typer.Argument(
        ..., help="The YAML registry of MCP servers to check (usually mcp_config.yaml).", show_default=False
    ),
    check_connections: bool = typer.Option(
        False,
        "--check-connections",
        help="Also connect to every server over SSE and list its tools and resources; fails if any is unreachable.",
    ),
) -> None:
    """Validate the MCP registry: exit 0 when valid, 1 with every problem listed when not.

    T2T_MCP_<KEY>_URL environment variables override the file's URLs, as they do at run time.
    """
    from rich.console import Console

    from talk2tables.cli.settings import read_settings
    from talk2tables.config import environment
    from talk2tables.errors import ConfigurationError
    from talk2tables.orchestrator.registry import parse_registry, read_registry_file

    # Lines are not wrapped at the terminal width: a path cut in two could not be copied or grepped (the
    # --check-connections table still fits its cells to the width).
    console = Console(highlight=False, soft_wrap=True)
    try:
        registry = parse_registry(read_registry_file(path), environment(), source=str(path))
    except ConfigurationError as error:
        problems = error.context.get("problems") or [error.message]
        console.print(f"[red]✗[/red] {path} is invalid ({len(problems)} problem(s)):")
        for problem in problems:
            console.print(f"  - {problem}", markup=False)
        raise typer.Exit(1) from None

    servers = registry.servers_by_priority()
    console.print(f"[green]✓[/green] {path} is valid: {len(servers)} server(s), in priority order:")
    for server in servers:
        role = " (runs queries)" if server.can_execute_query else ""
        console.print(f"  {server.priority:>3}  {server.key}: {server.name} at {server.url}{role}", markup=False)
    if not check_connections:
        return

    from talk2tables.logging import configure_logging

    settings = read_settings()
    # The table reports each failure; log lines would only repeat them.
    configure_logging("CRITICAL")
    token = settings.mcp_token.get_secret_value() if settings.mcp_token else None
    if not asyncio.run(_check_connections(console, registry, token)):
        raise typer.Exit(1)


async def _check_connections(console: Console, registry: Registry, token: str | None) -> bool:
    """Connect to every server (all of them, whatever ENABLE_MULTI_MCP says) and print what each offers."""
    from rich.table import Table

    from talk2tables.orchestrator import Orchestrator

    orchestrator = Orchestrator(registry, enable_multi_mcp=True, token=token)
    try:
        statuses = await orchestrator.server_status()
    finally:
        await orchestrator.close()
    table = Table(title="MCP servers (by priority)", show_lines=True)
    table.add_column("prio", justify="right")
    table.add_column("server", overflow="fold")
    table.add_column("url", overflow="fold")
    table.add_column("ok")
    table.add_column("tools", overflow="fold")
    table.add_column("resources", overflow="fold")
    table.add_column("ms", justify="right")
    for status in statuses:
        table.add_row(
            str(status.priority),
            status.key,
            status.url,
            "[green]yes[/green]" if status.reachable else "[red]no[/red]",
            "\n".join(status.tools) or "-",
            "\n".join(status.resources) or "-",
            f"{status.latency_ms:.0f}" if status.latency_ms is not None else "-",
        )
    console.print(table)
    failed = [s for s in statuses if not s.reachable]
    if failed:
        console.print(f"[red]✗[/red] {len(failed)} server(s) unreachable:")
        for status in failed:
            console.print(f"  - {status.key}: {status.error}", markup=False)
        return False
    console.print(f"[green]✓[/green] all {len(statuses)} server(s) answered")
    return True
