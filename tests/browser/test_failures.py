"""Failures explained in the real UI: a stopped MCP server, a question that cannot be answered, no LLM.

This module has its own MCP servers (it stops one), so other modules' servers are never disturbed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import ApiFactory
from tests.browser.conftest import open_page
from tests.browser.ui import ask, screenshot, settled
from tests.support.system import McpServers

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# No stack trace ever reaches the user: neither Python's nor JavaScript's.
STACK_TRACE = re.compile(r"Traceback|File \".*\", line \d+|at \S+ \(.*:\d+:\d+\)")


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory, sample_data_dir: Path) -> Iterator[McpServers]:
    """This module's own servers, with short deadlines so a stopped one fails fast."""
    running = McpServers(
        tmp_path_factory.mktemp("browser-failures"), sample_data_dir,
        timeouts={"connect_seconds": 3, "resource_seconds": 3, "tool_seconds": 10},
    ).start()  # fmt: skip
    yield running
    running.stop()


@pytest.fixture
def metadata_restarted(servers: McpServers) -> Iterator[McpServers]:
    """The test stops the Product Metadata MCP; whatever happens, it runs again afterwards."""
    yield servers
    process = servers.metadata.process
    if process is None or process.poll() is not None:
        servers.metadata.start()


def assert_explained(page: Page) -> None:
    """Not a blank screen and not a stack trace: the question box is still there for the next try."""
    expect(page.get_by_role("textbox", name="Your question")).to_be_enabled()
    assert not STACK_TRACE.search(page.locator("body").inner_text())


def test_a_stopped_server_is_named_with_what_to_do_and_the_next_question_works_once_it_is_back(
    page: Page, metadata_restarted: McpServers
) -> None:
    servers = metadata_restarted
    page.goto("/")
    panel = page.get_by_test_id("server-panel")
    metadata_card = panel.get_by_role("listitem", name="Product Metadata MCP: reachable")
    expect(metadata_card).to_be_visible()
    expect(panel.get_by_role("listitem", name="Database MCP: reachable")).to_be_visible()

    servers.metadata.stop()
    turn = settled(ask(page, "total sales of abracadabra"), "failed")

    failure = turn.get_by_role("alert")
    expect(failure).to_have_attribute("data-error-type", re.compile(r"^(MCPConnectionError|ResourceFetchError)$"))
    expect(failure.get_by_role("heading", level=3)).to_have_text("The Product Metadata MCP server is not reachable")
    expect(failure.get_by_test_id("failed-server")).to_have_text("Product Metadata MCP")
    expect(failure).to_contain_text("What to do")
    expect(failure).to_contain_text("talk2tables up")
    expect(failure).to_contain_text("mcp_config.yaml")
    # The panel refreshes after a failed answer and shows the server down, the other one up.
    down = panel.get_by_role("listitem", name="Product Metadata MCP: not reachable")
    expect(down).to_be_visible()
    expect(page.get_by_test_id("server-product_metadata")).to_have_attribute("data-reachable", "false")
    expect(page.get_by_test_id("server-database")).to_have_attribute("data-reachable", "true")
    expect(panel).to_contain_text("1 of 2 servers not reachable")
    assert_explained(page)
    screenshot(page, "failure-server-down")

    servers.metadata.start()
    panel.get_by_role("button", name="Refresh server status").click()
    expect(metadata_card).to_be_visible()
    turn = settled(ask(page, "total sales of abracadabra again"), "answered")
    expect(turn.get_by_test_id("single-value")).to_be_visible()
    expect(turn.get_by_role("listitem", name=re.compile("^abracadabra means Magic Wand Pro"))).to_be_visible()


def test_an_unanswerable_question_shows_each_of_the_three_attempts_and_its_error(page: Page) -> None:
    page.goto("/")
    turn = settled(ask(page, "a never answerable question"), "failed")

    failure = turn.get_by_role("alert")
    expect(failure).to_have_attribute("data-error-type", "QueryNotAnsweredError")
    expect(failure.get_by_role("heading", level=3)).to_have_text("The question could not be answered after 3 attempts")
    attempts = failure.get_by_test_id("attempt")
    expect(attempts).to_have_count(3)
    for index, word in enumerate(["nope", "nowhere", "missing_column"]):
        expect(attempts.nth(index)).to_contain_text(f"Attempt {index + 1} of 3: ")
        expect(attempts.nth(index)).to_contain_text(word)  # each attempt's own error names what was wrong
        sql = attempts.nth(index).get_by_test_id("sql-code")
        expect(sql).to_be_hidden()  # folded: the errors come first
        attempts.nth(index).get_by_role("button", name=f"Show SQL of attempt {index + 1}").click()
        expect(sql).to_contain_text(word)
    expect(page.get_by_test_id("announcer")).to_contain_text("Could not answer")
    assert_explained(page)
    screenshot(page, "failure-three-attempts")


def test_without_a_language_model_the_ui_says_to_set_t2t_llm_model(
    browser: Browser, start_api: ApiFactory, servers: McpServers, ui_dist: Path
) -> None:
    api = start_api(servers, None, ui_dist_dir=ui_dist)
    for page in open_page(browser, api.url):
        page.goto("/")
        llm_status = page.get_by_test_id("llm-status")
        expect(llm_status).to_have_attribute("data-configured", "false")
        expect(llm_status).to_contain_text("T2T_LLM_MODEL")

        turn = settled(ask(page, "total sales of abracadabra"), "failed")
        failure = turn.get_by_role("alert")
        expect(failure).to_have_attribute("data-error-type", "LLMNotConfiguredError")
        expect(failure.get_by_role("heading", level=3)).to_have_text("No language model is configured")
        expect(failure).to_contain_text("T2T_LLM_MODEL")
        expect(failure).to_contain_text("talk2tables up")
        assert_explained(page)
        screenshot(page, "failure-no-llm")
