"""The SQL guard on its own: what it lets through, what it refuses, and the SQL it approves, per dialect."""

from __future__ import annotations

import time

import pytest
from sqlglot import exp

from talk2tables.errors import UnsafeQueryError
from talk2tables.sql_guard import MAX_QUERY_CHARS, StaticCatalog, check_read_only
from talk2tables.sql_guard.allowlist import FUNCTIONS, allowed_function_classes
from tests.database_mcp.helpers import REFUSED_EVERYWHERE, REFUSED_POSTGRES, REFUSED_SQLITE

SAMPLE_TABLES = {
    "sales": ["sale_id", "product_id", "customer_id", "sale_date", "quantity", "total_amount", "region"],
    "products": ["product_id", "product_name", "category", "price"],
    "customers": ["customer_id", "first_name", "last_name", "email", "city", "country"],
    "orders": ["order_id", "customer_id", "order_date", "status", "payment_method", "total_amount"],
    "order_items": ["order_id", "product_id", "quantity", "unit_price"],
}
CATALOGS = {
    "sqlite": StaticCatalog(SAMPLE_TABLES, schema="main"),
    "postgres": StaticCatalog(SAMPLE_TABLES, schema="public", case_sensitive=True),
}


def approve(sql: str, dialect: str) -> str:
    return check_read_only(sql, dialect, CATALOGS[dialect]).sql


def refusal(sql: str, dialect: str) -> str:
    with pytest.raises(UnsafeQueryError) as refused:
        check_read_only(sql, dialect, CATALOGS[dialect])
    assert refused.value.message.startswith("Refused: ")
    return refused.value.message


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
    "SELECT c.city, COUNT(o.order_id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.customer_id "
    "GROUP BY c.city HAVING COUNT(o.order_id) > 2",
    "SELECT COALESCE(NULLIF(region, ''), 'unknown'), ROUND(AVG(total_amount), 2), MIN(sale_date) FROM sales GROUP BY 1",
    "SELECT * FROM sales s WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = s.customer_id)",
    "SELECT UPPER(product_name), LENGTH(product_name), SUBSTR(product_name, 1, 3) FROM products",
]


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
@pytest.mark.parametrize("sql", ALLOWED_EVERYWHERE)
def test_lets_read_only_queries_through(sql: str, dialect: str) -> None:
    approved = check_read_only(sql, dialect, CATALOGS[dialect])
    assert isinstance(approved.statement, exp.Select | exp.SetOperation | exp.Subquery)
    # What runs is rendered from the approved tree; approving it again renders the same SQL.
    assert approve(approved.sql, dialect) == approved.sql


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT strftime('%Y', sale_date) AS year, SUM(total_amount) FROM sales GROUP BY 1",
        "SELECT date('now', '-1 month'), datetime(sale_date, '+1 day'), julianday('now') - julianday(sale_date) "
        "FROM sales",
        "SELECT printf('%.2f', total_amount), instr(region, 'a'), iif(quantity > 1, 'many', 'one') FROM sales",
        "SELECT group_concat(region, ', '), total(quantity) FROM sales",
        "SELECT key, value FROM json_each('{\"a\": 1}')",
        "SELECT json_extract('{\"a\": {\"b\": 2}}', '$.a.b'), typeof(total_amount), CAST(quantity AS REAL) FROM sales",
        "SELECT * FROM main.sales",
    ],
)
def test_lets_sqlite_read_only_idioms_through(sql: str) -> None:
    approve(sql, "sqlite")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT date_trunc('month', sale_date) AS month, SUM(total_amount) FROM sales GROUP BY 1",
        "SELECT EXTRACT(YEAR FROM sale_date)::int AS year FROM sales",
        "SELECT * FROM customers WHERE city ILIKE 'new%'",
        "SELECT current_date - INTERVAL '30 days'",
        "TABLE products",
        "SELECT to_char(sale_date, 'YYYY-MM'), percentile_cont(0.5) WITHIN GROUP (ORDER BY total_amount) "
        "FROM sales GROUP BY 1",
        "SELECT COUNT(*) FILTER (WHERE status = 'cancelled'), string_agg(DISTINCT status, ', ') FROM orders",
        "SELECT g::date FROM generate_series(DATE '2025-01-01', DATE '2025-03-01', INTERVAL '1 month') AS g",
        "SELECT split_part(email, '@', 2), regexp_replace(city, '\\s+', ' ') FROM customers",
        "SELECT to_json(s) FROM sales AS s LIMIT 1",
        "SELECT * FROM public.sales",
        'SELECT u & "x" FROM (SELECT 1 AS u, 3 AS x) AS t',  # a bitwise AND, not a Unicode name
    ],
)
def test_lets_postgres_read_only_idioms_through(sql: str) -> None:
    approve(sql, "postgres")


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_SQLITE)
def test_refuses_writes_and_tricks_in_sqlite(sql: str, reason: str) -> None:
    assert reason in refusal(sql, "sqlite")


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_POSTGRES)
def test_refuses_writes_and_tricks_in_postgres(sql: str, reason: str) -> None:
    assert reason in refusal(sql, "postgres")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT ('/etc/passwd'::text).pg_read_file",
        "SELECT ('SELECT 1'::text).ts_stat",
        "SELECT (region).upper FROM sales",
        "SELECT (ROW(1, 2)).f1",
        "SELECT (SELECT product_name FROM products LIMIT 1).length",
        "SELECT pg_catalog.upper('a')",
    ],
)
def test_refuses_attribute_notation_which_postgres_runs_as_a_function_call(sql: str) -> None:
    assert "dotted name" in refusal(sql, "postgres")


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT s.pg_read_file FROM sales AS s", "has no column 'pg_read_file'"),
        ("SELECT sales.to_json FROM sales", "has no column 'to_json'"),
        ("SELECT x.region FROM sales", "not a table, alias or CTE"),
        ("SELECT pg_read_file.x FROM sales", "not a table, alias or CTE"),
        ("SELECT public.sales.region FROM sales", "too many parts"),
    ],
)
def test_refuses_dotted_access_that_does_not_start_with_a_source_of_the_query(sql: str, reason: str) -> None:
    assert reason in refusal(sql, "postgres")


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT * FROM pg_user_mapping", "postgres"),
        ("SELECT * FROM pg_user_mappings", "postgres"),
        ("SELECT setconfig FROM pg_db_role_setting", "postgres"),
        ("SELECT * FROM pg_authid", "postgres"),
        ("SELECT * FROM pg_stat_activity", "postgres"),
        ("SELECT * FROM pg_class", "postgres"),
        ("SELECT * FROM pg_settings", "postgres"),
        ("SELECT * FROM information_schema.tables", "postgres"),
        ("SELECT * FROM pg_catalog.pg_proc", "postgres"),
        ("SELECT * FROM other_schema.sales", "postgres"),
        ("SELECT * FROM sqlite_master", "sqlite"),
        ("SELECT * FROM sqlite_schema", "sqlite"),
        ("SELECT * FROM temp.sales", "sqlite"),
        ("SELECT * FROM evil.sales", "sqlite"),
        ("SELECT * FROM no_such_table", "sqlite"),
    ],
)
def test_refuses_every_relation_but_the_served_tables(sql: str, dialect: str) -> None:
    message = refusal(sql, dialect)
    assert "not a table this server serves" in message or "only tables of" in message


@pytest.mark.parametrize(
    "sql",
    [
        # A CTE hides a catalog only inside its own query; outside it the name is the real relation.
        "SELECT * FROM (WITH pg_authid AS (SELECT 1) SELECT 1) AS s, pg_authid",
        # A CTE cannot see a later CTE of the same WITH unless it is RECURSIVE.
        "WITH a AS (SELECT * FROM pg_authid), pg_authid AS (SELECT 1) SELECT * FROM a",
        "SELECT (WITH pg_shadow AS (SELECT 1) SELECT 1), (SELECT COUNT(*) FROM pg_shadow)",
    ],
)
def test_a_cte_shadows_a_relation_only_where_it_is_in_scope(sql: str) -> None:
    assert "not a table this server serves" in refusal(sql, "postgres")


def test_a_cte_in_scope_is_read_as_the_cte() -> None:
    sql = approve("WITH pg_authid AS (SELECT 1 AS x) SELECT x FROM pg_authid", "postgres")
    assert "public." not in sql


@pytest.mark.parametrize(
    ("sql", "dialect"),
    [
        ("SELECT current_setting('app.secret')", "postgres"),
        ("SELECT version()", "postgres"),
        ("SELECT current_user", "postgres"),
        ("SELECT pg_typeof(1)", "postgres"),
        ("SELECT repeat('x', 100000000)", "postgres"),
        ("SELECT lpad('x', 100000000)", "postgres"),
        ("SELECT pg_advisory_lock(1)", "postgres"),
        ("SELECT pg_terminate_backend(1)", "postgres"),
        ("SELECT * FROM pragma_table_info('sales')", "sqlite"),
        ("SELECT zeroblob(9900000)", "sqlite"),
        ("SELECT randomblob(9900000)", "sqlite"),
        ("SELECT sqlite_version()", "sqlite"),
    ],
)
def test_refuses_functions_that_are_not_on_the_allow_list(sql: str, dialect: str) -> None:
    message = refusal(sql, dialect)
    assert "not on this server's list of read-only functions" in message or "construct" in message


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT $1",
        "SELECT $$text$$",
        "SELECT E'\\x41'",
        "SELECT U&'d\\0061ta'",
        "SELECT 1 OPERATOR(pg_catalog.+) 2",
        "SELECT upper(a => 'x')",
    ],
)
def test_refuses_constructs_whose_reading_the_guard_might_not_share_with_postgres(sql: str) -> None:
    refusal(sql, "postgres")


@pytest.mark.parametrize(
    ("sql", "approved"),
    [
        # PostgreSQL nests comments; sqlglot does not. The database would run `SELECT 1, <what follows>`.
        ("SELECT 1 /* /* */* */ , pg_sleep(10) -- */", "SELECT 1"),
        ("SELECT 1 /* x /* y */ */", "SELECT 1"),
        ("SELECT region /* a comment */ FROM sales -- another", "SELECT region FROM public.sales"),
    ],
)
def test_runs_the_sql_rendered_from_the_approved_tree_without_comments(sql: str, approved: str) -> None:
    assert approve(sql, "postgres") == approved


def test_qualifies_every_served_table_with_its_schema() -> None:
    sql = approve("SELECT s.region FROM sales s JOIN products ON products.product_id = s.product_id", "postgres")
    assert "FROM public.sales AS s JOIN public.products" in sql
    assert approve("SELECT COUNT(*) FROM Sales", "sqlite") == "SELECT COUNT(*) FROM main.Sales"


def test_postgres_quoted_names_keep_their_case() -> None:
    assert "not a table this server serves" in refusal('SELECT * FROM "Sales"', "postgres")
    assert approve("SELECT * FROM Sales", "postgres") == "SELECT * FROM public.Sales"


def test_refuses_a_query_over_the_size_cap_before_parsing_it() -> None:
    sql = "SELECT 1 AS x" + " " * MAX_QUERY_CHARS + "; DELETE FROM sales"
    assert f"the limit is {MAX_QUERY_CHARS:,}" in refusal(sql, "sqlite")


def test_refuses_a_query_whose_checks_run_past_their_deadline() -> None:
    with pytest.raises(UnsafeQueryError, match="took too long to check"):
        check_read_only("SELECT 1", "sqlite", CATALOGS["sqlite"], deadline=time.monotonic() - 1)


def test_without_a_catalog_only_the_shape_and_the_functions_are_checked() -> None:
    approved = check_read_only("SELECT region FROM anything", "sqlite", None)
    assert approved.sql == "SELECT region FROM anything"
    with pytest.raises(UnsafeQueryError, match="zeroblob"):
        check_read_only("SELECT zeroblob(5)", "sqlite", None)


def test_names_the_position_of_a_syntax_error() -> None:
    message = refusal("SELECT region FROM sales WHERE (total_amount > 5", "sqlite")
    assert "could not be parsed as sqlite SQL" in message
    assert "line 1" in message
    assert "\x1b" not in message  # no terminal colour codes in a message meant for people


def test_refuses_text_the_tokenizer_cannot_read() -> None:
    assert "could not be parsed" in refusal("SELECT 'unterminated", "sqlite")


def test_names_an_unknown_statement_by_its_keyword() -> None:
    assert "not SAVEPOINT" in refusal("SAVEPOINT before_harm", "sqlite")


def test_refuses_a_bare_values_list() -> None:
    assert "not VALUES" in refusal("VALUES (1), (2)", "sqlite")


@pytest.mark.parametrize("sql", ["SELECT 1; -- done", "SELECT 1; /* the end */", "SELECT 1;;"])
def test_a_trailing_comment_or_empty_statement_is_not_a_second_statement(sql: str) -> None:
    assert approve(sql, "sqlite") == "SELECT 1"


@pytest.mark.parametrize("sql", ["SELECT 1; -- c\nDELETE FROM t", "SELECT 1; /* c */ DROP TABLE t"])
def test_a_statement_after_a_comment_is_still_a_second_statement(sql: str) -> None:
    assert "exactly one statement" in refusal(sql, "sqlite")


@pytest.mark.parametrize("dialect", sorted(FUNCTIONS))
def test_the_allow_lists_are_lower_case_and_yield_the_typed_functions_people_use(dialect: str) -> None:
    assert all(name == name.lower() for name in FUNCTIONS[dialect])
    classes = allowed_function_classes(dialect)
    assert {exp.Sum, exp.Count, exp.Avg, exp.Max, exp.Min, exp.Round, exp.Coalesce, exp.Case, exp.Cast} <= classes
    assert not {exp.Anonymous, exp.CurrentUser, exp.CurrentVersion, exp.Repeat} & classes
