"""Fixtures shared across the test packages (each block added by the component that needs it)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import structlog

# A throw-away PostgreSQL cluster (session-scoped; skips loudly when it truly cannot start).
from tests.support.postgres import postgres_sample, postgres_server, postgres_support_desk  # noqa: F401
from tests.support.skips import repeat_loud_skips

LOCAL_MODEL_OPTION = "--local-model"

# The sample data ends yesterday; the whole session (and every server it starts) agrees on which
# yesterday, even when the run crosses midnight.
os.environ.setdefault("T2T_SAMPLE_LAST_DAY", (date.today() - timedelta(days=1)).isoformat())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        LOCAL_MODEL_OPTION,
        action="store_true",
        help="run only the checks with the real bundled model (make test-local); without it they are left out, "
        "since a 1.5B model's speed on a loaded CPU is not a pass/fail fact",
    )


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    repeat_loud_skips(config, terminalreporter)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`make test` leaves the real-model checks out; `make test-local` runs them, alone."""
    wanted = bool(config.getoption(LOCAL_MODEL_OPTION))
    selected = [item for item in items if ("localmodel" in item.keywords) == wanted]
    deselected = [item for item in items if ("localmodel" in item.keywords) != wanted]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample data (shop and support desk databases, their descriptions, product metadata) written once per
    session. Do not modify."""
    from talk2tables.sample_data.writer import write_sample_data

    out = tmp_path_factory.mktemp("sample-data")
    write_sample_data(out)
    return out


@pytest.fixture(scope="session")
def sample_db(sample_data_dir: Path) -> Path:
    """The session's sample SQLite database file (read-only use; copy it before changing anything)."""
    return sample_data_dir / "multi_mcp_test.db"


@pytest.fixture(scope="session")
def sample_support_db(sample_data_dir: Path) -> Path:
    """The session's sample support desk SQLite database, made with the shop's seed and last day (read-only use)."""
    return sample_data_dir / "support.db"


@pytest.fixture(autouse=True)
def logging_left_as_found() -> Iterator[None]:
    """A test that configures logging (tests/test_logging.py ends at WARNING; an in-process CLI command may set
    CRITICAL) must not hand that level on: a later test's capture_logs would see no info event. Which tests share a
    process depends on how pytest-xdist deals the files out, so every test puts structlog and the standard
    library's loggers back the way it found them."""
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    structlog.configure(**config)
    root.handlers[:] = handlers
    root.setLevel(level)
    for name in list(logging.root.manager.loggerDict):  # a logger made during the test goes back to NOTSET
        logging.getLogger(name).setLevel(levels.get(name, logging.NOTSET))
