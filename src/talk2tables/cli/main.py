"""The `talk2tables` command: one typer app; each command lives in the module named after it."""

from __future__ import annotations

import typer

from talk2tables import __version__

app = typer.Typer(
    name="talk2tables",
    help="Ask questions of your data in plain language: SQL, rows and an explanation, through MCP servers.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"talk2tables {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Talk 2 Tables: text-to-SQL over specialised MCP servers."""


# Each command module registers its command(s) on `app`; these imports are for that side effect.
# (one line per module, added by the component that owns it)
from talk2tables.cli import api as _api  # noqa: E402,F401
from talk2tables.cli import ask as _ask  # noqa: E402,F401
from talk2tables.cli import db_server as _db_server  # noqa: E402,F401
from talk2tables.cli import eval as _eval  # noqa: E402,F401
from talk2tables.cli import llm_server as _llm_server  # noqa: E402,F401
from talk2tables.cli import metadata_server as _metadata_server  # noqa: E402,F401
from talk2tables.cli import sample_data as _sample_data  # noqa: E402,F401
from talk2tables.cli import up as _up  # noqa: E402,F401
from talk2tables.cli import validate_config as _validate_config  # noqa: E402,F401
from talk2tables.cli import validate_metadata as _validate_metadata  # noqa: E402,F401
