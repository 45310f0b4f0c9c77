"""Settings and the environment at the edge: `.env` is honoured, the real environment wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from talk2tables.config import Settings, environment
from talk2tables.orchestrator import load_registry

REPO = Path(__file__).resolve().parents[1]


def test_environment_reads_dotenv_and_the_process_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("T2T_MCP_DATABASE_URL=http://db.example:9000/sse\nT2T_DATA_DIR=/from/dotenv\n")
    monkeypatch.setenv("T2T_DATA_DIR", "/from/environment")
    merged = environment(env_file)
    assert merged["T2T_MCP_DATABASE_URL"] == "http://db.example:9000/sse"
    assert merged["T2T_DATA_DIR"] == "/from/environment"
    registry = load_registry(REPO / "mcp_config.yaml", merged)
    assert registry.mcp_servers["database"].url == "http://db.example:9000/sse"


def test_a_missing_dotenv_is_just_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T2T_SOMETHING", "x")
    assert environment(tmp_path / "absent.env")["T2T_SOMETHING"] == "x"


def test_settings_read_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("T2T_LLM_MODEL", raising=False)
    (tmp_path / ".env").write_text("T2T_LLM_MODEL=anthropic:claude-sonnet-4-5\nT2T_API_TOKEN=abc\n")
    settings = Settings()
    assert settings.llm_model == "anthropic:claude-sonnet-4-5"
    assert settings.api_token is not None
    assert "abc" not in repr(settings)  # secrets stay out of reprs and logs
