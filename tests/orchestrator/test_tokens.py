"""Which bearer token each server gets: its own, else the shared one — never the shared one in clear text
to another host."""

from __future__ import annotations

from pathlib import Path

from talk2tables.config import Settings
from talk2tables.orchestrator import Orchestrator, parse_registry
from talk2tables.orchestrator.orchestrator import token_env_var


def registry_with(urls: dict[str, str]) -> object:
    servers = {
        key: {"name": key, "url": url, "priority": i + 1, "capabilities": ["execute_query"] if i == 0 else []}
        for i, (key, url) in enumerate(urls.items())
    }
    return parse_registry({"mcp_servers": servers})


def headers(orchestrator: Orchestrator, key: str) -> dict[str, str] | None:
    return orchestrator._connections[key]._headers  # type: ignore[no-any-return]


def test_the_shared_token_goes_to_local_and_https_servers_but_not_plain_http_elsewhere() -> None:
    registry = registry_with({
        "database": "http://127.0.0.1:8000/sse",
        "secure": "https://mcp.example.com/sse",
        "plain": "http://mcp.example.com:8010/sse",
    })  # fmt: skip
    orchestrator = Orchestrator(registry, token="shared-secret")  # type: ignore[arg-type]
    assert headers(orchestrator, "database") == {"Authorization": "Bearer shared-secret"}
    assert headers(orchestrator, "secure") == {"Authorization": "Bearer shared-secret"}
    assert headers(orchestrator, "plain") is None


def test_a_server_of_its_own_token_gets_that_one(tmp_path: Path) -> None:
    config = tmp_path / "mcp_config.yaml"
    config.write_text(
        "mcp_servers:\n"
        "  database: {name: DB, url: 'http://127.0.0.1:8000/sse', priority: 1, capabilities: [execute_query]}\n"
        "  plain: {name: Remote, url: 'http://mcp.example.com:8010/sse', priority: 2}\n"
    )
    settings = Settings.model_validate({"mcp_config_path": config, "mcp_token": "shared-secret"})
    env = {token_env_var("plain"): "remote-only"}
    orchestrator = Orchestrator.from_settings(settings, env)
    assert token_env_var("plain") == "T2T_MCP_PLAIN_TOKEN"
    assert headers(orchestrator, "plain") == {"Authorization": "Bearer remote-only"}
    assert headers(orchestrator, "database") == {"Authorization": "Bearer shared-secret"}
