"""Deterministic rows for the sample store: the same seed and last day always give the same rows.

The data is dated relative to the day it is made: orders run from January 1 of last year to
yesterday (`Period`), so "this year", "last month" and "last year" always have rows. They come
with growth, seasonality (a busy November and December), weekend peaks, promotions,
cancellations and returns, so aggregates, date filters, joins and top-N questions all have
something to find. `T2T_SAMPLE_LAST_DAY` (YYYY-MM-DD) pins the last day for reproducible data.
"""

from __future__ import annotations

import math
import os
import random
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from talk2tables.errors import ConfigurationError
from talk2tables.sample_data.catalog import CATALOG

SEED = 20240101
CUSTOMER_COUNT = 600
LAST_DAY_ENV = "T2T_SAMPLE_LAST_DAY"

Row = dict[str, Any]

# (region, country, cities, weight): where customers live.
GEOGRAPHY: tuple[tuple[str, str, tuple[str, ...], int], ...] = (
    ("North America", "United States", ("New York", "Chicago", "Austin", "Seattle", "San Francisco", "Boston"), 30),
    ("North America", "Canada", ("Toronto", "Vancouver", "Montreal"), 8),
    ("Europe", "United Kingdom", ("London", "Manchester", "Edinburgh"), 10),
    ("Europe", "Germany", ("Berlin", "Munich", "Hamburg"), 9),
    ("Europe", "France", ("Paris", "Lyon", "Marseille"), 7),
    ("Europe", "Spain", ("Madrid", "Barcelona", "Valencia"), 5),
    ("Europe", "Netherlands", ("Amsterdam", "Rotterdam"), 4),
    ("Asia Pacific", "Japan", ("Tokyo", "Osaka"), 6),
    ("Asia Pacific", "Australia", ("Sydney", "Melbourne", "Brisbane"), 6),
    ("Asia Pacific", "India", ("Bengaluru", "Mumbai", "Delhi"), 5),
    ("Asia Pacific", "Singapore", ("Singapore",), 3),
    ("Latin America", "Brazil", ("São Paulo", "Rio de Janeiro"), 4),
    ("Latin America", "Mexico", ("Mexico City", "Guadalajara", "Monterrey"), 3),
)

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "Lucas", "Mia", "Mateo",
    "Amelia", "Ethan", "Harper", "James", "Evelyn", "Benjamin", "Aria", "Leo", "Chloe", "Henry", "Layla", "Sebastian",
    "Zoe", "Jack", "Nora", "Daniel", "Hannah", "Samuel", "Lily", "David", "Priya", "Arjun", "Yuki", "Haruto", "Sofia",
    "Lukas", "Emilia", "Felix", "Camille", "Hugo", "Lucía", "Pablo", "Ana", "Gabriel", "Fatima", "Omar", "Mei", "Wei",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lopez",
    "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
    "Lewis", "Walker", "Young", "King", "Wright", "Scott", "Müller", "Schmidt", "Dubois", "Moreau", "Rossi", "Silva",
    "Santos", "Tanaka", "Suzuki", "Sato", "Patel", "Sharma", "Kumar", "Chen", "Wang", "Nguyen", "Kim", "Park",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "mail.example.org", "inbox.example.net")
SEGMENTS = (("Consumer", 80), ("Small Business", 15), ("Corporate", 5))
PAYMENT_METHODS = (("credit_card", 60), ("paypal", 25), ("gift_card", 8), ("bank_transfer", 7))

# Relative popularity per product (the magic shop's flagship sells best); unlisted products weigh 1.0.
POPULARITY: dict[int, float] = {123: 3.0, 131: 2.5, 140: 2.0, 160: 2.0, 170: 1.8, 151: 1.5, 130: 0.6, 150: 0.7}
# Products launched during the period, at this fraction of it; everything else was on sale from the first day.
LAUNCHES: dict[int, float] = {130: 0.2, 171: 0.35, 162: 0.6}
COST_RATIO = {"Electronics": 0.72, "Books": 0.45, "Toys": 0.5, "Sports": 0.55, "Home & Kitchen": 0.6}
MONTH_FACTOR = (0.8, 0.85, 0.95, 1.0, 1.0, 0.9, 0.9, 0.95, 1.0, 1.05, 1.4, 1.8)


@dataclass(frozen=True)
class Period:
    """The days the sample store has orders for: January 1 of the year before `last_day`, to `last_day`."""

    last_day: date

    @property
    def first_day(self) -> date:
        return date(self.last_day.year - 1, 1, 1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def launch_day(self, product_id: int) -> date:
        """The day a product went on sale: a fraction into the period, or before it began."""
        if product_id in LAUNCHES:
            return self.first_day + timedelta(days=int(self.days * LAUNCHES[product_id]))
        return self.first_day - timedelta(days=214)


def sample_period(last_day: date | None = None) -> Period:
    """The period ending on `last_day`, else on `T2T_SAMPLE_LAST_DAY`, else yesterday."""
    if last_day is None:
        pinned = os.environ.get(LAST_DAY_ENV, "").strip()
        try:
            last_day = date.fromisoformat(pinned) if pinned else date.today() - timedelta(days=1)
        except ValueError:
            raise ConfigurationError(f"{LAST_DAY_ENV}={pinned!r} is not a date: use YYYY-MM-DD.") from None
    return Period(last_day)


@dataclass
class SampleData:
    """Every row of the sample store, table by table (keys are column names)."""

    period: Period
    customers: list[Row] = field(default_factory=list)
    products: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    order_items: list[Row] = field(default_factory=list)
    sales: list[Row] = field(default_factory=list)

    def by_table(self) -> dict[str, list[Row]]:
        return {
            "customers": self.customers,
            "products": self.products,
            "orders": self.orders,
            "order_items": self.order_items,
            "sales": self.sales,
        }


def generate(seed: int = SEED, *, period: Period | None = None) -> SampleData:
    """Build the whole sample store from one seed, for `period` (by default: up to yesterday)."""
    period = period or sample_period()
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    data = SampleData(period=period, products=_products(period), customers=_customers(rng, period))
    _orders(rng, data)
    return data


def _products(period: Period) -> list[Row]:
    return [
        {
            "product_id": p.product_id,
            "product_name": p.name,
            "category": p.category,
            "price": p.price,
            "unit_cost": round(p.price * COST_RATIO.get(p.category, 0.5), 2),
            "launch_date": period.launch_day(p.product_id),
        }
        for p in CATALOG
    ]


def _customers(rng: random.Random, period: Period) -> list[Row]:
    places = [(region, country, cities) for region, country, cities, _ in GEOGRAPHY]
    weights = [w for *_, w in GEOGRAPHY]
    first_signup = date(period.first_day.year - 1, 1, 1)
    signup_span = (period.last_day - timedelta(days=45) - first_signup).days
    rows: list[Row] = []
    for customer_id in range(1, CUSTOMER_COUNT + 1):
        region, country, cities = rng.choices(places, weights)[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        # Earlier sign-ups are more common: the shop had a base of customers before the period.
        signup = first_signup + timedelta(days=int(signup_span * rng.random() ** 1.6))
        rows.append(
            {
                "customer_id": customer_id,
                "first_name": first,
                "last_name": last,
                "email": f"{_ascii(first)}.{_ascii(last)}{customer_id}@{rng.choice(EMAIL_DOMAINS)}".lower(),
                "city": rng.choice(cities),
                "country": country,
                "region": region,
                "segment": _weighted(rng, SEGMENTS),
                "signup_date": signup,
            }
        )
    return rows


def _orders(rng: random.Random, data: SampleData) -> None:
    by_signup = sorted(data.customers, key=lambda c: c["signup_date"])
    signup_days = [c["signup_date"] for c in by_signup]
    products, period = data.products, data.period
    day = period.first_day
    while day <= period.last_day:
        eligible = bisect_right(signup_days, day)
        growth = 1.0 + 0.35 * (day - period.first_day).days / 730
        weekend = 1.2 if day.weekday() >= 5 else 1.0
        expected = 5.2 * growth * weekend * MONTH_FACTOR[day.month - 1]
        for _ in range(_poisson(rng, expected)):
            if eligible:
                _one_order(rng, data, by_signup[rng.randrange(eligible)], day, products)
        day += timedelta(days=1)


def _one_order(rng: random.Random, data: SampleData, customer: Row, day: date, products: list[Row]) -> None:
    order_id = len(data.orders) + 1
    on_sale = [p for p in products if p["launch_date"] <= day]
    weights = [POPULARITY.get(p["product_id"], 1.0) for p in on_sale]
    picked: dict[int, Row] = {}
    for _ in range(rng.choices((1, 2, 3, 4), (55, 28, 12, 5))[0]):
        product = rng.choices(on_sale, weights)[0]
        picked[product["product_id"]] = product
    status = _status(rng, day, data.period.last_day)
    discount = _discount(rng, day)
    total = 0.0
    for product in picked.values():
        quantity = rng.choices((1, 2, 3), (78, 17, 5))[0]
        line_total = round(quantity * product["price"] * (1 - discount), 2)
        total += line_total
        item_id = len(data.order_items) + 1
        data.order_items.append(
            {
                "order_item_id": item_id,
                "order_id": order_id,
                "product_id": product["product_id"],
                "quantity": quantity,
                "unit_price": product["price"],
                "discount": discount,
                "line_total": line_total,
            }
        )
        if status in ("completed", "shipped"):
            data.sales.append(
                {
                    "sale_id": len(data.sales) + 1,
                    "order_id": order_id,
                    "product_id": product["product_id"],
                    "customer_id": customer["customer_id"],
                    "sale_date": day,
                    "quantity": quantity,
                    "unit_price": product["price"],
                    "discount": discount,
                    "total_amount": line_total,
                    "region": customer["region"],
                }
            )
    data.orders.append(
        {
            "order_id": order_id,
            "customer_id": customer["customer_id"],
            "order_date": day,
            "status": status,
            "payment_method": _weighted(rng, PAYMENT_METHODS),
            "total_amount": round(total, 2),
        }
    )


def _status(rng: random.Random, day: date, last_day: date) -> str:
    roll = rng.random()
    if roll < 0.05:
        return "cancelled"
    if roll < 0.085:
        return "returned"
    # Orders from the last ten days are still on their way.
    return "shipped" if (last_day - day).days < 10 else "completed"


def _discount(rng: random.Random, day: date) -> float:
    """Black Friday week and a summer sale take 15% and 10% off; otherwise a rare 5% coupon."""
    if day.month == 11 and 22 <= day.day <= 30:
        return 0.15
    if day.month == 7 and day.day <= 14:
        return 0.10
    return 0.05 if rng.random() < 0.06 else 0.0


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: exact and fast enough for means below ~20.
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in options], [weight for _, weight in options])[0]


def _ascii(name: str) -> str:
    """E-mail addresses stay ASCII: "Müller" becomes "muller"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().replace(" ", "")
