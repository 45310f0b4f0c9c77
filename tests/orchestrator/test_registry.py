"""The YAML registry: loading, environment overrides, and validation that reports every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from talk2tables.errors import ConfigurationError
from talk2tables.orchestrator.registry import (
    Registry,
    load_registry,
    parse_registry,
    registry_problems,
    resolve_registry_path,
    url_env_var,
)
from tests.support.processes import REPO_ROOT


def valid() -> dict[str, Any]:
    return {
        "mcp_servers": {
            "database": {
                "name": "Database MCP",
                "url": "http://127.0.0.1:8000/sse",
                "priority": 10,
                "domains": ["sales"],
                "capabilities": ["execute_query", "list_resources"],
                "transport": "sse",
            },
            "product_metadata": {
                "name": "Product Metadata MCP",
                "url": "http://127.0.0.1:8002/sse",
                "priority": 1,
                "capabilities": ["list_resources"],
            },
        },
        "orchestration": {
            "fail_fast": True,
            "log_level": "INFO",
            "timeouts": {"connect_seconds": 5, "resource_seconds": 5, "tool_seconds": 30},
        },
    }


def test_the_repository_default_registry_is_valid_and_routes_queries_to_the_database() -> None:
    registry = load_registry(REPO_ROOT / "mcp_config.yaml")

    assert [s.key for s in registry.servers_by_priority()] == ["product_metadata", "database", "support"]
    assert [s.key for s in registry.servers_by_priority() if s.can_execute_query] == ["database", "support"]
    assert registry.mcp_servers["support"].url == "http://127.0.0.1:8004/sse"
    query = registry.query_server()
    assert query is not None
    assert query.key == "database"
    assert query.url == "http://127.0.0.1:8000/sse"
    assert registry.mcp_servers["product_metadata"].url == "http://127.0.0.1:8002/sse"
    assert registry.orchestration.timeouts.tool_seconds == 30


def test_a_valid_registry_has_no_problems_and_keeps_each_servers_key() -> None:
    assert registry_problems(valid()) == []
    registry = parse_registry(valid())
    assert registry.mcp_servers["database"].key == "database"
    assert registry.mcp_servers["product_metadata"].transport == "sse"
    assert registry.mcp_servers["product_metadata"].domains == []


def test_reports_every_problem_at_once_naming_each_key_and_field() -> None:
    data = valid()
    database = data["mcp_servers"]["database"]
    database.update(url="localhost:8000", transport="stdio", colour="blue", capabilities=["list_resources"])
    data["mcp_servers"]["product_metadata"]["priority"] = 1000
    data["mcp_servers"]["extra"] = {"name": "Extra", "url": "http://h/sse", "priority": 10}
    data["orchestration"]["fail_fast"] = False

    problems = registry_problems(data)

    def about(prefix: str) -> list[str]:
        return [p for p in problems if p.startswith(prefix)]

    assert about("mcp_servers.database.url:")
    assert "http" in about("mcp_servers.database.url:")[0]
    assert about("mcp_servers.database.transport:")
    assert "sse" in about("mcp_servers.database.transport:")[0]
    assert about("mcp_servers.database.colour:")
    assert "unknown key" in about("mcp_servers.database.colour:")[0]
    assert about("mcp_servers.product_metadata.priority:")
    assert "1 and 999" in about("mcp_servers.product_metadata.priority:")[0]
    assert about("mcp_servers.extra.priority:")
    assert "database" in about("mcp_servers.extra.priority:")[0]
    assert about("orchestration.fail_fast:")
    assert "partial" in about("orchestration.fail_fast:")[0]
    assert any("execute_query" in p for p in about("mcp_servers:"))
    assert len(problems) == 7


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"priority": 0}, "mcp_servers.database.priority: must be between 1 and 999"),
        ({"priority": "high"}, "mcp_servers.database.priority:"),
        ({"priority": True}, "mcp_servers.database.priority:"),
        ({"url": "ftp://127.0.0.1/sse"}, "mcp_servers.database.url:"),
        ({"url": "http:///sse"}, "mcp_servers.database.url:"),
        ({"url": "http://127.0.0.1:99999/sse"}, "mcp_servers.database.url:"),
        ({"transport": "streamable-http"}, "mcp_servers.database.transport: transport must be sse"),
        ({"name": ""}, "mcp_servers.database.name:"),
        ({"capabilities": ["Execute Query"]}, "mcp_servers.database.capabilities:"),
    ],
)
def test_rejects_a_bad_field_with_a_message_naming_it(change: dict[str, Any], expected: str) -> None:
    data = valid()
    data["mcp_servers"]["database"].update(change)
    problems = registry_problems(data)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_missing_required_field_is_named() -> None:
    data = valid()
    del data["mcp_servers"]["database"]["url"]
    assert "mcp_servers.database.url: required" in registry_problems(data)


def test_duplicate_priorities_are_reported_even_alongside_field_errors() -> None:
    data = valid()
    data["mcp_servers"]["product_metadata"]["priority"] = 10
    data["mcp_servers"]["database"]["url"] = "nope"
    problems = registry_problems(data)
    assert any(p.startswith("mcp_servers.database.url:") for p in problems)
    assert any(p.startswith("mcp_servers.product_metadata.priority: 10 is already used by database") for p in problems)


def test_no_server_with_execute_query_is_a_problem() -> None:
    data = valid()
    data["mcp_servers"]["database"]["capabilities"] = ["list_resources"]
    assert registry_problems(data) == [
        "mcp_servers: no server declares the execute_query capability; "
        "add execute_query to the Database MCP's capabilities"
    ]


def test_unknown_keys_at_every_level_are_rejected() -> None:
    data = valid()
    data["servers"] = {}
    data["orchestration"]["retries"] = 3
    data["orchestration"]["timeouts"]["read_seconds"] = 1
    problems = registry_problems(data)
    assert {p.split(":")[0] for p in problems} == {
        "servers",
        "orchestration.retries",
        "orchestration.timeouts.read_seconds",
    }


@pytest.mark.parametrize("document", [None, [], "text", {"mcp_servers": {}}, {"mcp_servers": None}])
def test_an_empty_or_malformed_document_is_a_problem(document: Any) -> None:
    assert registry_problems(document)


def test_non_positive_timeouts_are_rejected() -> None:
    data = valid()
    data["orchestration"]["timeouts"] = {"connect_seconds": 0, "resource_seconds": -1, "tool_seconds": 30}
    problems = registry_problems(data)
    assert {p.split(":")[0] for p in problems} == {
        "orchestration.timeouts.connect_seconds",
        "orchestration.timeouts.resource_seconds",
    }


def test_server_keys_must_be_usable_in_environment_variable_names() -> None:
    data = valid()
    data["mcp_servers"]["Product-Metadata"] = data["mcp_servers"].pop("product_metadata")
    assert any(p.startswith("mcp_servers.Product-Metadata: keys must be") for p in registry_problems(data))


def test_environment_overrides_a_servers_url() -> None:
    env = {url_env_var("database"): "http://db.internal:9000/sse"}
    registry = parse_registry(valid(), env)
    assert url_env_var("database") == "T2T_MCP_DATABASE_URL"
    assert registry.mcp_servers["database"].url == "http://db.internal:9000/sse"
    assert registry.mcp_servers["product_metadata"].url == "http://127.0.0.1:8002/sse"


def test_a_bad_url_from_the_environment_names_the_variable() -> None:
    problems = registry_problems(valid(), {"T2T_MCP_PRODUCT_METADATA_URL": "metadata:8002"})
    assert len(problems) == 1
    assert problems[0].startswith("mcp_servers.product_metadata.url:")
    assert "T2T_MCP_PRODUCT_METADATA_URL" in problems[0]


def test_parse_registry_raises_a_configuration_error_listing_all_problems() -> None:
    data = valid()
    data["mcp_servers"]["database"]["transport"] = "stdio"
    data["orchestration"]["fail_fast"] = False
    with pytest.raises(ConfigurationError) as caught:
        parse_registry(data, source="my.yaml")
    assert "my.yaml has 2 problem(s)" in caught.value.message
    assert len(caught.value.context["problems"]) == 2


def test_loads_from_the_path_given_then_mcp_config_path_then_the_default(tmp_path: Path) -> None:
    explicit = tmp_path / "explicit.yaml"
    configured = tmp_path / "configured.yaml"
    explicit.write_text(yaml.safe_dump(valid()))
    data = valid()
    data["mcp_servers"]["database"]["priority"] = 20
    configured.write_text(yaml.safe_dump(data))
    env = {"MCP_CONFIG_PATH": str(configured)}

    assert resolve_registry_path(None, {}) == Path("mcp_config.yaml")
    assert resolve_registry_path(None, env) == configured
    assert resolve_registry_path(explicit, env) == explicit
    assert load_registry(None, env).mcp_servers["database"].priority == 20
    assert load_registry(explicit, env).mcp_servers["database"].priority == 10


def test_a_missing_file_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="MCP_CONFIG_PATH"):
        load_registry(tmp_path / "absent.yaml")


def test_invalid_yaml_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("mcp_servers: [unclosed\n")
    with pytest.raises(ConfigurationError, match="not valid YAML"):
        load_registry(path)


def test_a_registry_cannot_be_built_in_code_with_duplicate_priorities() -> None:
    data = valid()
    data["mcp_servers"]["product_metadata"]["priority"] = 10
    with pytest.raises(ValueError, match="already used by database"):
        Registry.model_validate(data)
