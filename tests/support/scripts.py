"""The scripted LLM's standard answers for the sample data: used by API, browser and benchmark runs.

Each rule matches a phrase of the question; the SQL is what a good model would write for it.
"""

from __future__ import annotations

from typing import Any

from talk2tables.sample_data.generator import sample_period
from tests.support.scripted_llm import answer, entity

# The sample data's first year: the one full calendar year it holds (it runs from January 1 of last year).
FULL_YEAR = sample_period().first_day.year

ABRACADABRA_SQL = (
    "SELECT SUM(s.total_amount) AS total_sales FROM sales AS s "
    "JOIN products AS p ON p.product_id = s.product_id WHERE p.product_name = 'Magic Wand Pro'"
)
SALES_BY_CATEGORY_SQL = (
    "SELECT p.category, ROUND(SUM(s.total_amount), 2) AS revenue FROM sales AS s "
    "JOIN products AS p ON p.product_id = s.product_id GROUP BY p.category ORDER BY revenue DESC"
)
MONTHLY_SALES_SQL = (
    "SELECT strftime('%Y-%m', s.sale_date) AS month, ROUND(SUM(s.total_amount), 2) AS revenue "
    f"FROM sales AS s WHERE s.sale_date >= '{FULL_YEAR}-01-01' AND s.sale_date < '{FULL_YEAR + 1}-01-01' "
    "GROUP BY month ORDER BY month"
)
TOP_CUSTOMERS_SQL = (
    "SELECT c.first_name || ' ' || c.last_name AS customer, ROUND(SUM(s.total_amount), 2) AS revenue "
    "FROM sales AS s JOIN customers AS c ON c.customer_id = s.customer_id "
    "GROUP BY c.customer_id ORDER BY revenue DESC LIMIT 5"
)
ALL_SALES_SQL = "SELECT sale_id, sale_date, product_id, quantity, total_amount FROM sales ORDER BY sale_id"
PRODUCT_COUNT_SQL = "SELECT COUNT(*) AS product_count FROM products"

ABRACADABRA = entity("abracadabra", "Magic Wand Pro")


def standard_rules() -> list[dict[str, Any]]:
    """Rules in match order; the last one answers any other question (so fuzzing never hits a 4xx/5xx)."""
    return [
        {"match": "abracadabra", "responses": [answer(ABRACADABRA_SQL, entities=[ABRACADABRA],
                                                      explanation="Adds up the sales of Magic Wand Pro.")]},
        {"match": "sales by category", "responses": [answer(SALES_BY_CATEGORY_SQL,
                                                            explanation="Revenue per product category.")]},
        {"match": "monthly sales", "responses": [answer(MONTHLY_SALES_SQL, explanation=f"By month, {FULL_YEAR}.")]},
        {"match": "top 5 customers", "responses": [answer(TOP_CUSTOMERS_SQL, explanation="The five best customers.")]},
        {"match": "every sale", "responses": [answer(ALL_SALES_SQL, explanation="All sales rows.")]},
        {"match": "needs recovery", "responses": [
            answer("SELECT full_name FROM customers", explanation="first try"),
            answer(PRODUCT_COUNT_SQL, explanation="Counts the products."),
        ]},
        {"match": "never answerable", "responses": [
            answer("SELECT nope FROM products"),
            answer("SELECT nothing FROM nowhere"),
            answer("SELECT missing_column FROM sales"),
        ]},
        {"match": "drop the customers", "responses": [answer("DROP TABLE customers")]},
        {"match": "llm is broken", "responses": [{"status": 500}]},
        {"match": "", "responses": [answer(PRODUCT_COUNT_SQL, explanation="Counts the products.")]},
    ]  # fmt: skip
