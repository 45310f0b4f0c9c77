"""`talk2tables sample-data`: write the sample store (SQLite), its product metadata and description."""

from __future__ import annotations

from pathlib import Path

import typer

from talk2tables.cli.main import app
from talk2tables.cli.settings import read_settings
from talk2tables.config import DEFAULT_DATA_DIR


@app.command("sample-data")
def sample_data(
    out: Path = typer.Option(
        DEFAULT_DATA_DIR,
        "--out",
        help="Folder for multi_mcp_test.db, product_metadata.json and database_description.md (created if missing; "
        "existing files are replaced).",
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Also load the same rows into this database (e.g. postgresql://user@host:5432/dbname), "
        "in one transaction.",
    ),
    replace: bool = typer.Option(
        False, "--replace", help="With --database-url: drop and reload the sample tables if they already exist."
    ),
) -> None:
    """Create the deterministic sample e-commerce data (two years of orders and sales)."""
    from talk2tables.errors import Talk2TablesError
    from talk2tables.logging import configure_logging, redact_text
    from talk2tables.sample_data.database import load_into
    from talk2tables.sample_data.writer import write_sample_data

    configure_logging(read_settings().log_level)
    try:
        files = write_sample_data(out)
        typer.echo(f"Wrote {files.database}, {files.metadata} and {files.description}")
        if database_url:
            counts = load_into(database_url, replace=replace)
            rows = ", ".join(f"{table} {count}" for table, count in counts.items())
            typer.echo(f"Loaded the sample tables into {redact_text(database_url)} ({rows})")
    except Talk2TablesError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(1) from None
