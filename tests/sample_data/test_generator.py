"""The generated sample store: deterministic, consistent, and rich enough for real questions."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from talk2tables.sample_data.catalog import CATALOG
from talk2tables.sample_data.generator import FIRST_DAY, LAST_DAY, LAUNCHES, SampleData, generate


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
    assert len(data.customers) >= 500
    assert len(data.orders) >= 3000
    assert len(data.order_items) >= 5000
    assert len(data.sales) >= 5000


def test_covers_two_full_years_with_sales_every_month(data: SampleData) -> None:
    days = [sale["sale_date"] for sale in data.sales]
    assert (min(days), max(days)) == (FIRST_DAY, LAST_DAY)
    assert (min(days), max(days)) == (date(2024, 1, 1), date(2025, 12, 31))
    assert len({(d.year, d.month) for d in days}) == 24


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
    for product_id, launched in LAUNCHES.items():
        first_sale = min(s["sale_date"] for s in data.sales if s["product_id"] == product_id)
        assert first_sale >= launched


def test_customers_have_unique_ascii_emails_and_real_places(data: SampleData) -> None:
    emails = [c["email"] for c in data.customers]
    assert len(set(emails)) == len(emails)
    assert all(email.isascii() and "@" in email for email in emails)
    assert {c["region"] for c in data.customers} == {"North America", "Europe", "Asia Pacific", "Latin America"}
    assert len({c["country"] for c in data.customers}) >= 10


def test_revenue_grows_and_peaks_in_december(data: SampleData) -> None:
    by_year: Counter[int] = Counter()
    by_month: Counter[int] = Counter()
    for sale in data.sales:
        by_year[sale["sale_date"].year] += sale["total_amount"]
        by_month[sale["sale_date"].month] += sale["total_amount"]
    assert by_year[2025] > by_year[2024]
    assert by_month.most_common(1)[0][0] == 12


def test_the_flagship_product_sells_more_units_than_any_other(data: SampleData) -> None:
    units: Counter[int] = Counter()
    for sale in data.sales:
        units[sale["product_id"]] += sale["quantity"]
    assert units.most_common(1)[0][0] == 123  # Magic Wand Pro
