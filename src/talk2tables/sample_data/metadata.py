"""The packaged sample product metadata, built from the same CATALOG as the sample database.

Every `database_references` value exists in the shop database written by `talk2tables.sample_data.database`;
every `table.column` named in a column mapping exists in the database of the server `term_servers` ties the term
to (`database`: the shop, `support`: the support desk); tests keep them in step.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from talk2tables.sample_data.catalog import CATALOG

LAST_UPDATED = "2025-01-15T10:00:00Z"

# What people say → the column, or a hint for the SQL, in the sample shop database (the `database` server).
SHOP_TERMS: dict[str, str] = {
    "sales amount": "sales.total_amount",
    "revenue": "sales.total_amount",
    "total sales": "SUM(sales.total_amount)",
    "units sold": "SUM(sales.quantity)",
    "quantity": "sales.quantity",
    "discount": "sales.discount",
    "profit": "sales.total_amount - products.unit_cost * sales.quantity (join products on product_id)",
    "sale date": "sales.sale_date",
    "region": "sales.region",
    "order count": "COUNT(DISTINCT orders.order_id)",
    "order date": "orders.order_date",
    "order status": "orders.status",
    "order total": "orders.total_amount",
    "payment method": "orders.payment_method",
    "customer name": "customers.first_name || ' ' || customers.last_name",
    "customer email": "customers.email",
    "customer region": "customers.region",
    "customer segment": "customers.segment",
    "city": "customers.city",
    "country": "customers.country",
    "signup date": "customers.signup_date",
    "product name": "products.product_name",
    "category": "products.category",
    "price": "products.price",
    "unit cost": "products.unit_cost",
    "launch date": "products.launch_date",
    "line total": "order_items.line_total",
}

# Words about dates: they apply to either database, so no server is named for them.
DATE_TERMS: dict[str, str] = {
    "today": "the current date (SQLite: date('now'); PostgreSQL: CURRENT_DATE)",
    "this month": "sales.sale_date within the current calendar month",
    "last month": "sales.sale_date within the previous calendar month",
    "this quarter": "sales.sale_date within the current calendar quarter",
    "last quarter": "sales.sale_date within the previous calendar quarter",
    "this year": "sales.sale_date within the current calendar year",
    "last year": "sales.sale_date within the previous calendar year",
    "year to date": "sales.sale_date from January 1 of the current year up to today",
}

# What people say about the support desk → its columns (the `support` server's database).
SUPPORT_TERMS: dict[str, str] = {
    "ticket": "tickets.ticket_id",
    "open tickets": "tickets.status = 'open'",
    "pending tickets": "tickets.status = 'pending' (waiting for the customer)",
    "backlog": "tickets.closed_at IS NULL (tickets.status open or pending)",
    "ticket status": "tickets.status",
    "urgent": "tickets.priority = 'urgent'",
    "ticket priority": "tickets.priority",
    "ticket category": "tickets.category",
    "support channel": "tickets.channel",
    "opened date": "tickets.opened_at",
    "closed date": "tickets.closed_at",
    "resolution time": "tickets.closed_at - tickets.opened_at, closed tickets only "
    "(SQLite, in hours: (julianday(tickets.closed_at) - julianday(tickets.opened_at)) * 24)",
    "agent": "agents.full_name",
    "support team": "agents.team",
    "CSAT": "100.0 * AVG(satisfaction_ratings.score >= 4) (percent of ratings of 4 or 5)",
    "satisfaction score": "satisfaction_ratings.score",
}

DATABASE_SERVER = "database"
SUPPORT_SERVER = "support"
USER_FRIENDLY_TERMS: dict[str, str] = {**SHOP_TERMS, **DATE_TERMS, **SUPPORT_TERMS}
# Each term about one database's data → the registry key of the server that holds it.
TERM_SERVERS: dict[str, str] = dict.fromkeys(SHOP_TERMS, DATABASE_SERVER) | dict.fromkeys(SUPPORT_TERMS, SUPPORT_SERVER)

AGGREGATION_TERMS: dict[str, str] = {
    "total": "SUM",
    "sum": "SUM",
    "average": "AVG",
    "mean": "AVG",
    "count": "COUNT",
    "number of": "COUNT",
    "how many": "COUNT",
    "maximum": "MAX",
    "highest": "MAX",
    "minimum": "MIN",
    "lowest": "MIN",
    "distinct": "COUNT DISTINCT",
}


def build_sample_metadata() -> dict[str, Any]:
    """The sample metadata file's content, as JSON-ready data."""
    return {
        "last_updated": LAST_UPDATED,
        "product_aliases": {
            product.alias_key: {
                "canonical_id": f"PROD_{product.product_id}",
                "canonical_name": product.name,
                "aliases": list(product.aliases),
                "database_references": {
                    "products.product_name": product.name,
                    "products.product_id": product.product_id,
                },
                "categories": list(product.tags),
            }
            for product in CATALOG
        },
        "column_mappings": {
            "user_friendly_terms": dict(USER_FRIENDLY_TERMS),
            "aggregation_terms": dict(AGGREGATION_TERMS),
            "term_servers": dict(TERM_SERVERS),
        },
    }


def write_sample_metadata(path: Path | str) -> Path:
    """Write the sample metadata to `path` atomically (a reader never sees half a file)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build_sample_metadata(), indent=2, ensure_ascii=False) + "\n"
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp_name, 0o644)  # mkstemp makes it private; the file is ordinary shared config
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target
