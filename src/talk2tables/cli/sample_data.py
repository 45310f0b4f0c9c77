"""`talk2tables sample-data`: write the sample store and support desk (SQLite), their descriptions and the
product metadata."""

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
        help="Folder for multi_mcp_test.db, support.db, product_metadata.json, database_description.md and "
        "support_description.md (created if missing; existing files are replaced).",
    ),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Also load the same rows into this database (e.g. postgresql://user@host:5432/dbname), "
        "in one transaction.",
    ),
    support_database_url: str | None = typer.Option(
        None,
        "--support-database-url",
        help="Also load the support desk's rows into this database (e.g. postgresql://user@host:5432/support), "
        "in one transaction.",
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="With --database-url or --support-database-url: drop and reload the sample tables if they already exist.",
    ),
) -> None:
    """Create the deterministic sample data: a shop (two years of orders and sales) and its support desk."""
    from talk2tables.errors import Talk2TablesError
    from talk2tables.logging import configure_logging, redact_text
    from talk2tables.sample_data.database import load_into
    from talk2tables.sample_data.support_database import load_support_into
    from talk2tables.sample_data.writer import write_sample_data

    configure_logging(read_settings().log_level)
    try:
        files = write_sample_data(out)
        typer.echo(
            f"Wrote {files.database}, {files.support_database}, {files.metadata}, {files.description} "
            f"and {files.support_description}"
        )
        for url, load in ((database_url, load_into), (support_database_url, load_support_into)):
            if url:
                counts = load(url, replace=replace)
                rows = ", ".join(f"{table} {count}" for table, count in counts.items())
                typer.echo(f"Loaded the sample tables into {redact_text(url)} ({rows})")
    except Talk2TablesError as error:
        typer.echo(f"Error: {error.message}", err=True)
        raise typer.Exit(1) from None
