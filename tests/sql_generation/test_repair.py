"""Column mends the schema makes certain: named by the validator, applied by repair.py, validated again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlalchemy import create_engine, text
from sqlglot import exp

from talk2tables.errors import SQLValidationError
from talk2tables.sql_generation.repair import ColumnFix, apply_fix, repaired_sql, term_fix
from talk2tables.sql_generation.validator import SQLValidator
from tests.sql_generation.resources import sample_schema

JOINED = "FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id"


@pytest.fixture(params=["sqlite", "postgres"])
def validator(request: pytest.FixtureRequest) -> SQLValidator:
    return SQLValidator(sample_schema(request.param), request.param)


def mend(validator: SQLValidator, sql: str) -> tuple[str, list[str]] | None:
    with pytest.raises(SQLValidationError) as caught:
        validator.validate(sql)
    mended = repaired_sql(sql, validator, caught.value)
    if mended is None:
        return None
    validator.validate(mended[0])  # what is returned always passes the whole check
    return mended[0], [fix.describe() for fix in mended[1]]


@pytest.mark.parametrize(
    ("sql", "expected", "fixes"),
    [
        # the prefix's table lacks the column; the query's one other table has it
        (f"SELECT s.first_name {JOINED}", f"SELECT c.first_name {JOINED}", ["s.first_name -> c.first_name"]),
        # the table by its name where the query renamed it
        (
            "SELECT SUM(products.price) FROM products AS p JOIN sales AS s ON s.product_id = p.product_id",
            "SELECT SUM(p.price) FROM products AS p JOIN sales AS s ON s.product_id = p.product_id",
            ["products.price -> p.price"],
        ),
        # a table never joined, whose value the query's table holds by a foreign key
        (
            "SELECT COUNT(DISTINCT customers.customer_id) FROM sales",
            "SELECT COUNT(DISTINCT sales.customer_id) FROM sales",
            ["customers.customer_id -> sales.customer_id"],
        ),
        # spelt alike but for case and underscores, unqualified and qualified; every reference is mended
        (
            "SELECT totalamount FROM sales ORDER BY totalamount DESC",
            "SELECT total_amount FROM sales ORDER BY total_amount DESC",
            ["totalamount -> total_amount"],
        ),
        ("SELECT s.saledate FROM sales AS s", "SELECT s.sale_date FROM sales AS s", ["s.saledate -> s.sale_date"]),
        # arithmetic with another column is no join condition: the column still moves to the table that has it
        (
            "SELECT SUM(s.quantity * s.price) FROM sales AS s JOIN products AS p ON p.product_id = s.product_id",
            "SELECT SUM(s.quantity * p.price) FROM sales AS s JOIN products AS p ON p.product_id = s.product_id",
            ["s.price -> p.price"],
        ),
        # a join condition's column keeps its side: only its spelling is mended
        (
            "SELECT c.first_name FROM customers AS c JOIN sales AS s ON s.customerid = c.customer_id",
            "SELECT c.first_name FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id",
            ["s.customerid -> s.customer_id"],
        ),
        # a table never joined, named by its prefix: joined along the foreign key that leads to its primary key
        (
            "SELECT COUNT(DISTINCT products.category) FROM sales",
            "SELECT COUNT(DISTINCT products.category) FROM sales LEFT JOIN products ON products.product_id = "
            "sales.product_id",
            ["products.category -> products.category (joined products on products.product_id = sales.product_id)"],
        ),
        # a column of a table the query never joined, prefixed with the query's own alias or not prefixed at all
        (
            "SELECT s.first_name FROM sales AS s",
            "SELECT customers.first_name FROM sales AS s LEFT JOIN customers ON customers.customer_id = s.customer_id",
            ["s.first_name -> customers.first_name (joined customers on customers.customer_id = s.customer_id)"],
        ),
        (
            "SELECT SUM(quantity) FROM sales WHERE product_name = 'Orb'",
            "SELECT SUM(quantity) FROM sales LEFT JOIN products ON products.product_id = sales.product_id "
            "WHERE products.product_name = 'Orb'",
            ["product_name -> products.product_name (joined products on products.product_id = sales.product_id)"],
        ),
        # a LEFT JOIN: an outer join before it keeps its rows (an inner join would drop the customers without sales)
        (
            "SELECT c.first_name, s.product_name FROM customers AS c LEFT JOIN sales AS s ON s.customer_id = "
            "c.customer_id",
            "SELECT c.first_name, products.product_name FROM customers AS c LEFT JOIN sales AS s ON s.customer_id = "
            "c.customer_id LEFT JOIN products ON products.product_id = s.product_id",
            ["s.product_name -> products.product_name (joined products on products.product_id = s.product_id)"],
        ),
        # the join goes into the SELECT that reads the table holding the key, not the outer one
        (
            "SELECT c.first_name FROM customers AS c WHERE c.customer_id IN "
            "(SELECT s.customer_id FROM sales AS s WHERE s.category = 'Books')",
            "SELECT c.first_name FROM customers AS c WHERE c.customer_id IN (SELECT s.customer_id FROM sales AS s "
            "LEFT JOIN products ON products.product_id = s.product_id WHERE products.category = 'Books')",
            ["s.category -> products.category (joined products on products.product_id = s.product_id)"],
        ),
        # two mends in one answer, each validated in turn
        (
            f"SELECT s.first_name, totalamount {JOINED}",
            f"SELECT c.first_name, total_amount {JOINED}",
            ["s.first_name -> c.first_name", "totalamount -> total_amount"],
        ),
    ],
)
def test_mends_a_column_reference_the_schema_leaves_one_reading_of(
    validator: SQLValidator, sql: str, expected: str, fixes: list[str]
) -> None:
    assert mend(validator, sql) == (expected, fixes)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT full_name FROM customers",  # nothing is spelt like it
        # a join toward many rows (each customer has many sales) would repeat the customer: only to a primary key
        "SELECT COUNT(*) FROM customers WHERE quantity > 2",
        "SELECT c.city FROM customers AS c WHERE c.total_amount > 100",
        # the table to join is already read elsewhere in the query (its subquery): which reading is meant is open
        "SELECT s.first_name FROM sales AS s WHERE s.customer_id IN (SELECT customer_id FROM customers)",
        # the join would change more than the column: SELECT * grows by the joined table's columns; PostgreSQL
        # cannot see a comma-joined table from a later JOIN's ON; an earlier ON runs before the new join
        "SELECT * FROM sales WHERE first_name = 'Ann'",
        "SELECT s.first_name FROM sales AS s, products AS p WHERE p.product_id = s.product_id",
        "SELECT c.first_name FROM customers AS c LEFT JOIN sales AS s ON s.customer_id = c.customer_id "
        "AND s.category = 'Magic'",
        # a CTE named like the table to join, or like the table the key is read from: not the schema's tables
        "WITH customers AS (SELECT 1 AS customer_id, 'Zed' AS first_name) SELECT s.sale_id, s.first_name "
        "FROM sales AS s",
        "WITH sales AS (SELECT customer_id AS product_id, first_name FROM customers) "
        "SELECT s.first_name, s.product_name FROM sales AS s",
        # the table to join from is read twice
        "SELECT s1.product_name FROM sales AS s1 JOIN sales AS s2 ON s1.customer_id = s2.customer_id",
        f"SELECT customerid {JOINED}",  # two of the query's tables have customer_id
        "SELECT customer_id FROM customers JOIN sales ON customers.customer_id = sales.customer_id",  # ambiguous
        f"SELECT s.first_name, full_name {JOINED}",  # the first mend leaves an error without one
        # moving a join condition's column to the other table would join sales with itself, in ON or in WHERE
        "SELECT c.first_name FROM customers AS c JOIN sales AS s ON c.sale_id = s.customer_id",
        "SELECT c.first_name FROM customers AS c, sales AS s WHERE c.product_id = s.product_id",
        "SELECT c.first_name FROM customers AS c, sales AS s WHERE (c.product_id) > (s.product_id)",
        "SELECT c.first_name FROM customers AS c WHERE EXISTS (SELECT 1 FROM sales AS s WHERE c.sale_id = s.sale_id)",
        # a subquery's column moved to the outer query's table would mean something else
        "SELECT p.product_name FROM products AS p WHERE p.price > (SELECT AVG(s.price) FROM sales AS s)",
        # a self-join: which of the two is meant, the schema does not say
        "SELECT s1.sale_id FROM sales AS s1 JOIN sales AS s2 ON s1.customer_id = s2.customer_id "
        "JOIN customers AS c ON c.customer_id = s1.customer_id WHERE c.quantity > 5",
        # ORDER BY may name the SELECT's own alias
        "SELECT customer_id, SUM(totalamount) AS totalamount FROM sales GROUP BY customer_id ORDER BY totalamount",
        "SELECT first_name FROM clients",  # an unknown table
    ],
)
def test_leaves_to_the_llm_what_has_no_single_reading(validator: SQLValidator, sql: str) -> None:
    assert mend(validator, sql) is None


def test_the_error_names_its_mend_in_json_ready_form(validator: SQLValidator) -> None:
    with pytest.raises(SQLValidationError) as caught:
        validator.validate(f"SELECT s.first_name {JOINED}")
    payload: dict[str, Any] = json.loads(json.dumps(caught.value.to_dict()))
    assert payload["fix"] == {"table": "s", "column": "first_name", "new_table": "c", "new_column": "first_name"}
    assert ColumnFix.from_context(payload["fix"]) == ColumnFix("s", "first_name", "c", "first_name")
    assert "write c.first_name" in payload["message"]  # the message for the LLM is unchanged


def test_a_join_mend_travels_with_the_error_and_a_forged_one_is_refused(validator: SQLValidator) -> None:
    with pytest.raises(SQLValidationError) as caught:
        validator.validate("SELECT s.first_name FROM sales AS s")
    payload: dict[str, Any] = json.loads(json.dumps(caught.value.to_dict()))
    fix = ColumnFix.from_context(payload["fix"])
    assert fix == ColumnFix(
        "s", "first_name", "customers", "first_name", "customers", "s", (("customer_id", "customer_id"),)
    )
    # A join with nothing to join along, from nowhere, or along pairs that are not pairs of names, is no mend.
    assert ColumnFix.from_context({**payload["fix"], "on": []}) is None
    assert ColumnFix.from_context({**payload["fix"], "via": None}) is None
    for on in ([["customer_id"]], "ab", [["a", "b", "c"]], [[1, 2]], {"a": "b"}):
        assert ColumnFix.from_context({**payload["fix"], "on": on}) is None
    # A forged join of a table the schema lacks, or of a name that tries to be SQL, never passes the check again.
    for joined in ("no_such_table", "customers; DROP TABLE sales; --"):
        forged = SQLValidationError("x", fix={**payload["fix"], "joined": joined, "new_table": joined})
        assert repaired_sql("SELECT s.first_name FROM sales AS s", validator, forged) is None


def test_a_join_keeps_every_row_even_where_the_key_is_null_or_dangling(tmp_path: Path) -> None:
    # SQLite does not enforce foreign keys: a sale may name no customer, or one that does not exist.
    engine = create_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    with engine.begin() as conn:
        for statement in (
            "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, first_name TEXT)",
            "CREATE TABLE sales (sale_id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(customer_id))",
            "INSERT INTO customers VALUES (1, 'Ann')",
            "INSERT INTO sales VALUES (10, 1), (11, NULL), (12, 99)",
        ):
            conn.execute(text(statement))
    schema = {
        "dialect": "sqlite",
        "tables": [
            {"name": "customers", "primary_key": ["customer_id"],
             "columns": [{"name": "customer_id", "type": "INTEGER"}, {"name": "first_name", "type": "TEXT"}]},
            {"name": "sales", "primary_key": ["sale_id"],
             "columns": [{"name": "sale_id", "type": "INTEGER"}, {"name": "customer_id", "type": "INTEGER"}],
             "foreign_keys": [{"columns": ["customer_id"], "references_table": "customers",
                               "references_columns": ["customer_id"]}]},
        ],
    }  # fmt: skip
    mended = mend(SQLValidator(schema, "sqlite"), "SELECT s.sale_id, s.first_name FROM sales AS s ORDER BY s.sale_id")
    assert mended is not None
    with engine.connect() as conn:
        assert [tuple(row) for row in conn.execute(text(mended[0]))] == [(10, "Ann"), (11, None), (12, None)]
    engine.dispose()


def test_a_sqlite_double_quoted_string_keeps_the_join_mend_away() -> None:
    # "city" is the string 'city' while no table of the query has that column; joined, customers would have it.
    validator = SQLValidator(sample_schema("sqlite"), "sqlite")
    assert mend(validator, "SELECT s.sale_id, \"city\" AS label FROM sales AS s WHERE s.first_name = 'Ann'") is None


def test_two_foreign_keys_to_the_same_table_leave_the_join_to_the_llm() -> None:
    schema = {
        "dialect": "sqlite",
        "tables": [
            {"name": "teams", "primary_key": ["team_id"],
             "columns": [{"name": "team_id", "type": "INTEGER"}, {"name": "team_name", "type": "TEXT"}]},
            {"name": "matches", "primary_key": ["match_id"],
             "columns": [{"name": "match_id", "type": "INTEGER"}, {"name": "home_id", "type": "INTEGER"},
                         {"name": "away_id", "type": "INTEGER"}],
             "foreign_keys": [
                 {"columns": ["home_id"], "references_table": "teams", "references_columns": ["team_id"]},
                 {"columns": ["away_id"], "references_table": "teams", "references_columns": ["team_id"]},
             ]},
        ],
    }  # fmt: skip
    validator = SQLValidator(schema, "sqlite")
    assert mend(validator, "SELECT m.team_name FROM matches AS m") is None  # home or away: the question says


def test_a_write_is_never_mended(validator: SQLValidator) -> None:
    with pytest.raises(SQLValidationError) as caught:
        validator.validate("DELETE FROM sales WHERE totalamount > 0")
    assert "fix" not in caught.value.context
    assert repaired_sql("DELETE FROM sales WHERE totalamount > 0", validator, caught.value) is None


def test_a_forged_fix_cannot_turn_a_query_into_something_else(validator: SQLValidator) -> None:
    # Whatever the error says, the mended SQL must pass the whole check again: a fix naming a column that does not
    # exist is not run.
    error = SQLValidationError("x", fix=ColumnFix(None, "totalamount", None, "no_such_column").to_context())
    assert repaired_sql("SELECT totalamount FROM sales", validator, error) is None


def test_a_strange_column_name_is_written_as_one_quoted_identifier() -> None:
    mended = apply_fix("SELECT a FROM t", "sqlite", ColumnFix(None, "a", None, 'x"; DROP TABLE t; --'))
    assert mended is not None
    statements = sqlglot.parse(mended, read="sqlite")
    assert len(statements) == 1
    assert isinstance(statements[0], exp.Select)
    assert [c.name for c in statements[0].find_all(exp.Column)] == ['x"; DROP TABLE t; --']


def test_a_sqlite_double_quoted_string_stays_a_string() -> None:
    # SQLite reads "totalamount" as a string here (no column has that name): only the bare name is a column.
    sql = 'SELECT totalamount FROM sales WHERE sale_date = "totalamount"'
    mended = apply_fix(sql, "sqlite", ColumnFix(None, "totalamount", None, "total_amount"))
    assert mended == 'SELECT total_amount FROM sales WHERE sale_date = "totalamount"'


def test_postgres_mixed_case_names_are_quoted_so_they_keep_their_case() -> None:
    mended = apply_fix("SELECT pet_type FROM pets", "postgres", ColumnFix(None, "pet_type", None, "PetType"))
    assert mended == 'SELECT "PetType" FROM pets'
    assert apply_fix("SELECT pet_type FROM pets", "sqlite", ColumnFix(None, "pet_type", None, "PetType")) == (
        "SELECT PetType FROM pets"
    )


def test_literals_and_other_columns_are_left_as_written() -> None:
    joined = "FROM sales AS s JOIN customers AS c ON c.customer_id = s.customer_id"
    sql = f"SELECT s.first_name, 'pet_type' AS label {joined} WHERE s.region = 'x' AND pet_type = 1"
    mended = apply_fix(sql, "sqlite", ColumnFix("s", "first_name", "c", "first_name"))
    assert mended == f"SELECT c.first_name, 'pet_type' AS label {joined} WHERE s.region = 'x' AND pet_type = 1"
    assert apply_fix("SELECT 1", "sqlite", ColumnFix(None, "a", None, "b")) is None  # nothing to mend
    assert apply_fix("SELECT (", "sqlite", ColumnFix(None, "a", None, "b")) is None  # does not parse


TERMS = {
    "customer region": "customers.region",
    "revenue": "sales.total_amount",
    "profit": "sales.total_amount - products.price * sales.quantity (join products on product_id)",
}


def term_mend(validator: SQLValidator, sql: str) -> str | None:
    with pytest.raises(SQLValidationError) as caught:
        validator.validate(sql)
    assert "fix" not in caught.value.context  # the schema alone has no reading of it
    fix = term_fix(sql, validator, caught.value, TERMS)
    if fix is None:
        return None
    mended = repaired_sql(sql, validator, SQLValidationError("x", **{**caught.value.context, "fix": fix.to_context()}))
    return mended[0] if mended else None


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # the business term's own name written as a column: the one column the metadata says it is
        (
            "SELECT customer_region, COUNT(*) FROM customers GROUP BY customer_region",
            "SELECT customers.region, COUNT(*) FROM customers GROUP BY customers.region",
        ),
        ("SELECT c.customer_region FROM customers AS c", "SELECT c.region FROM customers AS c"),
        ("SELECT SUM(Revenue) FROM sales", "SELECT SUM(sales.total_amount) FROM sales"),
        # not mended: the term's table is not in the query; the term is a formula, not a column; the prefix is
        # another table's; nothing is named like a term
        ("SELECT customer_region FROM sales", None),
        ("SELECT SUM(profit) FROM sales", None),
        ("SELECT s.customer_region FROM sales AS s JOIN customers AS c ON c.customer_id = s.customer_id", None),
        ("SELECT customer_tier FROM customers", None),
    ],
)
def test_a_business_terms_name_written_as_a_column_is_the_column_the_metadata_names(
    validator: SQLValidator, sql: str, expected: str | None
) -> None:
    assert term_mend(validator, sql) == expected
