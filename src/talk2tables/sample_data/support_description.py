"""The business description of the sample support desk, written as Markdown the user can edit.

Its Database MCP serves this file as `database://metadata` (`db-server --description`), reading it
again on every request.
"""

from __future__ import annotations

from pathlib import Path

from talk2tables.sample_data.description import write_description
from talk2tables.sample_data.generator import Period, sample_period

_DESCRIPTION = """\
# Sample support desk: business description

The customer support desk of the online shop (the sample store, a separate database). Customers
open tickets about products they ordered; agents answer them. The data covers tickets opened from
{first_day} to {last_day} (yesterday, the day before the data was made). Timestamps are in UTC.

## Tables

- **agents**: the support agents: `full_name`, `email`, `team` (`Tier 1` for shipping and how-to
  questions, `Tier 2` for defects, `Billing` for billing) and `hire_date`.
- **tickets**: one row per support ticket: `opened_at`, `closed_at` (NULL while the ticket is not
  closed), `status`, `priority`, `category`, `channel` (`email`, `chat`, `phone`), `subject`, the
  `agent_id` it is assigned to, and the shop's `customer_id` and `product_id` it is about.
- **satisfaction_ratings**: the customer's rating of a closed ticket, at most one per ticket:
  `score` from 1 (very unhappy) to 5 (very happy) and `rated_at`.

## Business rules

- `status` is `open` (being worked on), `pending` (waiting for the customer's answer) or `closed`.
  "Open tickets" are those with status `open`; "the backlog" is every ticket not closed yet
  (`open` or `pending`, `closed_at IS NULL`).
- `priority` is `low`, `normal`, `high` or `urgent`; `category` is `defect`, `billing`, `shipping`
  or `how-to`.
- "Resolution time" is `closed_at - opened_at` for closed tickets; in SQLite in hours:
  `(julianday(closed_at) - julianday(opened_at)) * 24`.
- "CSAT" (customer satisfaction) is the share of ratings with a score of 4 or 5, in percent:
  `100.0 * AVG(score >= 4)`; "average rating" is `AVG(score)`.
- `customer_id` and `product_id` are the shop database's `customers.customer_id` and
  `products.product_id`: customer names, product names and revenue live there, not here.
- Timestamps are stored as `TIMESTAMP` (in SQLite as `YYYY-MM-DD HH:MM:SS` text, so
  `date(opened_at)` gives the day and `opened_at >= date('now', '-30 days')` filters by date).
"""


def describe_support(period: Period | None = None) -> str:
    """The description of the support desk made for `period` (by default: up to yesterday)."""
    period = period or sample_period()
    return _DESCRIPTION.format(first_day=period.first_day.isoformat(), last_day=period.last_day.isoformat())


def write_support_description(path: Path | str, period: Period | None = None) -> Path:
    """Write the support desk's description to `path` (creating its folder); returns the path."""
    return write_description(path, describe_support(period))
