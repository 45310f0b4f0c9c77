"""`talk2tables validate-metadata PATH`: checks a product metadata file.

The plan's `setup_product_metadata.py --validate`; with --database-url it also checks every reference, and with
--server-database-url KEY=URL the column terms tied to another server (`column_mappings.term_servers`).
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer

from talk2tables.cli.main import app
from talk2tables.errors import MetadataError, Talk2TablesError
from talk2tables.logging import configure_logging, redact_text
from talk2tables.product_metadata_mcp.models import MAIN_SERVER, SERVER_KEY, ProductMetadata
from talk2tables.product_metadata_mcp.store import load_metadata


@app.command("validate-metadata")
def validate_metadata(
    path: Path = typer.Argument(..., help="The product metadata JSON file to check."),
    database_url: str | None = typer.Option(
        None,
        "--database-url",
        help="Also check that every database_references table, column and value (and every table.column in "
        "the column mappings not tied to another server) exists in this database, the one of registry key "
        "`database`: a SQLite path or a SQLAlchemy URL. Opened read-only.",
    ),
    server_database_urls: list[str] = typer.Option(
        [],
        "--server-database-url",
        metavar="KEY=URL",
        help="Also check the column terms tied to registry key KEY (column_mappings.term_servers) against that "
        "server's database, e.g. support=test_data/support.db. Opened read-only. Repeatable.",
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
    databases = ([(MAIN_SERVER, database_url)] if database_url is not None else []) + [
        _server_and_url(option) for option in server_database_urls
    ]
    mismatched = False
    for server, url in databases:
        problems = _database_problems(metadata, url, server)
        if problems:
            of = "" if server == MAIN_SERVER else f" of server {server!r}"
            _report(f"{path} does not match the database{of} {redact_text(url)} ({_count(problems)}):", problems)
            mismatched = True
    if mismatched:
        raise typer.Exit(1)
    typer.echo(f"{path} is valid{_matched(len(databases))}: {_summary(metadata)}.")


def _server_and_url(option: str) -> tuple[str, str]:
    server, equals, url = option.partition("=")
    if not equals or not SERVER_KEY.match(server.strip()) or not url.strip():
        _invalid(f"Error: --server-database-url {option!r} is not KEY=URL, e.g. support=test_data/support.db.", [])
    return server.strip(), url.strip()


def _matched(databases: int) -> str:
    return "" if not databases else " and matches the database" + ("s" if databases > 1 else "")


def _summary(metadata: ProductMetadata) -> str:
    mappings = metadata.column_mappings
    aliases = sum(len(p.aliases) for p in metadata.product_aliases.values())
    summary = (
        f"{len(metadata.product_aliases)} products, {aliases} aliases, {len(mappings.user_friendly_terms)} column "
        f"terms, {len(mappings.aggregation_terms)} aggregation terms"
    )
    if mappings.term_servers:
        servers = ", ".join(sorted(set(mappings.term_servers.values())))
        summary += f", {len(mappings.term_servers)} terms tied to a server ({servers})"
    return summary


def _database_problems(metadata: ProductMetadata, database_url: str, server: str) -> list[str]:
    # Imported here: SQLAlchemy and the database package are only needed with --database-url.
    from talk2tables.database_mcp.engine import create_readonly_engine, normalize_database_url
    from talk2tables.product_metadata_mcp.references import reference_problems

    try:
        engine = create_readonly_engine(normalize_database_url(database_url))
    except Talk2TablesError as error:
        _invalid(f"Error: {error.message}", [])
    try:
        return reference_problems(metadata, engine, server=server)
    except Exception as error:  # the database itself failed: say so instead of a traceback
        reason = getattr(error, "orig", None) or error  # the driver's own words, without SQLAlchemy's boilerplate
        _invalid(f"Error: could not read the database {redact_text(database_url)}: {redact_text(str(reason))}", [])
    finally:
        engine.dispose()


def _count(problems: list[str]) -> str:
    return f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"


def _report(headline: str, problems: list[str]) -> None:
    typer.echo(headline, err=True)
    for problem in problems:
        typer.echo(f"  - {problem}", err=True)


def _invalid(headline: str, problems: list[str]) -> NoReturn:
    _report(headline, problems)
    raise typer.Exit(1)
