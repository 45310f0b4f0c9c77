"""Fixtures for the Product Metadata MCP tests: a sample metadata file, a sample database, MCP sessions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from talk2tables.sample_data.database import write_sample_database
from talk2tables.sample_data.metadata import build_sample_metadata, write_sample_metadata
from talk2tables.sample_data.support_database import write_support_database
from tests.support.mcp_client import mcp_session, read_json  # noqa: F401 - re-exported for the tests

# The example from docs/ARCHITECTURE.md, verbatim.
ARCHITECTURE_EXAMPLE: dict[str, Any] = {
    "last_updated": "2025-01-15T10:00:00Z",
    "product_aliases": {
        "abracadabra": {
            "canonical_id": "PROD_123",
            "canonical_name": "Magic Wand Pro",
            "aliases": ["abra", "cadabra", "magic_wand"],
            "database_references": {"products.product_name": "Magic Wand Pro", "products.product_id": 123},
            "categories": ["entertainment", "magic"],
        }
    },
    "column_mappings": {
        "user_friendly_terms": {"sales amount": "sales.total_amount"},
        "aggregation_terms": {"total": "SUM", "average": "AVG", "count": "COUNT"},
    },
}


@pytest.fixture
def example() -> dict[str, Any]:
    return json.loads(json.dumps(ARCHITECTURE_EXAMPLE))


@pytest.fixture
def sample() -> dict[str, Any]:
    return build_sample_metadata()


@pytest.fixture
def metadata_file(tmp_path: Path) -> Path:
    return write_sample_metadata(tmp_path / "product_metadata.json")


@pytest.fixture(scope="module")
def sample_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample_database(tmp_path_factory.mktemp("sample-db") / "multi_mcp_test.db")


@pytest.fixture(scope="module")
def support_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_support_database(tmp_path_factory.mktemp("support-db") / "support.db")


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any], Path]:
    def write(data: Any, name: str = "metadata.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write
