"""`talk2tables db-server` refuses to start, with a message a person can act on, when it cannot serve."""

from __future__ import annotations

import subprocess
from pathlib import Path

from typer.testing import CliRunner

from talk2tables.cli.main import app
from tests.support.processes import free_port, run_talk2tables


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_talk2tables(*args, env={"T2T_MCP_TOKEN": "", **(env or {})}, timeout=60)


def test_refuses_a_missing_sqlite_file_and_says_how_to_create_one(tmp_path: Path) -> None:
    result = run_cli("db-server", "--database-url", str(tmp_path / "missing.db"), "--port", str(free_port()))
    assert result.returncode == 1
    assert "SQLite database file not found" in result.stderr
    assert "talk2tables sample-data" in result.stderr


def test_refuses_a_description_file_that_does_not_exist(sample_db: Path, tmp_path: Path) -> None:
    result = run_cli(
        "db-server", "--database-url", str(sample_db), "--description", str(tmp_path / "nope.md"), "--port", "1"
    )
    assert result.returncode == 1
    assert "description file" in result.stderr


def test_refuses_an_unreachable_database_without_printing_its_password() -> None:
    url = f"postgresql://reader:hunter2@127.0.0.1:{free_port()}/shop"
    result = run_cli("db-server", "--database-url", url, "--port", str(free_port()))
    assert result.returncode == 1
    assert "Could not connect to the database" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_documents_every_option_in_its_help() -> None:
    result = CliRunner().invoke(app, ["db-server", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--database-url", "--host", "--port", "--description", "--max-rows", "--statement-timeout"):
        assert option in result.output
