"""Docs that cannot drift: every setting and every command is documented where users look."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import AliasChoices

from talk2tables.cli.main import app
from talk2tables.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def setting_names() -> list[str]:
    names = []
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        assert isinstance(alias, AliasChoices), "every setting names its environment variable"
        names += [str(choice) for choice in alias.choices]
    return names


@pytest.mark.parametrize("document", [".env.example", "docs/configuration.md"])
def test_every_setting_is_documented(document: str) -> None:
    text = (ROOT / document).read_text()
    missing = [name for name in setting_names() if not re.search(rf"\b{name}\b", text)]
    assert not missing, f"{document} does not mention {missing}"


def command_names() -> list[str]:
    return sorted(c.name or "" for c in app.registered_commands)


def test_every_command_is_in_the_readme_and_the_architecture_contract_is_met() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in command_names() if f"talk2tables {name}" not in readme]
    assert not missing, f"README.md does not show {missing}"
    contract = {"up", "db-server", "metadata-server", "api", "ask", "validate-config", "sample-data", "eval",
                "llm-server"}  # fmt: skip
    assert contract <= set(command_names())


@pytest.mark.parametrize("command", command_names())
def test_every_command_has_a_helpful_help(command: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "talk2tables", command, "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout
    summary = next(c for c in app.registered_commands if c.name == command).callback.__doc__ or ""  # type: ignore[union-attr]
    assert len(summary.strip()) > 20, f"`talk2tables {command}` needs a docstring that says what it does"
