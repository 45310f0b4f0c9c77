"""`talk2tables validate-metadata PATH`: checks a product metadata file.

The plan's `setup_product_metadata.py --validate`; with --database-url it also checks every reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from talk2tables.cli.main import app
from talk2tables.errors import MetadataError, Talk2TablesError
from talk2tables.logging import configure_logging, redact_text
from talk2tables.product_metadata_mcp.models import ProductMetadata
from talk2tables.product_metadata_mcp.store import load_metadata


@app.command("validate-metadata")
def validate_metadata(
    path: Path = typer.Argument(..., help="The product metadata JSON file to check."),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Also check that every database_references table, column and value (and every table.column in "
        "the column mappings) exists in this database: a SQLite path or a SQLAlchemy URL. Opened read-only.",
    ),
) -> None:
    """Exit 0 if the file is valid; otherwise list every problem and exit 1."""
    # The problems are printed for a person below; log lines would only repeat them.
    configure_logging("ERROR")
    try:
        metadata = load_metadata(path)
    except MetadataError as error:
        problems = [str(p) for p in error.context.get("problems", [])]
        if not problems:  # missing, unreadable, not JSON: the message says it all
            _invalid(f"Error: {error.message}", [])
        _invalid(f"{path} is invalid ({_count(problems)}):", problems)
    if database_url is not None:
        problems = _database_problems(metadata, database_url)
        if problems:
            _invalid(f"{path} does not match the database {redact_text(database_url)} ({_count(problems)}):", problems)
    aliases = sum(len(p.aliases) for p in metadata.product_aliases.values())
    matched = " and matches the database" if database_url is not None else ""
    typer.echo(
        f"{path} is valid{matched}: {len(metadata.product_aliases)} products, {aliases} aliases, "
        f"{len(metadata.column_mappings.user_friendly_terms)} column terms, "
        f"{len(metadata.column_mappings.aggregation_terms)} aggregation terms."
    )


def _database_problems(metadata: ProductMetadata, database_url: str) -> list[str]:
    # Imported here: SQLAlchemy and the database package are only needed with --database-url.
    from talk2tables.database_mcp.engine import create_readonly_engine, normalize_database_url
    from talk2tables.product_metadata_mcp.references import reference_problems

    try:
        engine = create_readonly_engine(normalize_database_url(database_url))
    except Talk2TablesError as error:
        _invalid(f"Error: {error.message}", [])
    try:
        return reference_problems(metadata, engine)
    except Exception as error:  # the database itself failed: say so instead of a traceback
        reason = getattr(error, "orig", None) or error  # the driver's own words, without SQLAlchemy's boilerplate
        _invalid(f"Error: could not read the database {redact_text(database_url)}: {redact_text(str(reason))}", [])
    finally:
        engine.dispose()


def _count(problems: list[str]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def _invalid(headline: str, problems: list[str]) -> NoReturn:
    typer.echo(headline, err=True)
    for problem in problems:
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)
