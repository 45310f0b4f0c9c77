"""What the browser keeps between visits (the API token, the conversation, the theme), and the phone layout."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.conftest import ApiFactory
from tests.browser.conftest import open_page
from tests.browser.ui import ask, body_overflow, screenshot, settled
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.system import InProcessApi, McpServers

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

TOKEN = "browser-s3cret-token"
PHONE = {"width": 390, "height": 844}


def test_the_api_token_is_asked_for_once_then_sent_and_kept_across_a_reload(
    browser: Browser, start_api: ApiFactory, servers: McpServers, llm: ScriptedLLMServer, ui_dist: Path
) -> None:
    api = start_api(servers, llm, ui_dist_dir=ui_dist, api_token=TOKEN)
    for page in open_page(browser, api.url):
        page.goto("/")
        dialog = page.get_by_role("dialog", name="API token needed")
        expect(dialog).to_be_visible()  # the server list needs the token, so the page asks at once
        expect(dialog).to_contain_text("T2T_API_TOKEN")
        field = dialog.get_by_label("API token")
        expect(field).to_be_focused()
        screenshot(page, "token-prompt")
        field.fill(TOKEN)
        dialog.get_by_role("button", name="Save token").click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_role("listitem", name="Database MCP: reachable")).to_be_visible()

        turn = settled(ask(page, "total sales of abracadabra"), "answered")
        expect(turn.get_by_test_id("single-value")).to_be_visible()
        expect(page.get_by_role("button", name="Forget token")).to_be_visible()

        page.reload()
        expect(page.get_by_role("listitem", name="Database MCP: reachable")).to_be_visible()
        expect(page.get_by_role("dialog")).to_have_count(0)
        turn = settled(ask(page, "sales by category please"), "answered")
        expect(turn.get_by_test_id("result-table")).to_be_visible()


def test_the_conversation_survives_a_reload_until_it_is_cleared(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_test_id("examples")).to_be_visible()
    settled(ask(page, "total sales of abracadabra"), "answered")
    settled(ask(page, "sales by category please"), "answered")

    page.reload()
    turns = page.get_by_test_id("turn")
    expect(turns).to_have_count(2)
    expect(turns.nth(0)).to_have_attribute("aria-label", "Question: total sales of abracadabra")
    expect(turns.nth(0).get_by_test_id("single-value")).to_be_visible()
    expect(turns.nth(1)).to_have_attribute("data-state", "answered")
    expect(turns.nth(1).get_by_test_id("result-table").get_by_role("row")).to_have_count(7)

    page.get_by_role("button", name="Clear conversation").click()
    expect(turns).to_have_count(0)
    expect(page.get_by_test_id("examples")).to_be_visible()
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    page.reload()
    expect(page.get_by_test_id("examples")).to_be_visible()
    expect(turns).to_have_count(0)


def test_an_example_question_is_asked_with_one_click(page: Page) -> None:
    page.goto("/")
    page.get_by_test_id("examples").get_by_role("button", name="What are the sales by category?").click()
    turn = settled(page.get_by_role("article", name="Question: What are the sales by category?"), "answered")
    expect(turn.get_by_test_id("result-chart")).to_have_attribute("data-chart-type", "bar")


def test_the_theme_toggle_switches_between_light_and_dark_and_is_remembered(page: Page) -> None:
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")  # follows the system (light in this context)
    light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    turn = settled(ask(page, "sales by category please"), "answered")
    expect(turn.get_by_test_id("result-chart")).to_be_visible()

    page.get_by_role("button", name="Switch to dark theme").click()
    expect(html).to_have_attribute("data-theme", "dark")
    dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark_background != light_background
    screenshot(page, "dark-theme")

    page.reload()
    expect(html).to_have_attribute("data-theme", "dark")
    page.get_by_role("button", name="Switch to light theme").click()
    expect(html).to_have_attribute("data-theme", "light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == light_background


def test_on_a_phone_the_answer_fits_the_screen_without_sideways_scrolling(
    browser: Browser, ui_api: InProcessApi
) -> None:
    for page in open_page(browser, ui_api.url, viewport=PHONE, is_mobile=True, has_touch=True):
        page.goto("/")
        settled(ask(page, "total sales of abracadabra"), "answered")
        turn = settled(ask(page, "sales by category please"), "answered")

        table = turn.get_by_test_id("result-table")
        chart = turn.get_by_test_id("result-chart")
        expect(table).to_be_visible()
        expect(chart).to_be_visible()
        for element in (table, chart):  # both within the screen's width, not cut at either side
            box = element.bounding_box()
            assert box is not None
            assert box["x"] >= 0
            assert box["x"] + box["width"] <= PHONE["width"]
        scroll_width, inner_width = body_overflow(page)
        assert scroll_width <= inner_width, f"the page scrolls sideways: {scroll_width}px wide in {inner_width}px"
        chart.evaluate("element => element.scrollIntoView({block: 'center'})")
        screenshot(page, "phone-answer", full_page=False)  # what the phone's screen shows

        # The server panel is behind the Servers button on a phone.
        panel = page.get_by_test_id("server-panel")
        expect(panel).to_be_hidden()
        servers_button = page.get_by_role("button", name="Servers")
        servers_button.click()
        expect(panel.get_by_role("listitem", name="Database MCP: reachable")).to_be_visible()
        assert body_overflow(page)[0] <= inner_width
        servers_button.click()
        expect(panel).to_be_hidden()
