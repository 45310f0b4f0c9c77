"""The support desk's rows: reproducible, about the shop's own customers and products, inside the shop's period."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest

from talk2tables.sample_data.generator import Period, SampleData, generate
from talk2tables.sample_data.support_generator import TEAM_BY_CATEGORY, SupportData, generate_support

LAST_DAY = date(2026, 3, 14)


@pytest.fixture(scope="module")
def shop() -> SampleData:
    return generate(period=Period(LAST_DAY))


@pytest.fixture(scope="module")
def desk(shop: SampleData) -> SupportData:
    return generate_support(shop=shop)


def end_of(period: Period) -> datetime:
    """The first moment after the sample's last day."""
    return datetime.combine(period.last_day + timedelta(days=1), time())


def test_the_same_seed_and_last_day_give_the_same_rows(desk: SupportData) -> None:
    again = generate_support(period=Period(LAST_DAY))
    assert again.by_table() == desk.by_table()
    other = generate_support(seed=7, period=Period(LAST_DAY))
    assert other.tickets != desk.tickets


def test_tickets_are_about_products_the_customer_ordered_before_opening_it(shop: SampleData, desk: SupportData) -> None:
    customers = {c["customer_id"] for c in shop.customers}
    products = {p["product_id"] for p in shop.products}
    orders = {o["order_id"]: o for o in shop.orders}
    bought: dict[tuple[int, int], date] = {}
    for item in shop.order_items:
        order = orders[item["order_id"]]
        key = (order["customer_id"], item["product_id"])
        bought[key] = min(bought.get(key, order["order_date"]), order["order_date"])
    assert len(desk.tickets) > 200
    for ticket in desk.tickets:
        assert ticket["customer_id"] in customers
        assert ticket["product_id"] in products
        first_order = bought[(ticket["customer_id"], ticket["product_id"])]
        assert first_order <= ticket["opened_at"].date(), ticket


def test_every_date_lies_within_the_shops_period(desk: SupportData) -> None:
    period, end = desk.period, end_of(desk.period)
    for ticket in desk.tickets:
        assert period.first_day <= ticket["opened_at"].date() <= period.last_day
        if ticket["closed_at"] is not None:
            assert ticket["opened_at"] < ticket["closed_at"] < end
    tickets = {t["ticket_id"]: t for t in desk.tickets}
    for rating in desk.satisfaction_ratings:
        assert tickets[rating["ticket_id"]]["closed_at"] < rating["rated_at"] < end
    assert [t["opened_at"] for t in desk.tickets] == sorted(t["opened_at"] for t in desk.tickets)


def test_status_and_closed_at_agree_and_the_values_are_the_documented_ones(desk: SupportData) -> None:
    for ticket in desk.tickets:
        assert (ticket["status"] == "closed") == (ticket["closed_at"] is not None)
    assert {t["status"] for t in desk.tickets} == {"open", "pending", "closed"}
    assert {t["priority"] for t in desk.tickets} == {"low", "normal", "high", "urgent"}
    assert {t["category"] for t in desk.tickets} == {"defect", "billing", "shipping", "how-to"}
    assert {t["channel"] for t in desk.tickets} == {"email", "chat", "phone"}
    assert all(1 <= r["score"] <= 5 for r in desk.satisfaction_ratings)
    assert len({r["ticket_id"] for r in desk.satisfaction_ratings}) == len(desk.satisfaction_ratings)


def test_agents_of_the_right_team_work_tickets_only_once_hired(desk: SupportData) -> None:
    agents = {a["agent_id"]: a for a in desk.agents}
    for ticket in desk.tickets:
        agent = agents[ticket["agent_id"]]
        assert agent["team"] == TEAM_BY_CATEGORY[ticket["category"]]
        assert agent["hire_date"] <= ticket["opened_at"].date()
    assert len({a["email"] for a in desk.agents}) == len(desk.agents)


@pytest.mark.parametrize("last_day", [date(2025, 9, 13), date(2026, 1, 1), date(2026, 7, 1), LAST_DAY])
def test_open_tickets_exist_for_several_products_whatever_the_last_day(last_day: date) -> None:
    desk = generate_support(period=Period(last_day))
    open_tickets = [t for t in desk.tickets if t["status"] == "open"]
    assert len({t["product_id"] for t in open_tickets}) >= 3
    assert any(t["status"] == "pending" for t in desk.tickets)
    recent = [t for t in desk.tickets if t["opened_at"].date() > last_day - timedelta(days=30)]
    assert Counter(t["status"] for t in recent)["closed"] >= 1
