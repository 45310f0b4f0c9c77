"""Deterministic rows for the sample support desk, grown out of the sample shop's own orders.

Every ticket is about a product a customer really ordered, opened some days after the order, so
`customer_id` and `product_id` join to the shop database (same seed and last day, same ids). The
desk runs over the shop's `Period`: tickets opened near its last day, and the few escalated ones,
are still open or pending, so "open tickets" and "the backlog" always have rows.
"""

from __future__ import annotations

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from talk2tables.sample_data.generator import SEED, Period, Row, SampleData, generate

# Share of orders that lead to a ticket, and of tickets escalated (they stay open for weeks).
TICKET_RATE = 0.15
ESCALATION_RATE = 0.3
RATING_RATE = 0.55

# (agent_id, full name, team, hired this fraction into the period; None: before it began)
AGENTS: tuple[tuple[int, str, str, float | None], ...] = (
    (1, "Maya Brennan", "Tier 1", None),
    (2, "Tomás Herrera", "Tier 1", None),
    (3, "Aisha Okafor", "Tier 1", None),
    (4, "Ken Watanabe", "Tier 1", 0.3),
    (5, "Lena Fischer", "Tier 1", 0.55),
    (6, "Rahul Mehta", "Tier 2", None),
    (7, "Grace Lindqvist", "Tier 2", None),
    (8, "Diego Alvarez", "Tier 2", 0.45),
    (9, "Sarah O'Neill", "Billing", None),
    (10, "Chen Jing", "Billing", 0.25),
)
TEAM_BY_CATEGORY = {"defect": "Tier 2", "billing": "Billing", "shipping": "Tier 1", "how-to": "Tier 1"}

# Days from the order to the ticket, per category: (fewest, most).
OPENING_DELAY = {"shipping": (2, 12), "defect": (3, 45), "how-to": (0, 10), "billing": (0, 20)}
PRIORITIES = (("low", 25), ("normal", 45), ("high", 20), ("urgent", 10))
# Mean hours to resolve a ticket that is not escalated.
MEAN_HOURS = {"urgent": 8.0, "high": 36.0, "normal": 96.0, "low": 168.0}
CHANNELS = (("email", 50), ("chat", 30), ("phone", 20))

SUBJECTS: dict[str, tuple[str, ...]] = {
    "defect": ("{product} stopped working", "{product} arrived damaged", "{product} is faulty"),
    "shipping": ("Where is my {product}?", "{product} not delivered yet", "Wrong item sent instead of {product}"),
    "billing": ("Charged twice for {product}", "Refund for {product} not received", "Invoice needed for {product}"),
    "how-to": ("How do I set up my {product}?", "Question about using {product}", "Care instructions for {product}"),
}


@dataclass
class SupportData:
    """Every row of the sample support desk, table by table (keys are column names)."""

    period: Period
    agents: list[Row] = field(default_factory=list)
    tickets: list[Row] = field(default_factory=list)
    satisfaction_ratings: list[Row] = field(default_factory=list)

    def by_table(self) -> dict[str, list[Row]]:
        return {"agents": self.agents, "tickets": self.tickets, "satisfaction_ratings": self.satisfaction_ratings}


def generate_support(seed: int = SEED, *, period: Period | None = None, shop: SampleData | None = None) -> SupportData:
    """Build the support desk from one seed; `shop` (else the shop made from the same seed and period) supplies
    the customers, orders and products the tickets are about."""
    shop = shop or generate(seed, period=period)
    rng = random.Random(f"support-desk:{seed}")  # noqa: S311 - reproducible sample data, not security
    data = SupportData(period=shop.period, agents=_agents(shop.period))
    _tickets(rng, shop, data)
    return data


def _agents(period: Period) -> list[Row]:
    rows: list[Row] = []
    for agent_id, name, team, hired in AGENTS:
        start = period.first_day - timedelta(days=400 + 97 * agent_id) if hired is None else _into(period, hired)
        handle = unicodedata.normalize("NFKD", name.split()[0].lower()).encode("ascii", "ignore").decode()
        rows.append(
            {
                "agent_id": agent_id,
                "full_name": name,
                "email": f"{handle}.{agent_id}@support.example.com",
                "team": team,
                "hire_date": start,
            }
        )
    return rows


def _into(period: Period, fraction: float) -> date:
    return period.first_day + timedelta(days=int(period.days * fraction))


def _tickets(rng: random.Random, shop: SampleData, data: SupportData) -> None:
    items: dict[int, list[Row]] = defaultdict(list)
    for item in shop.order_items:
        items[item["order_id"]].append(item)
    names = {p["product_id"]: p["product_name"] for p in shop.products}
    opened: list[tuple[datetime, Row, int, str]] = []
    for order in shop.orders:
        if rng.random() >= TICKET_RATE:
            continue
        product_id = rng.choice(items[order["order_id"]])["product_id"]
        category = _category(rng, order["status"])
        fewest, most = OPENING_DELAY[category]
        day = order["order_date"] + timedelta(days=rng.randint(fewest, most))
        if day > shop.period.last_day:
            continue
        at = datetime.combine(day, time(rng.randint(7, 21), rng.randrange(60), rng.randrange(60)))
        opened.append((at, order, product_id, category))
    # Ticket numbers follow the order tickets were opened in, as a real desk's do.
    opened.sort(key=lambda entry: (entry[0], entry[1]["order_id"]))
    for at, order, product_id, category in opened:
        data.tickets.append(_ticket(rng, data, len(data.tickets) + 1, at, order, product_id, category, names))
        _maybe_rating(rng, data, data.tickets[-1])


def _ticket(
    rng: random.Random,
    data: SupportData,
    ticket_id: int,
    at: datetime,
    order: Row,
    product_id: int,
    category: str,
    names: dict[int, str],
) -> Row:
    priority = _weighted(rng, PRIORITIES)
    hours = rng.expovariate(1 / MEAN_HOURS[priority]) + 0.25
    if rng.random() < ESCALATION_RATE:
        hours += 24 * rng.uniform(14, 120)
    solved = at + timedelta(seconds=round(hours * 3600))
    closed: datetime | None = solved
    status = "closed"
    if solved >= datetime.combine(data.period.last_day + timedelta(days=1), time()):
        # Not solved by the end of the data: being worked on, or waiting for the customer's answer.
        closed, status = None, "open" if rng.random() < 0.7 else "pending"
    return {
        "ticket_id": ticket_id,
        "customer_id": order["customer_id"],
        "product_id": product_id,
        "agent_id": _agent(rng, data.agents, TEAM_BY_CATEGORY[category], at.date()),
        "opened_at": at,
        "closed_at": closed,
        "status": status,
        "priority": priority,
        "category": category,
        "channel": "phone" if priority == "urgent" and rng.random() < 0.5 else _weighted(rng, CHANNELS),
        "subject": rng.choice(SUBJECTS[category]).format(product=names[product_id]),
    }


def _category(rng: random.Random, order_status: str) -> str:
    if order_status == "returned":
        return _weighted(rng, (("defect", 70), ("billing", 30)))
    if order_status == "cancelled":
        return "billing"
    return _weighted(rng, (("defect", 30), ("shipping", 28), ("how-to", 27), ("billing", 15)))


def _agent(rng: random.Random, agents: list[Row], team: str, day: date) -> int:
    working = [a["agent_id"] for a in agents if a["team"] == team and a["hire_date"] <= day]
    return int(rng.choice(working))


def _maybe_rating(rng: random.Random, data: SupportData, ticket: Row) -> None:
    closed = ticket["closed_at"]
    if closed is None or rng.random() >= RATING_RATE:
        return
    rated = closed + timedelta(minutes=rng.randint(5, 72 * 60))
    if rated.date() > data.period.last_day:
        return
    days_open = (closed - ticket["opened_at"]).total_seconds() / 86400
    # Quick answers please; week-long waits do not.
    weights = (2, 3, 10, 35, 50) if days_open < 2 else (5, 8, 20, 37, 30) if days_open < 10 else (20, 25, 25, 20, 10)
    data.satisfaction_ratings.append(
        {
            "rating_id": len(data.satisfaction_ratings) + 1,
            "ticket_id": ticket["ticket_id"],
            "rated_at": rated,
            "score": rng.choices((1, 2, 3, 4, 5), weights)[0],
        }
    )


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in options], [weight for _, weight in options])[0]
