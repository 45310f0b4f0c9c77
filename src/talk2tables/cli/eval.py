"""`talk2tables eval FILE`: run a question set end to end; print execution accuracy, recovery and latency."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from talk2tables.cli.ask import load_settings, running_service
from talk2tables.cli.main import app

if TYPE_CHECKING:
    from rich.console import Console

    from talk2tables.config import Settings
    from talk2tables.models import QueryResult
    from talk2tables.workflow.evaluation import EvalCase, EvalReport


@app.command("eval")
def evaluate(
    file: Path = typer.Argument(
        ...,
        help="YAML or JSON list of {question, gold_sql[, id]}, e.g. evals/sample_questions.yaml.",
        show_default=False,
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the report (summary and every case) as JSON."),
    config: Path | None = typer.Option(
        None, "--config", help="The MCP server registry (YAML). Default: MCP_CONFIG_PATH or ./mcp_config.yaml."
    ),
    min_accuracy: float | None = typer.Option(
        None, "--min-accuracy", min=0.0, max=1.0, help="Exit 1 when execution accuracy is below this (0-1)."
    ),
) -> None:
    """Answer every question through the running servers and compare its rows with the gold SQL's rows.

    Order counts only when the gold SQL orders its result; column order and float noise do not.
    """
    from rich.console import Console

    from talk2tables.errors import Talk2TablesError
    from talk2tables.logging import configure_logging
    from talk2tables.workflow.evaluation import load_cases
    from talk2tables.workflow.factory import generator_from_settings

    settings = load_settings(config)
    configure_logging("CRITICAL")  # the report says what failed; log lines would only repeat it
    err = Console(stderr=True, highlight=False)
    try:
        cases = load_cases(file)
        generator_from_settings(settings).ensure_configured()  # no LLM: say so once, not once per question
        report = asyncio.run(_run(settings, cases, err))
    except Talk2TablesError as exc:
        err.print(f"[red]error:[/red] {exc.message}", markup=True)
        raise typer.Exit(1) from None
    if json_output:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print_report(Console(highlight=False), report)
    if min_accuracy is not None and report.execution_accuracy < min_accuracy:
        err.print(f"[red]Execution accuracy {report.execution_accuracy:.1%} is below {min_accuracy:.1%}.[/red]")
        raise typer.Exit(1)


async def _run(settings: Settings, cases: list[EvalCase], console: Console) -> EvalReport:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from talk2tables.workflow.evaluation import run_eval

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("Answering", total=len(cases))
        async with running_service(settings) as (service, orchestrator):

            async def answer(question: str) -> QueryResult:
                return await service.answer(question, endpoint="cli_eval")

            return await run_eval(cases, answer, orchestrator, on_result=lambda _: progress.advance(task))


def print_report(console: Console, report: EvalReport) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="Talk 2 Tables eval")
    for name, justify in (("id", "left"), ("", "center"), ("attempts", "right"), ("ms", "right"), ("why", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for case in report.cases:
        mark = "[green]✓[/green]" if case.correct else "[red]✗[/red]"
        table.add_row(escape(case.id), mark, str(case.attempts), f"{case.latency_ms:.0f}", escape(case.reason))
    console.print(table)
    summary = report.summary()
    rate = summary["recovery_rate"]
    console.print(
        f"Execution accuracy: [bold]{summary['correct']}/{summary['questions']}[/bold] "
        f"({report.execution_accuracy:.1%})"
    )
    console.print(
        f"Recovery rate: {'n/a (no first attempt failed)' if rate is None else f'{rate:.1%}'} "
        f"({summary['recovered']} of {summary['needed_recovery']} questions whose first attempt failed)"
    )
    console.print(f"Latency: p50 {summary['latency_ms']['p50']:.0f} ms, p95 {summary['latency_ms']['p95']:.0f} ms")
    rows = summary["time_to_rows_ms"]
    if rows["p50"] is not None:
        console.print(f"Time to rows (before the explanation): p50 {rows['p50']:.0f} ms, p95 {rows['p95']:.0f} ms")
