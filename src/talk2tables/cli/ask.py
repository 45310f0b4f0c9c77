"""`talk2tables ask "QUESTION"`: answer one question through the running MCP servers and print it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from talk2tables.cli.main import app

if TYPE_CHECKING:
    from rich.console import Console

    from talk2tables.config import Settings
    from talk2tables.models import QueryResult
    from talk2tables.orchestrator import Orchestrator
    from talk2tables.workflow.service import QuestionService

MAX_SHOWN_ROWS = 50


def load_settings(config: Path | None) -> Settings:
    """Settings with --config for the registry; exits 1 if the registry is missing."""
    from talk2tables.cli.settings import settings_or_exit

    return settings_or_exit(mcp_config_path=config)


@asynccontextmanager
async def running_service(settings: Settings) -> AsyncIterator[tuple[QuestionService, Orchestrator]]:
    """The orchestrator (sessions open) and the question service on it (the API's own), closed on the way out."""
    from talk2tables.config import environment
    from talk2tables.orchestrator import Orchestrator
    from talk2tables.workflow.factory import pipeline_from_settings, service_from_settings

    orchestrator = Orchestrator.from_settings(settings, environment())
    async with orchestrator:
        pipeline = pipeline_from_settings(settings, orchestrator)
        try:
            yield service_from_settings(settings, pipeline), orchestrator
        finally:
            await pipeline.aclose()


@app.command("ask")
def ask(
    question: str = typer.Argument(..., help="The question, in plain language.", show_default=False),
    json_output: bool = typer.Option(False, "--json", help="Print the QueryResult as JSON instead of tables."),
    config: Path | None = typer.Option(
        None, "--config", help="The MCP server registry (YAML). Default: MCP_CONFIG_PATH or ./mcp_config.yaml."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the JSON log lines (LOG_LEVEL) on stderr."),
) -> None:
    """Answer one question through the running MCP servers: the SQL, the rows, the resolved terms, why.

    Exit code 0 when answered, 1 when not (the message says what failed and what to do).
    """
    from rich.console import Console

    from talk2tables.errors import Talk2TablesError
    from talk2tables.logging import configure_logging

    settings = load_settings(config)
    configure_logging(settings.log_level if verbose else "CRITICAL")
    try:
        result = asyncio.run(_answer(settings, question))
    except Talk2TablesError as exc:  # the registry itself is unusable: nothing was asked
        typer.secho(f"error: {exc.message}", err=True, fg="red")
        raise typer.Exit(1) from None
    if json_output:
        typer.echo(result.model_dump_json(indent=2))
    else:
        print_result(Console(highlight=False), result)
    if not result.success:
        raise typer.Exit(1)


async def _answer(settings: Settings, question: str) -> QueryResult:
    async with running_service(settings) as (service, _):
        return await service.answer(question, endpoint="cli_ask")


def print_result(console: Console, result: QueryResult) -> None:
    """The answer for a person: SQL, table, resolved terms, explanation; or what failed and what to do."""
    from rich.panel import Panel
    from rich.syntax import Syntax

    if result.sql:
        console.print(Panel(Syntax(result.sql, "sql", word_wrap=True), title="SQL", expand=False))
    if not result.success:
        console.print(f"[red]✗ Could not answer:[/red] {_escape(result.error or 'unknown error')}")
        failed = [a for a in result.metadata.get("attempts", []) if a.get("error")]
        for attempt in failed if len(failed) > 1 else []:
            console.print(f"  attempt {attempt['attempt']} ({attempt['stage']}): {_escape(attempt['error'])}")
        return
    console.print(_table(result.result.columns, result.result.rows))
    entities = result.resolved_entities.get("entities") or []
    if entities:
        console.print("[bold]Understood as:[/bold]")
        for item in entities:
            console.print(
                f"  {_escape(item['term'])} → {_escape(item['resolved_to'])} "
                f"[dim]({item['kind']}, from {_escape(item['source_server'])})[/dim]"
            )
    if result.explanation:
        console.print(f"[bold]Explanation:[/bold] {_escape(result.explanation)}")
    console.print(f"[dim]{_footer(result.metadata)}[/dim]")


def _table(columns: list[str], rows: list[list[Any]]) -> Any:
    from rich.table import Table

    table = Table(show_lines=False, caption=None)
    for column in columns:
        table.add_column(_escape(column))
    for row in rows[:MAX_SHOWN_ROWS]:
        table.add_row(*("" if v is None else _escape(str(v)) for v in row))
    if len(rows) > MAX_SHOWN_ROWS:
        table.caption = f"{len(rows) - MAX_SHOWN_ROWS} more rows not shown (use --json for all)"
    return table


def _footer(metadata: dict[str, Any]) -> str:
    rows = metadata.get("row_count", 0)
    parts = [f"{rows} row{'s' if rows != 1 else ''}" + (" (truncated)" if metadata.get("truncated") else "")]
    from talk2tables.workflow.outcome import answered_from

    where = answered_from(metadata)
    if where:
        parts.append(where)
    attempts = metadata.get("attempts_count", 0)
    if attempts > 1:
        parts.append(f"{attempts} attempts" + (", recovered" if metadata.get("recovered") else ""))
    ran = (metadata.get("attempts") or [{}])[-1]
    if ran.get("repairs"):  # the SQL shown is the mended one: say what was mended
        parts.append("mended " + ", ".join(ran["repairs"]))
    total = metadata.get("timings_ms", {}).get("total")
    if total is not None:
        parts.append(f"{total / 1000:.2f} s")
    if metadata.get("confidence") is not None:
        parts.append(f"confidence {metadata['confidence']:.2f}")
    return " · ".join(parts)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
