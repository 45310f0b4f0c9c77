"""Skips that cannot go unnoticed: a banner on the real terminal, not only a line in the summary."""

from __future__ import annotations

import contextlib
from typing import Any, NoReturn

import pytest

LOUD = " SKIPPED: "


def skip_loudly(config: pytest.Config, what: str, reason: str) -> NoReturn:
    """Skip with a banner (output captured during setup would be thrown away), e.g. what="BROWSER TESTS"."""
    message = f"{what}{LOUD}{reason}"
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        banner(config, reporter, [message])
    pytest.skip(message)


def banner(config: pytest.Config, reporter: Any, messages: list[str]) -> None:
    capture = config.pluginmanager.get_plugin("capturemanager")
    suspended = capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext()
    with suspended:
        reporter.write_line("")
        reporter.write_line("!" * 100, red=True, bold=True)
        for message in messages:
            reporter.write_line(message, red=True, bold=True)
        reporter.write_line("!" * 100, red=True, bold=True)


def repeat_loud_skips(config: pytest.Config, reporter: Any) -> None:
    """Each loud skip's message once more at the end of the run. Under pytest-xdist the banner above was written
    by a worker, whose terminal nobody sees; the main process gets every skipped test's report, reason included."""
    messages = []
    for report in reporter.stats.get("skipped", []):
        longrepr = getattr(report, "longrepr", None)
        reason = str(longrepr[2]) if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = reason.removeprefix("Skipped: ")
        if LOUD in reason and reason not in messages:
            messages.append(reason)
    if messages:
        banner(config, reporter, messages)
