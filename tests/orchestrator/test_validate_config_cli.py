"""`talk2tables validate-config`: every problem listed with exit 1; --check-connections lists each server's offer."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from talk2tables.cli.main import app
from tests.orchestrator.conftest import Live, dead_url
from tests.support.processes import REPO_ROOT, run_talk2tables

runner = CliRunner()


def write(tmp_path: Path, document: object) -> Path:
    path = tmp_path / "mcp_config.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_the_default_registry_is_valid() -> None:
    result = runner.invoke(app, ["validate-config", str(REPO_ROOT / "mcp_config.yaml")])
    assert result.exit_code == 0, result.output
    assert "is valid: 3 server(s)" in result.output
    assert "database: Database MCP at http://127.0.0.1:8000/sse (runs queries)" in result.output
    assert "support: Support Desk MCP at http://127.0.0.1:8004/sse (runs queries)" in result.output


def test_lists_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "mcp_servers": {
                "database": {
                    "name": "DB",
                    "url": "localhost:8000",
                    "priority": 1,
                    "transport": "stdio",
                    "colour": "blue",
                },
                "product_metadata": {"name": "Meta", "url": "http://127.0.0.1:8002/sse", "priority": 1},
            },
            "orchestration": {"fail_fast": False},
        },
    )
    result = runner.invoke(app, ["validate-config", str(path)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "invalid (6 problem(s))" in output
    for fragment in (
        "mcp_servers.database.url:",
        "mcp_servers.database.transport: transport must be sse",
        "mcp_servers.database.colour: unknown key",
        "orchestration.fail_fast: fail_fast must be true",
        "mcp_servers.product_metadata.priority: 1 is already used by database",
        "no server declares the execute_query capability",
    ):
        assert fragment in output


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    absent = tmp_path / ("deep" * 20) / "absent.yaml"  # longer than a terminal line: printed whole, never wrapped
    result = runner.invoke(app, ["validate-config", str(absent)])
    assert result.exit_code == 1
    assert f"{absent} is invalid" in result.output
    assert "Traceback" not in result.output


def test_url_overrides_from_the_environment_are_validated_too() -> None:
    result = runner.invoke(
        app,
        ["validate-config", str(REPO_ROOT / "mcp_config.yaml")],
        env={"T2T_MCP_DATABASE_URL": "not a url"},
    )
    assert result.exit_code == 1
    assert "T2T_MCP_DATABASE_URL" in " ".join(result.output.split())


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_talk2tables(*args, env={"COLUMNS": "200", "T2T_MCP_TOKEN": "", **env})


@pytest.mark.e2e
def test_check_connections_lists_each_servers_tools_and_resources(shared_live: Live) -> None:
    result = run_cli(
        "validate-config",
        str(REPO_ROOT / "mcp_config.yaml"),
        "--check-connections",
        env={
            "T2T_MCP_DATABASE_URL": shared_live.db.sse_url,
            "T2T_MCP_SUPPORT_URL": shared_live.db.sse_url,  # any live Database MCP will do for the listing
            "T2T_MCP_PRODUCT_METADATA_URL": shared_live.metadata.sse_url,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for fragment in (
        shared_live.db.sse_url,
        shared_live.metadata.sse_url,
        "execute_query",
        "database://schema",
        "resource://product_aliases",
        "all 3 server(s) answered",
    ):
        assert fragment in result.stdout


@pytest.mark.e2e
def test_check_connections_fails_naming_an_unreachable_server(shared_live: Live) -> None:
    down = dead_url()
    result = run_cli(
        "validate-config",
        str(REPO_ROOT / "mcp_config.yaml"),
        "--check-connections",
        env={
            "T2T_MCP_DATABASE_URL": shared_live.db.sse_url,
            "T2T_MCP_SUPPORT_URL": shared_live.db.sse_url,
            "T2T_MCP_PRODUCT_METADATA_URL": down,
        },
    )
    assert result.returncode == 1
    output = " ".join(result.stdout.split())
    assert "1 server(s) unreachable" in output
    assert f"product_metadata: cannot connect to Product Metadata MCP (product_metadata) at {down}" in output
