"""Every command names an invalid setting and what is wrong with it, and exits 1 without a traceback."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.processes import REPO_ROOT, run_talk2tables


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # A registry that does not exist: should settings ever pass, the command stops there, starting nothing.
    return run_talk2tables(*args, env={"MCP_CONFIG_PATH": str(REPO_ROOT / "no-such-registry.yaml"), **env}, timeout=60)


@pytest.mark.parametrize(
    ("command", "variable", "value", "complaint"),
    [
        (["db-server"], "T2T_MAX_ROWS", "many", "valid integer"),
        (["api"], "T2T_API_WORKERS", "0", "greater than or equal to 1"),
        (["up"], "T2T_API_WORKERS", "65", "less than or equal to 64"),
        (["validate-config", "mcp_config.yaml", "--check-connections"], "T2T_LLM_TIMEOUT", "-1", "greater than 0"),
    ],
)
def test_an_invalid_setting_is_named_with_its_value(
    command: list[str], variable: str, value: str, complaint: str
) -> None:
    result = run_cli(command, {variable: value})
    assert result.returncode == 1, result.stderr
    assert f"{variable}={value!r}" in result.stderr
    assert complaint in result.stderr
    assert "Traceback" not in result.stderr


def test_a_secret_in_an_invalid_setting_is_not_shown() -> None:
    result = run_cli(["db-server"], {"T2T_MAX_ROWS": "postgresql://admin:hunter2@db/x"})
    assert result.returncode == 1
    assert "T2T_MAX_ROWS='postgresql://admin:***@db/x'" in result.stderr
    assert "hunter2" not in result.stderr


def test_a_value_that_cannot_be_parsed_is_named_without_a_traceback() -> None:
    result = run_cli(["api"], {"T2T_CORS_ORIGINS": "not json"})
    assert result.returncode == 1
    assert "cors_origins" in result.stderr
    assert "Traceback" not in result.stderr
