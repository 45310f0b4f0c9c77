"""A question typed into the real UI is answered with live progress, the number or rows, a chart, the SQL,
the explanation and the resolved entities: Chromium against the real API, MCP servers and scripted LLM."""

from __future__ import annotations

import copy
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.ui import ask, screenshot, settled
from tests.support.scripted_llm import ScriptedLLMServer
from tests.support.scripts import ABRACADABRA_SQL, FULL_YEAR, MONTHLY_SALES_SQL, SALES_BY_CATEGORY_SQL, standard_rules

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    """The test's own oracle: the sample database opened read-only."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)  # noqa: TID251 - the test's own oracle
    try:
        return list(connection.execute(sql).fetchall())
    finally:
        connection.close()


def money(value: float) -> str:
    """How the UI shows a fractional amount in en-US: digit-grouped, two decimals."""
    return f"{value:,.2f}"


def js_number(value: float) -> str:
    """A number as JavaScript writes it (the CSV holds the raw values): 422727.0 is "422727". The sample data's
    dates move with today, so some days a category's revenue is a whole number."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


@pytest.fixture
def slow_abracadabra(llm: ScriptedLLMServer) -> Iterator[None]:
    """The model takes 1.5 s over this question, long enough for a person (and the test) to watch the progress."""
    rules = standard_rules()
    rule = next(r for r in rules if r["match"] == "abracadabra")
    rule["responses"] = [{**copy.deepcopy(rule["responses"][0]), "delay_ms": 1500}]
    llm.llm.set_script(rules)
    yield
    llm.llm.set_script(standard_rules())


@pytest.mark.usefixtures("slow_abracadabra")
def test_a_typed_question_shows_progress_then_the_number_sql_explanation_and_entity_chip(
    page: Page, sample_db: Path
) -> None:
    ((total,),) = query(sample_db, ABRACADABRA_SQL)
    page.goto("/")
    expect(page.get_by_test_id("examples")).to_be_visible()
    # On a laptop the server panel is always beside the chat: no button to open it.
    expect(page.get_by_test_id("server-panel")).to_be_visible()
    expect(page.get_by_role("button", name="Servers")).to_be_hidden()

    turn = ask(page, "total sales of abracadabra")

    progress = turn.get_by_test_id("progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("data-stage", "generating")
    expect(progress.get_by_role("listitem").filter(has_text="Writing SQL")).to_have_attribute("aria-current", "step")
    expect(page.get_by_role("button", name="Answering…")).to_be_disabled()
    # The elapsed time ticks while the model writes, with no new event from the server.
    timer = progress.get_by_role("timer")
    expect(timer).to_have_text(re.compile(r"^\d+(\.\d)? m?s$"))
    expect(timer).not_to_have_text(timer.inner_text())
    expect(progress).to_have_attribute("data-stage", "generating")

    settled(turn, "answered")
    expect(progress).to_have_count(0)
    answer = turn.get_by_test_id("answer")
    value = answer.get_by_test_id("single-value")
    expect(value).to_contain_text("total sales")
    expect(value).to_contain_text(money(total))
    expect(answer.get_by_test_id("explanation")).to_have_text("Adds up the sales of Magic Wand Pro.")
    chips = answer.get_by_role("region", name="Resolved entities")
    chip = chips.get_by_role("listitem", name="abracadabra means Magic Wand Pro, from Product Metadata MCP")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text(re.compile(r"abracadabra\s*→\s*Magic Wand Pro"))
    sql = answer.get_by_test_id("sql-code")
    expect(sql).to_be_visible()
    expect(sql).to_contain_text("SUM(s.total_amount)")
    expect(sql).to_contain_text("'Magic Wand Pro'")
    expect(answer.get_by_test_id("answer-meta")).to_contain_text("1 row")
    expect(page.get_by_test_id("announcer")).to_have_text("Answer ready: 1 row.")
    # Keyboard flow: the box is empty and focused again for the next question.
    expect(page.get_by_role("textbox", name="Your question")).to_be_focused()
    expect(page.get_by_role("textbox", name="Your question")).to_have_value("")
    screenshot(page, "answer-abracadabra")

    answer.get_by_role("button", name="Hide SQL").click()
    expect(sql).to_be_hidden()
    answer.get_by_role("button", name="Show SQL").click()
    expect(sql).to_be_visible()


def test_sales_by_category_is_a_bar_chart_beside_a_sortable_table_with_a_csv_download(
    page: Page, sample_db: Path
) -> None:
    rows = query(sample_db, SALES_BY_CATEGORY_SQL)
    page.goto("/")
    turn = settled(ask(page, "sales by category please"), "answered")

    table = turn.get_by_test_id("result-table")
    chart = turn.get_by_test_id("result-chart")
    expect(turn.get_by_role("tab", name="Both")).to_have_attribute("aria-selected", "true")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("data-chart-type", "bar")
    for category, _ in rows:  # every row is a bar, labelled on the axis
        expect(chart.locator("svg text", has_text=category)).to_have_count(1)
    expect(table.get_by_role("row")).to_have_count(len(rows) + 1)
    first = table.get_by_role("row").nth(1).get_by_role("cell")
    expect(first).to_have_text([rows[0][0], money(rows[0][1])])
    screenshot(page, "chart-sales-by-category")

    turn.get_by_role("tab", name="Table").click()
    expect(chart).to_have_count(0)
    expect(table).to_be_visible()
    turn.get_by_role("tab", name="Chart").click()
    expect(table).to_have_count(0)
    expect(chart).to_be_visible()
    turn.get_by_role("tab", name="Both").click()
    expect(table).to_be_visible()
    expect(chart).to_be_visible()

    header = table.get_by_role("columnheader", name="category")
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    names = table.get_by_role("row").locator("td:first-child")
    expect(names).to_have_text(sorted(name for name, _ in rows))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(names).to_have_text(sorted((name for name, _ in rows), reverse=True))
    revenue = table.get_by_role("columnheader", name="revenue")
    revenue.get_by_role("button").click()
    expect(revenue).to_have_attribute("aria-sort", "ascending")
    expect(table.get_by_role("row").locator("td:nth-child(2)")).to_have_text(
        [money(amount) for amount in sorted(amount for _, amount in rows)]
    )

    with page.expect_download() as started:
        turn.get_by_role("button", name="Download CSV").click()
    download = started.value
    assert download.suggested_filename == "sales-by-category-please.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheet programs then read the file as UTF-8
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[0] == "category,revenue"
    assert lines[1:] == [f"{name},{js_number(amount)}" for name, amount in rows] + [""]  # raw values, SQL order, CRLF


def test_monthly_sales_is_a_line_chart_over_the_months(page: Page, sample_db: Path) -> None:
    rows = query(sample_db, MONTHLY_SALES_SQL)
    page.goto("/")
    turn = settled(ask(page, "monthly sales last year"), "answered")

    chart = turn.get_by_test_id("result-chart")
    expect(chart).to_be_visible()
    expect(chart).to_have_attribute("data-chart-type", "line")
    expect(chart).to_contain_text("Line chart of revenue by month")
    expect(chart.locator(".recharts-line-curve")).to_have_count(1)
    table = turn.get_by_test_id("result-table")
    expect(table.get_by_role("row")).to_have_count(len(rows) + 1)
    # Months read as dates, not as codes: 2025-01 is "Jan 2025".
    expect(table.get_by_role("row").nth(1).get_by_role("cell")).to_have_text([f"Jan {FULL_YEAR}", money(rows[0][1])])
    expect(table.get_by_role("row").nth(12).get_by_role("cell").first).to_have_text(f"Dec {FULL_YEAR}")
    screenshot(page, "chart-monthly-sales")
