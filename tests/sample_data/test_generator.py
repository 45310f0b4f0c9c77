"""The generated sample store: deterministic, consistent, and rich enough for real questions."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from talk2tables.errors import ConfigurationError
from talk2tables.sample_data.catalog import CATALOG
from talk2tables.sample_data.generator import LAUNCHES, Period, SampleData, generate, sample_period


@pytest.fixture(scope="module")
def data() -> SampleData:
    return generate()


def test_the_same_seed_gives_the_same_rows(data: SampleData) -> None:
    assert generate().by_table() == data.by_table()


def test_another_seed_gives_other_rows(data: SampleData) -> None:
    assert generate(seed=7).sales != data.sales


def test_products_are_exactly_the_catalog(data: SampleData) -> None:
    assert len(data.products) >= 15
    assert [(p["product_id"], p["product_name"], p["category"], p["price"]) for p in data.products] == [
        (c.product_id, c.name, c.category, c.price) for c in CATALOG
    ]
    assert all(0 < p["unit_cost"] < p["price"] for p in data.products)


def test_has_thousands_of_rows_in_every_fact_table(data: SampleData) -> None:
    # The shortest period (made on January 2) is one year and a day.
    assert len(data.customers) >= 500
    assert len(data.orders) >= 2000 * data.period.days / 366
    assert len(data.order_items) >= 3000 * data.period.days / 366
    assert len(data.sales) >= 3000 * data.period.days / 366


def test_runs_from_january_of_last_year_to_yesterday_with_sales_every_month(data: SampleData) -> None:
    yesterday = date.today() - timedelta(days=1)
    assert data.period == sample_period() == Period(yesterday)  # tests/conftest.py pins the same yesterday
    days = [sale["sale_date"] for sale in data.sales]
    assert (min(days), max(days)) == (date(yesterday.year - 1, 1, 1), yesterday)
    assert len({(d.year, d.month) for d in days}) == 12 + yesterday.month


@pytest.mark.parametrize("last_day", [date(2027, 1, 1), date(2026, 3, 1), date(2030, 12, 31)])
def test_any_last_day_gives_this_year_last_month_and_last_year_rows(last_day: date) -> None:
    data = generate(period=Period(last_day))
    days = {sale["sale_date"] for sale in data.sales}
    assert max(days) == last_day
    assert min(days) == date(last_day.year - 1, 1, 1)
    last_month = (last_day.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert any(d.year == last_day.year for d in days)
    assert any((d.year, d.month) == (last_month.year, last_month.month) for d in days)
    assert len({(d.year, d.month) for d in days if d.year == last_day.year - 1}) == 12
    assert all(p["launch_date"] <= last_day for p in data.products)


def test_the_last_day_can_be_pinned_and_a_bad_one_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T2T_SAMPLE_LAST_DAY", "2026-02-28")
    assert sample_period() == Period(date(2026, 2, 28))
    assert sample_period(date(2020, 5, 5)).first_day == date(2019, 1, 1)
    monkeypatch.setenv("T2T_SAMPLE_LAST_DAY", "yesterday")
    with pytest.raises(ConfigurationError, match="T2T_SAMPLE_LAST_DAY='yesterday' is not a date"):
        sample_period()


def test_order_totals_are_the_sum_of_their_lines(data: SampleData) -> None:
    lines: Counter[int] = Counter()
    for item in data.order_items:
        assert item["line_total"] == round(item["quantity"] * item["unit_price"] * (1 - item["discount"]), 2)
        lines[item["order_id"]] += item["line_total"]
    for order in data.orders:
        assert order["total_amount"] == pytest.approx(lines[order["order_id"]], abs=0.011)


def test_sales_are_the_kept_lines_of_paid_orders(data: SampleData) -> None:
    status = {o["order_id"]: o["status"] for o in data.orders}
    kept = [i for i in data.order_items if status[i["order_id"]] in ("completed", "shipped")]
    assert [(s["order_id"], s["product_id"], s["total_amount"]) for s in data.sales] == [
        (i["order_id"], i["product_id"], i["line_total"]) for i in kept
    ]
    assert set(status.values()) == {"completed", "shipped", "cancelled", "returned"}


def test_every_reference_points_at_an_existing_row(data: SampleData) -> None:
    customers = {c["customer_id"]: c for c in data.customers}
    products = {p["product_id"] for p in data.products}
    orders = {o["order_id"]: o for o in data.orders}
    assert all(o["customer_id"] in customers for o in data.orders)
    assert all(i["order_id"] in orders and i["product_id"] in products for i in data.order_items)
    for sale in data.sales:
        order = orders[sale["order_id"]]
        assert (sale["customer_id"], sale["sale_date"]) == (order["customer_id"], order["order_date"])
        assert sale["region"] == customers[sale["customer_id"]]["region"]


def test_customers_order_only_after_signing_up(data: SampleData) -> None:
    signup = {c["customer_id"]: c["signup_date"] for c in data.customers}
    assert all(o["order_date"] >= signup[o["customer_id"]] for o in data.orders)


def test_products_sell_only_after_their_launch(data: SampleData) -> None:
    launched = {p["product_id"]: p["launch_date"] for p in data.products}
    for product_id in LAUNCHES:
        assert data.period.first_day < launched[product_id] < data.period.last_day
        first_sale = min(s["sale_date"] for s in data.sales if s["product_id"] == product_id)
        assert first_sale >= launched[product_id]


def test_customers_have_unique_ascii_emails_and_real_places(data: SampleData) -> None:
    emails = [c["email"] for c in data.customers]
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() and "@" in email for email in emails)
    assert {c["region"] for c in data.customers} == {"North America", "Europe", "Asia Pacific", "Latin America"}
    assert len({c["country"] for c in data.customers}) >= 10


def test_revenue_grows_and_peaks_in_december(data: SampleData) -> None:
    first_year = data.period.first_day.year
    by_month: Counter[tuple[int, int]] = Counter()
    for sale in data.sales:
        by_month[sale["sale_date"].year, sale["sale_date"].month] += sale["total_amount"]
    assert max(range(1, 13), key=lambda month: by_month[first_year, month]) == 12
    # Whole months of this year before the holiday season (yesterday's month may be partial).
    this_year = [m for year, m in by_month if year == first_year + 1 and m < min(11, data.period.last_day.month)]
    assert sum(by_month[first_year + 1, m] for m in this_year) > sum(by_month[first_year, m] for m in this_year)


def test_the_flagship_product_sells_more_units_than_any_other(data: SampleData) -> None:
    units: Counter[int] = Counter()
    for sale in data.sales:
        units[sale["product_id"]] += sale["quantity"]
    assert units.most_common(1)[0][0] == 123  # Magic Wand Pro
