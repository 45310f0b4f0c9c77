"""The business description of the sample store, written as Markdown the user can edit.

The Database MCP serves this file as `database://metadata`, reading it again on every request,
so edits reach the LLM without restarting anything.
"""

from __future__ import annotations

from pathlib import Path

from talk2tables.sample_data.generator import Period, sample_period

_DESCRIPTION = """\
# Sample store: business description

An online shop selling magic props, electronics, sports gear, kitchenware, books and toys to
customers in North America, Europe, Asia Pacific and Latin America. All amounts are in US
dollars. The data covers every day from {first_day} to {last_day} (yesterday, the day before the data
was made).

## Tables

- **customers**: one row per customer: name, e-mail, city, country, `region` (North America,
  Europe, Asia Pacific, Latin America), `segment` (Consumer, Small Business, Corporate) and
  `signup_date`.
- **products**: the catalog: `product_name`, `category` (Entertainment, Electronics, Sports,
  Home & Kitchen, Books, Toys), list `price`, `unit_cost` and `launch_date`. Some products
  launched during the period and have no sales before their launch date.
- **orders**: one row per order placed: `order_date`, `status`, `payment_method` and
  `total_amount` (the sum of the order's line totals, after discounts).
- **order_items**: the lines of each order: `quantity`, `unit_price`, `discount` (a fraction,
  0.15 = 15% off) and `line_total`.
- **sales**: one row per item of every order that was paid for and kept. Use this table for
  revenue: `total_amount` is the money received for the line, `sale_date` is the order date
  and `region` is the customer's region.

## Business rules

- Order `status` is one of `completed`, `shipped` (orders of the last ten days, still in
  transit), `cancelled` or `returned`. Cancelled and returned orders are in `orders` and
  `order_items` but not in `sales`.
- "Revenue" or "sales amount" means `SUM(sales.total_amount)`; "units sold" means
  `SUM(sales.quantity)`. Gross margin per line is `total_amount - quantity * unit_cost`.
- Promotions: 15% off during Black Friday week (22-30 November) and 10% off during the summer
  sale (1-14 July); a few other orders used a 5% coupon.
- Dates are stored as `DATE` (in SQLite as `YYYY-MM-DD` text, so `strftime('%Y', sale_date)`
  extracts the year there).

## Example queries

Questions asked before, with the SQL that answered them right:

- "How many Cozy Cloud Blankets did we sell in Europe?"
  `SELECT SUM(s.quantity) FROM sales s JOIN products p ON p.product_id = s.product_id
  WHERE p.product_name = 'Cozy Cloud Blanket' AND s.region = 'Europe'`
- "Which customers bought the Barista Espresso Machine?"
  `SELECT DISTINCT c.first_name, c.last_name, c.email FROM sales s
  JOIN customers c ON c.customer_id = s.customer_id JOIN products p ON p.product_id = s.product_id
  WHERE p.product_name = 'Barista Espresso Machine'`
- "Gross margin per product"
  `SELECT p.product_name, SUM(s.total_amount - s.quantity * p.unit_cost) AS gross_margin
  FROM sales s JOIN products p ON p.product_id = s.product_id GROUP BY p.product_name`
- "Average line total of cancelled orders" (cancelled orders are not sales: their lines are in
  `order_items`)
  `SELECT AVG(oi.line_total) FROM order_items oi JOIN orders o ON o.order_id = oi.order_id
  WHERE o.status = 'cancelled'`
"""


def describe(period: Period | None = None) -> str:
    """The description of the sample store made for `period` (by default: up to yesterday)."""
    period = period or sample_period()
    return _DESCRIPTION.format(first_day=period.first_day.isoformat(), last_day=period.last_day.isoformat())


def write_database_description(path: Path | str, period: Period | None = None) -> Path:
    """Write the sample store's description to `path` (creating its folder); returns the path."""
    return write_description(path, describe(period))


def write_description(path: Path | str, text: str) -> Path:
    """Write a business description to `path`, creating its folder; returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
