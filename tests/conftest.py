"""Fixtures shared across the test packages (each block added by the component that needs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

# A throw-away PostgreSQL cluster (session-scoped; skips loudly when it truly cannot start).
from tests.support.postgres import postgres_sample, postgres_server  # noqa: F401


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data (database, product metadata, description) written once per session. Do not modify."""
    from talk2tables.sample_data.writer import write_sample_data

    out = tmp_path_factory.mktemp("sample-data")
    write_sample_data(out)
    return out


@pytest.fixture(scope="session")
def sample_db(sample_data_dir: Path) -> Path:
    """The session's sample SQLite database file (read-only use; copy it before changing anything)."""
    return sample_data_dir / "multi_mcp_test.db"
