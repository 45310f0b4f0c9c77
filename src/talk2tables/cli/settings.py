"""Settings for the commands: read once here, every invalid value named, registry checked up front."""

from __future__ import annotations

from typing import Any

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError

from talk2tables.config import Settings
from talk2tables.logging import redact_value


def read_settings(**overrides: Any) -> Settings:
    """Settings from the environment and .env with the command's options (those not None) on top. An invalid
    value exits 1 naming each variable and what is wrong with it, instead of a traceback."""
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]) or "settings"
            shown = redact_value(name, error.get("input"))
            typer.secho(f"error: {name}={shown!r}: {error['msg']}", err=True, fg="red")
        typer.secho("Fix these in the environment or .env (see .env.example).", err=True)
        raise typer.Exit(1) from None
    except SettingsError as exc:  # a value that could not even be parsed (a list that is not JSON); no value shown
        typer.secho(f"error: {exc}. Fix it in the environment or .env (see .env.example).", err=True, fg="red")
        raise typer.Exit(1) from None


def settings_or_exit(**overrides: Any) -> Settings:
    """`read_settings`, and exit 1, saying what to do, when the MCP registry the settings point at does not
    exist."""
    settings = read_settings(**overrides)
    if not settings.mcp_config_path.is_file():
        typer.secho(
            f"error: MCP registry not found: {settings.mcp_config_path}. Pass --config PATH or set MCP_CONFIG_PATH.",
            err=True,
            fg="red",
        )
        raise typer.Exit(1)
    return settings
