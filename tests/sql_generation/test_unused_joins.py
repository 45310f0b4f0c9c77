"""Inner joins whose table the query never reads: found in the outermost SELECT, and the query without them."""

from __future__ import annotations

import pytest

from talk2tables.sql_generation.unused_joins import unused_joins
from talk2tables.sql_generation.validator import SQLValidator
from tests.sql_generation.resources import sample_schema

CUSTOMERS_WITH_SALES = "FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id"


@pytest.fixture(params=["sqlite", "postgres"])
def validator(request: pytest.FixtureRequest) -> SQLValidator:
    return SQLValidator(sample_schema(request.param), request.param)


@pytest.mark.parametrize(
    ("sql", "tables", "without"),
    [
        (f"SELECT c.city {CUSTOMERS_WITH_SALES}", ["sales AS s"], "SELECT c.city FROM customers AS c"),
        # an unqualified column is read as the database reads it: city is the customers'
        (
            f"SELECT city, COUNT(*) AS n {CUSTOMERS_WITH_SALES} WHERE c.region = 'West' GROUP BY city ORDER BY n",
            ["sales AS s"],
            "SELECT city, COUNT(*) AS n FROM customers AS c WHERE c.region = 'West' GROUP BY city ORDER BY n",
        ),
        # INNER JOIN written out, and a table joined by its own name
        (
            "SELECT products.category FROM products INNER JOIN sales ON sales.product_id = products.product_id",
            ["sales"],
            "SELECT products.category FROM products",
        ),
        # a chain: once products is gone, nothing reads s either
        (
            f"SELECT c.first_name {CUSTOMERS_WITH_SALES} JOIN products AS p ON p.product_id = s.product_id LIMIT 5",
            ["products AS p", "sales AS s"],
            "SELECT c.first_name FROM customers AS c LIMIT 5",
        ),
        # a link on two columns is still only a link
        (
            f"SELECT c.city {CUSTOMERS_WITH_SALES} AND s.sale_id = c.customer_id",
            ["sales AS s"],
            "SELECT c.city FROM customers AS c",
        ),
        # only the unread one of two goes
        (
            "SELECT s.quantity, c.city FROM sales AS s JOIN customers AS c ON c.customer_id = s.customer_id "
            "JOIN products AS p ON p.product_id = s.product_id",
            ["products AS p"],
            "SELECT s.quantity, c.city FROM sales AS s JOIN customers AS c ON c.customer_id = s.customer_id",
        ),
    ],
)
def test_finds_the_joins_nothing_reads_and_writes_the_query_without_them(
    validator: SQLValidator, sql: str, tables: list[str], without: str
) -> None:
    found = unused_joins(sql, validator)
    assert found is not None
    assert list(found.tables) == tables
    assert found.sql == without
    validator.validate(found.sql)  # what may run instead passes the whole check
    assert found.describe().startswith(f"dropped JOIN {', '.join(tables)}: none of its columns read")


@pytest.mark.parametrize(
    "sql",
    [
        f"SELECT c.city, s.quantity {CUSTOMERS_WITH_SALES}",  # read in the select list
        f"SELECT c.city {CUSTOMERS_WITH_SALES} WHERE s.quantity > 2",  # in WHERE
        f"SELECT c.city {CUSTOMERS_WITH_SALES} GROUP BY c.city ORDER BY SUM(s.total_amount)",  # in ORDER BY
        f"SELECT c.city {CUSTOMERS_WITH_SALES} GROUP BY c.city HAVING MAX(s.quantity) > 2",  # in HAVING
        f"SELECT c.city, quantity {CUSTOMERS_WITH_SALES}",  # unqualified: only sales has quantity
        f"SELECT * {CUSTOMERS_WITH_SALES}",  # every column of both
        f"SELECT c.city {CUSTOMERS_WITH_SALES} JOIN products AS p ON p.product_id = s.product_id "
        "WHERE p.category = 'Books'",  # read only by another join's condition, whose table is read
        f"SELECT c.city {CUSTOMERS_WITH_SALES} WHERE EXISTS (SELECT 1 FROM products AS p "
        "WHERE p.product_id = s.product_id)",  # read inside a subquery
        # an ON that also filters: dropping the join would drop the filter too
        "SELECT c.city FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id AND s.quantity > 2",
        "SELECT c.city FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id AND c.region = 'West'",
        "SELECT c.city FROM customers AS c JOIN sales AS s ON s.customer_id > c.customer_id",
        "SELECT c.city FROM customers AS c JOIN sales AS s ON s.customer_id = s.sale_id",
        "SELECT c.city FROM customers AS c LEFT JOIN sales AS s ON s.customer_id = c.customer_id",  # keeps every row
        "SELECT c.city FROM customers AS c JOIN sales AS s USING (customer_id)",
        "SELECT c.city FROM customers AS c NATURAL JOIN sales AS s",
        "SELECT c.city FROM customers AS c CROSS JOIN sales AS s",
        "SELECT c.city FROM customers AS c JOIN (SELECT customer_id FROM sales) AS s ON s.customer_id = c.customer_id",
        f"SELECT c.city {CUSTOMERS_WITH_SALES} UNION SELECT region FROM sales",  # a set operation
        "SELECT c.city FROM customers AS c",  # no join at all
        "SELECT nope FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id",  # does not resolve
        "SELECT c.city FROM",  # does not parse
    ],
)
def test_leaves_every_other_query_alone(validator: SQLValidator, sql: str) -> None:
    assert unused_joins(sql, validator) is None


def test_reads_aliases_as_the_database_folds_them() -> None:
    validator = SQLValidator(sample_schema("sqlite"), "sqlite")
    # SQLite ignores case: S.quantity is s's column, so the join is read.
    read = "SELECT c.city, S.quantity FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id"
    assert unused_joins(read, validator) is None
    unread = "SELECT C.city FROM customers AS c JOIN sales AS S ON s.customer_id = C.customer_id"
    found = unused_joins(unread, validator)
    assert found is not None
    assert found.sql == "SELECT C.city FROM customers AS c"
