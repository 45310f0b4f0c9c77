"""Fixtures for the Product Metadata MCP tests: a sample metadata file, a sample database, MCP sessions."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession
from mcp.client.sse import sse_client

from talk2tables.sample_data.database import write_sample_database
from talk2tables.sample_data.metadata import build_sample_metadata, write_sample_metadata

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


@pytest.fixture
def write_json(tmp_path: Path) -> Callable[[Any], Path]:
    def write(data: Any, name: str = "metadata.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write


@asynccontextmanager
async def mcp_session(sse_url: str, *, token: str | None = None) -> AsyncIterator[ClientSession]:
    """A real MCP client session over SSE, initialised; bounded so a broken server fails the test quickly."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with (
        sse_client(sse_url, headers=headers, timeout=10, sse_read_timeout=30) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


async def read_json(session: ClientSession, uri: str) -> Any:
    result = await session.read_resource(uri)
    assert len(result.contents) == 1
    content = result.contents[0]
    assert content.mime_type == "application/json"
    return json.loads(content.text)  # type: ignore[union-attr]
