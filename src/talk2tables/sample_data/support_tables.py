"""The sample support desk's tables (SQLAlchemy Core): a second database, beside the shop's.

`customer_id` and `product_id` hold the shop's ids, but no foreign key says so: the two live in
different databases, and only a query that spans both can join them.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, MetaData, String, Table
from sqlalchemy.dialects import sqlite

# Timestamps to the second: SQLite stores them as `YYYY-MM-DD HH:MM:SS` text (no microseconds), so
# julianday(), strftime() and comparisons with date('now', ...) all read them directly.
Timestamp = DateTime().with_variant(
    sqlite.DATETIME(  # type: ignore[no-untyped-call]  # the dialect type has no annotations
        storage_format="%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d",
        regexp=r"(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)",
    ),
    "sqlite",
)

metadata = MetaData()

agents = Table(
    "agents",
    metadata,
    Column("agent_id", Integer, primary_key=True, autoincrement=False),
    Column("full_name", String(80), nullable=False),
    Column("email", String(120), nullable=False, unique=True),
    Column("team", String(30), nullable=False),
    Column("hire_date", Date, nullable=False),
)

tickets = Table(
    "tickets",
    metadata,
    Column("ticket_id", Integer, primary_key=True, autoincrement=False),
    Column("customer_id", Integer, nullable=False),  # the shop's customers.customer_id
    Column("product_id", Integer, nullable=False),  # the shop's products.product_id
    Column("agent_id", Integer, ForeignKey("agents.agent_id"), nullable=False),
    Column("opened_at", Timestamp, nullable=False),
    Column("closed_at", Timestamp, nullable=True),  # NULL while the ticket is open or pending
    Column("status", String(10), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("category", String(20), nullable=False),
    Column("channel", String(10), nullable=False),
    Column("subject", String(160), nullable=False),
)

satisfaction_ratings = Table(
    "satisfaction_ratings",
    metadata,
    Column("rating_id", Integer, primary_key=True, autoincrement=False),
    Column("ticket_id", Integer, ForeignKey("tickets.ticket_id"), nullable=False, unique=True),
    Column("rated_at", Timestamp, nullable=False),
    Column("score", Integer, nullable=False),  # 1 (very unhappy) to 5 (very happy)
)

# Insert order: every table after the tables it references.
SUPPORT_TABLES: tuple[Table, ...] = (agents, tickets, satisfaction_ratings)
