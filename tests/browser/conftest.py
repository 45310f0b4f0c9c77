"""Fixtures for the browser tests: the built UI, Debian's Chromium through Playwright, the served app.

The system under the browser is the one the API tests use (tests/api/conftest.py): real MCP server
processes, the scripted LLM, the real API over HTTP; here it also serves frontend/dist at `/`.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.api.conftest import ApiFactory, llm, servers, start_api  # noqa: F401 - shared fixtures, not copies
from tests.support.processes import REPO_ROOT
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.skips import skip_loudly
from tests.support.system import InProcessApi, McpServers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
UI_DIST = REPO_ROOT / "frontend" / "dist"
LAPTOP = {"width": 1280, "height": 900}
# Generous bounds for a shared 2-core machine; expect() returns as soon as the page is right.
EXPECT_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def chromium(request: pytest.FixtureRequest) -> Path:
    """Debian's Chromium; `make test` installs it (scripts/install-system-deps.sh), so only a bare machine skips."""
    if not CHROMIUM.is_file():
        skip_loudly(
            request.config,
            "BROWSER TESTS",
            f"{CHROMIUM} is not installed: run `make test` (or `bash scripts/install-system-deps.sh`) to install it",
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def ui_dist(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """frontend/dist, built now when missing or older than its sources (the script decides, fast when fresh).

    One build at a time: under pytest-xdist each worker asks, and a second `npm run build` would empty dist/ while
    the first worker's page loads it. The lock lives in the run's temporary folder, which all workers share."""
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.fail(
            "Node.js and npm are needed to build the web UI (frontend/dist) for the browser tests: "
            "install Node.js 20.19 or newer, then run `bash scripts/build-frontend.sh`",
            pytrace=False,
        )
    lock = tmp_path_factory.getbasetemp().parent / "frontend-build.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # released when the file closes
        build = subprocess.run(
            ["bash", str(REPO_ROOT / "scripts" / "build-frontend.sh")],
            capture_output=True, text=True, timeout=900, check=False,
        )  # fmt: skip
    if build.returncode != 0:
        pytest.fail(
            f"scripts/build-frontend.sh failed with exit code {build.returncode}:\n{build.stdout[-3000:]}\n"
            f"{build.stderr[-3000:]}",
            pytrace=False,
        )
    assert (UI_DIST / "index.html").is_file(), "scripts/build-frontend.sh succeeded but wrote no dist/index.html"
    return UI_DIST


@pytest.fixture(scope="module")
def playwright_driver(chromium: Path) -> Iterator[Playwright]:
    # Module scope, not session: while the sync API runs it keeps an event loop set as running in this thread,
    # and every asyncio test collected after the browser tests would fail with "Runner.run() cannot be called
    # from a running event loop".
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright_driver: Playwright, chromium: Path) -> Iterator[Browser]:
    """One Chromium per test module (a fresh temporary profile); each test gets its own context."""
    launched = playwright_driver.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def ui_api(servers: McpServers, llm: ScriptedLLMServer, start_api: ApiFactory, ui_dist: Path) -> InProcessApi:  # noqa: F811
    """The module's API with the built UI at `/` (asked for after the servers, so it stops before them)."""
    return start_api(servers, llm, ui_dist_dir=ui_dist)


def open_page(browser: Browser, base_url: str, **context_options: object) -> Iterator[Page]:
    """A page in a fresh context (its own localStorage) with a fixed locale, time zone and theme.

    Uncaught exceptions in the page fail the test: the user must never meet a broken script.
    """
    options: dict[str, object] = {
        "base_url": base_url, "viewport": LAPTOP, "locale": "en-US", "timezone_id": "UTC",
        "color_scheme": "light", "reduced_motion": "reduce", "accept_downloads": True,
    }  # fmt: skip
    options.update(context_options)
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{error.name}: {error.message}"))
    try:
        yield page
    finally:
        context.close()
    assert errors == [], f"the page threw: {errors}"


@pytest.fixture
def page(browser: Browser, ui_api: InProcessApi) -> Iterator[Page]:
    yield from open_page(browser, ui_api.url)
