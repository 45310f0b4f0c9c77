"""Skips that cannot go unnoticed: a banner on the real terminal, not only a line in the summary."""

from __future__ import annotations

import contextlib
from typing import NoReturn

import pytest


def skip_loudly(config: pytest.Config, what: str, reason: str) -> NoReturn:
    """Skip with a banner (output captured during setup would be thrown away), e.g. what="BROWSER TESTS"."""
    message = f"{what} SKIPPED: {reason}"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None:
        suspended = capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()
        with suspended:
            reporter.write_line("")
            reporter.write_line("!" * 100, red=True, bold=True)
            reporter.write_line(message, red=True, bold=True)
            reporter.write_line("!" * 100, red=True, bold=True)
    pytest.skip(message)
