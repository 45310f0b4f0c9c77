"""Settings for the commands that talk to the MCP servers: read once here, registry checked up front."""

from __future__ import annotations

from typing import Any

import typer

from talk2tables.config import Settings


def settings_or_exit(**overrides: Any) -> Settings:
    """Settings from the environment and .env with the command's options on top; exits 1, saying what to do,
    when the MCP registry they point at does not exist."""
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    if not settings.mcp_config_path.is_file():
        typer.secho(
            f"error: MCP registry not found: {settings.mcp_config_path}. Pass --config PATH or set MCP_CONFIG_PATH.",
            err=True,
            fg="red",
        )
        raise typer.Exit(1)
    return settings
