"""The SQL guard on its own: what it lets through and what it refuses, per dialect."""

from __future__ import annotations

import pytest
from sqlglot import exp

from talk2tables.errors import UnsafeQueryError
from talk2tables.sql_guard.guard import (
    ALLOWED_PG_FUNCTIONS,
    DENIED_FUNCTIONS,
    DENIED_PREFIXES,
    DENIED_RELATIONS,
    check_read_only,
)
from tests.database_mcp.helpers import REFUSED_EVERYWHERE, REFUSED_POSTGRES, REFUSED_SQLITE

ALLOWED_EVERYWHERE = [
    "SELECT 1",
    "SELECT 1;",
    "select * from sales",
    "SELECT region, SUM(total_amount) AS revenue FROM sales GROUP BY region ORDER BY revenue DESC LIMIT 5",
    "WITH top AS (SELECT product_id, SUM(quantity) AS units FROM sales GROUP BY product_id) "
    "SELECT p.product_name, t.units FROM top t JOIN products p ON p.product_id = t.product_id",
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) SELECT SUM(x) FROM n",
    "SELECT product_id FROM sales UNION SELECT product_id FROM order_items",
    "SELECT product_id FROM sales INTERSECT SELECT product_id FROM order_items",
    "SELECT product_id FROM products EXCEPT SELECT product_id FROM sales",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "SELECT customer_id, RANK() OVER (ORDER BY SUM(total_amount) DESC) FROM sales GROUP BY customer_id",
    "SELECT CASE WHEN total_amount > 100 THEN 'big' ELSE 'small' END FROM sales",
    "SELECT * FROM customers WHERE email LIKE '%@example.com' AND first_name = 'O''Brien'",
    "SELECT * FROM sales /* ; DROP TABLE sales */ WHERE sale_id = 1",
    "SELECT ';DROP TABLE sales;' AS harmless",
    "SELECT * FROM sales -- ; DELETE FROM sales",
    "SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM orders WHERE status = 'completed') AS c",
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
@pytest.mark.parametrize("sql", ALLOWED_EVERYWHERE)
def test_lets_read_only_queries_through(sql: str, dialect: str) -> None:
    statement = check_read_only(sql, dialect)
    assert isinstance(statement, exp.Select | exp.SetOperation | exp.Subquery)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT strftime('%Y', sale_date) AS year, SUM(total_amount) FROM sales GROUP BY 1",
        "SELECT * FROM pragma_table_info('sales')",
        "SELECT date('now', '-1 month')",
    ],
)
def test_lets_sqlite_read_only_idioms_through(sql: str) -> None:
    check_read_only(sql, "sqlite")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT date_trunc('month', sale_date) AS month, SUM(total_amount) FROM sales GROUP BY 1",
        "SELECT EXTRACT(YEAR FROM sale_date)::int AS year FROM sales",
        "SELECT * FROM customers WHERE city ILIKE 'new%'",
        "SELECT current_date - INTERVAL '30 days'",
        "TABLE products",
        "SELECT pg_typeof(total_amount), pg_size_pretty(pg_total_relation_size('sales')) FROM sales",
        "SELECT U&'d\\0061ta' AS unicode_escaped_text",  # a string, unlike a name, cannot hide a function call
        'SELECT u & "x" FROM (SELECT 1 AS u, 3 AS x) AS t',  # a bitwise AND, not a Unicode name
    ],
)
def test_lets_postgres_read_only_idioms_through(sql: str) -> None:
    check_read_only(sql, "postgres")


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_SQLITE)
def test_refuses_writes_and_tricks_in_sqlite(sql: str, reason: str) -> None:
    with pytest.raises(UnsafeQueryError) as refused:
        check_read_only(sql, "sqlite")
    assert refused.value.message.startswith("Refused: ")
    assert reason in refused.value.message


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_POSTGRES)
def test_refuses_writes_and_tricks_in_postgres(sql: str, reason: str) -> None:
    with pytest.raises(UnsafeQueryError) as refused:
        check_read_only(sql, "postgres")
    assert refused.value.message.startswith("Refused: ")
    assert reason in refused.value.message


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1 FROM sales WHERE sale_id IN (SELECT pg_sleep(5))",
        "SELECT (SELECT readfile('/etc/passwd')) AS x",
        "SELECT * FROM sales WHERE EXISTS (WITH d AS (DELETE FROM sales RETURNING 1) SELECT * FROM d)",
    ],
)
def test_refuses_forbidden_parts_nested_deep_inside_a_select(sql: str) -> None:
    with pytest.raises(UnsafeQueryError, match=r"^Refused: "):
        check_read_only(sql, "postgres" if "pg_sleep" in sql else "sqlite")


def test_names_the_position_of_a_syntax_error() -> None:
    with pytest.raises(UnsafeQueryError) as refused:
        check_read_only("SELECT region FROM sales WHERE (total_amount > 5", "sqlite")
    assert "could not be parsed as sqlite SQL" in refused.value.message
    assert "line 1" in refused.value.message
    assert "\x1b" not in refused.value.message  # no terminal colour codes in a message meant for people


def test_refuses_text_the_tokenizer_cannot_read() -> None:
    with pytest.raises(UnsafeQueryError, match="could not be parsed"):
        check_read_only("SELECT 'unterminated", "sqlite")


def test_names_an_unknown_statement_by_its_keyword() -> None:
    with pytest.raises(UnsafeQueryError, match="not SAVEPOINT"):
        check_read_only("SAVEPOINT before_harm", "sqlite")


def test_refuses_a_bare_values_list() -> None:
    with pytest.raises(UnsafeQueryError, match="not VALUES"):
        check_read_only("VALUES (1), (2)", "sqlite")


def test_denied_function_names_are_lower_case_so_the_comparison_is_case_blind() -> None:
    names = [*DENIED_FUNCTIONS, *DENIED_PREFIXES, *ALLOWED_PG_FUNCTIONS, *DENIED_RELATIONS]
    assert all(name == name.lower() for name in names)


@pytest.mark.parametrize("name", ["pg_sleep", "pg_read_file", "lo_import", "dblink_exec", "query_to_xml", "nextval"])
def test_the_families_refuse_what_the_old_named_list_refused(name: str) -> None:
    with pytest.raises(UnsafeQueryError, match=rf"the function {name}\(\) is not allowed"):
        check_read_only(f"SELECT {name}('x')", "postgres")


@pytest.mark.parametrize("sql", ["SELECT 1; -- done", "SELECT 1; /* the end */", "SELECT 1;;"])
def test_a_trailing_comment_or_empty_statement_is_not_a_second_statement(sql: str) -> None:
    assert isinstance(check_read_only(sql, "sqlite"), exp.Select)


@pytest.mark.parametrize("sql", ["SELECT 1; -- c\nDELETE FROM t", "SELECT 1; /* c */ DROP TABLE t"])
def test_a_statement_after_a_comment_is_still_a_second_statement(sql: str) -> None:
    with pytest.raises(UnsafeQueryError, match="exactly one statement"):
        check_read_only(sql, "sqlite")
