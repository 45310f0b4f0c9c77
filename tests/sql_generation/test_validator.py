"""SQLValidator: sqlglot against the gathered schema, before anything reaches the database."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine

from talk2tables.database_mcp.schema import describe_database
from talk2tables.errors import SQLValidationError
from talk2tables.sql_generation.repair import repaired_sql
from talk2tables.sql_generation.validator import SQLValidator, schema_mapping
from tests.sql_generation.resources import sample_schema
from tests.support.postgres import PostgresServer


@pytest.fixture(params=["sqlite", "postgres"])
def validator(request: pytest.FixtureRequest) -> SQLValidator:
    return SQLValidator(sample_schema(request.param), request.param)


def refusal(validator: SQLValidator, sql: str) -> SQLValidationError:
    with pytest.raises(SQLValidationError) as caught:
        validator.validate(sql)
    return caught.value


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT COUNT(*) FROM products",
        "SELECT p.product_name, SUM(s.total_amount) AS revenue FROM sales s JOIN products p "
        "ON p.product_id = s.product_id GROUP BY p.product_name ORDER BY revenue DESC LIMIT 5",
        "WITH t AS (SELECT customer_id, SUM(total_amount) AS spent FROM sales GROUP BY customer_id) "
        "SELECT c.first_name, t.spent FROM t JOIN customers c ON c.customer_id = t.customer_id",
        "SELECT c.first_name FROM customers AS c WHERE c.customer_id IN "
        "(SELECT s.customer_id FROM sales s WHERE s.total_amount > 100)",
        "SELECT x.n FROM (SELECT COUNT(*) AS n FROM sales) AS x",
        "SELECT category, COUNT(*) AS n FROM products GROUP BY category HAVING COUNT(*) > 1 ORDER BY n",
        "SELECT * FROM customers c JOIN sales s USING (customer_id)",
        "SELECT PRODUCT_NAME FROM Products",
        "SELECT 1 UNION SELECT product_id FROM products",
        "SELECT COUNT(*) FROM sales s WHERE EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = s.customer_id)",
        "SELECT product_name FROM products;",
    ],
)
def test_accepts_valid_read_only_queries(validator: SQLValidator, sql: str) -> None:
    assert validator.validate(sql) is not None


def test_refuses_an_unknown_table_and_lists_the_tables_that_exist(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT first_name FROM clients")
    assert "Unknown table 'clients'" in error.message
    assert "customers, products, sales" in error.message
    assert error.context["reason"] == "unknown_table"


def test_refuses_an_unknown_column_and_lists_the_columns_of_the_tables_used(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT full_name FROM customers")
    assert "Unknown column 'full_name'" in error.message
    assert "customers(customer_id, first_name, last_name, city, region)" in error.message
    assert error.context["reason"] == "unknown_column"


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT SUM(total_amount) FROM products GROUP BY customer_id",
        "SELECT SUM(p.total_amount) FROM products AS p",
    ],
)
def test_an_unknown_column_names_the_tables_outside_the_query_that_have_it(validator: SQLValidator, sql: str) -> None:
    error = refusal(validator, sql)
    # The table to join instead, and how: the foreign key sales.product_id -> products.product_id.
    alias = "p" if " AS p" in sql else "products"
    assert error.message.endswith(
        f"Tables that have 'total_amount': sales. To join one: JOIN sales ON sales.product_id = {alias}.product_id."
    )


def test_a_table_used_but_never_joined_gets_the_join_its_foreign_key_gives(validator: SQLValidator) -> None:
    # The bundled model wrote `FROM sales WHERE products.product_name = ...` three times when told only the aliases.
    error = refusal(validator, "SELECT SUM(sales.total_amount) FROM sales WHERE products.product_name = 'X'")
    assert error.context["reason"] == "unknown_alias"
    join = "JOIN products ON products.product_id = sales.product_id"
    assert error.message.endswith(f"products is not joined: add {join}.")
    fixed = "SELECT SUM(sales.total_amount) FROM sales JOIN products ON products.product_id = sales.product_id "
    assert validator.validate(fixed + "WHERE products.product_name = 'X'") is not None


def test_a_table_name_the_query_aliased_or_never_joined_points_to_the_querys_own_column(
    validator: SQLValidator,
) -> None:
    aliased = refusal(validator, "SELECT products.price FROM products AS p")
    assert aliased.message.endswith("The query calls products p: write p.price.")
    elsewhere = refusal(
        validator, "SELECT COUNT(DISTINCT customers.customer_id) FROM products AS t1 JOIN sales AS t3 "
        "ON t1.product_id = t3.product_id",
    )  # fmt: skip
    assert "'customer_id' is in t3 (sales): write t3.customer_id." in elsewhere.message
    assert elsewhere.message.endswith("add: JOIN customers ON customers.customer_id = t3.customer_id.")
    unaliased = refusal(validator, "SELECT customers.first_name, sales.customer_id FROM sales")
    assert "'first_name' is" not in unaliased.message  # no table of the query has it: only the join helps
    assert unaliased.message.endswith(
        "customers is not joined: add JOIN customers ON customers.customer_id = sales.customer_id."
    )
    named = refusal(validator, "SELECT COUNT(DISTINCT customers.customer_id) FROM sales")
    assert "'customer_id' is in sales: write sales.customer_id." in named.message


def test_a_table_no_foreign_key_links_gets_no_join(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT customers.first_name FROM products")
    assert "JOIN" not in error.message


def test_a_misspelt_column_gets_the_close_one_the_query_has(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT categories FROM products")
    assert "Did you mean products.category?" in error.message
    assert "Did you mean" not in refusal(validator, "SELECT full_name FROM customers").message
    # Named as the query names the table, so the next attempt can copy it.
    assert "Did you mean p.category?" in refusal(validator, "SELECT p.categry FROM products AS p").message


def test_a_table_name_the_query_aliased_whose_column_is_elsewhere_points_to_where_it_is(
    validator: SQLValidator,
) -> None:
    error = refusal(
        validator, "SELECT SUM(products.total_amount) FROM products AS p JOIN sales AS s ON s.product_id = p.product_id"
    )
    assert "write p.total_amount" not in error.message  # products has no total_amount
    assert error.message.endswith("'total_amount' is in s (sales): write s.total_amount.")


def test_a_column_prefixed_with_the_wrong_table_of_the_query_names_the_one_that_has_it(
    validator: SQLValidator,
) -> None:
    # sqlglot says only "Unknown column: first_name"; the message must not claim no table of the query has it.
    error = refusal(
        validator, "SELECT s.first_name FROM customers AS c JOIN sales AS s ON s.customer_id = c.customer_id"
    )
    assert error.message.startswith("Unknown column s.first_name: s (sales) has no column 'first_name'.")
    assert error.message.endswith("'first_name' is in c (customers): write c.first_name.")
    assert "no table in the query" not in error.message
    assert error.context["reason"] == "unknown_column"


def test_a_column_prefixed_with_a_table_that_lacks_it_gets_the_close_one_or_the_join(validator: SQLValidator) -> None:
    close = refusal(validator, "SELECT s.categry FROM products AS p JOIN sales AS s ON s.product_id = p.product_id")
    assert close.message.startswith(
        "Unknown column s.categry: s (sales) has no column 'categry'. Did you mean p.category?"
    )
    joined = refusal(validator, "SELECT s.first_name FROM sales AS s")
    assert "Tables that have 'first_name': customers." in joined.message
    assert joined.message.endswith("To join one: JOIN customers ON customers.customer_id = s.customer_id.")


def test_a_column_no_table_has_names_no_holder(validator: SQLValidator) -> None:
    assert "Tables that have" not in refusal(validator, "SELECT full_name FROM customers").message


def test_refuses_an_unknown_column_behind_a_table_alias(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT c.email FROM customers AS c")
    assert "email" in error.message
    assert error.context["reason"] == "unknown_column"


def test_refuses_an_alias_that_no_table_in_the_query_has(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT x.first_name FROM customers AS c")
    assert "Unknown table or alias 'x'" in error.message
    assert "c" in error.message.split("aliases are:")[1]


def test_refuses_an_ambiguous_column_and_names_the_tables_that_have_it(validator: SQLValidator) -> None:
    error = refusal(
        validator, "SELECT customer_id FROM customers JOIN sales ON customers.customer_id = sales.customer_id"
    )
    assert "Ambiguous column 'customer_id'" in error.message
    assert "customers, sales" in error.message


def test_a_prefixed_column_its_table_lacks_is_no_ambiguity_even_where_two_other_tables_have_it(
    validator: SQLValidator,
) -> None:
    # The bundled model wrote `oi.customer_id` three times when told "Ambiguous column 'customer_id' ...; prefix it".
    error = refusal(
        validator,
        "SELECT COUNT(*) FROM customers c JOIN products p ON p.customer_id = c.customer_id "
        "JOIN sales s ON s.product_id = p.product_id",
    )
    assert "Ambiguous" not in error.message
    assert error.message.startswith("Unknown column p.customer_id: p (products) has no column 'customer_id'.")
    assert error.message.endswith(
        "'customer_id' is in c (customers) and s (sales): write the one you mean, c.customer_id or s.customer_id."
    )
    assert error.context["reason"] == "unknown_column"


def test_a_column_a_cte_or_subquery_does_not_select_names_the_outer_tables_that_have_it(
    validator: SQLValidator,
) -> None:
    cte = refusal(
        validator,
        "WITH t AS (SELECT product_id FROM sales) SELECT t.customer_id FROM t JOIN customers c ON 1=1 "
        "JOIN sales s ON 1=1",
    )
    assert cte.message.startswith(
        "Unknown column t.customer_id: t (a CTE or subquery of the query) does not select 'customer_id': "
    )
    assert "no table in the query has it" not in cte.message
    assert "write the one you mean, c.customer_id or s.customer_id." in cte.message
    # sales is inside the subquery: out there, sales.customer_id would not resolve, so only c is offered.
    subquery = refusal(
        validator, "SELECT x.customer_id FROM (SELECT product_id FROM sales) AS x JOIN customers c ON 1=1"
    )
    assert "'customer_id' is in c (customers): write c.customer_id." in subquery.message
    assert "sales.customer_id" not in subquery.message
    first = refusal(
        validator, "SELECT x.customer_id FROM customers AS c JOIN (SELECT product_id FROM sales) AS x ON 1=1"
    )
    assert "'customer_id' is in c (customers): write c.customer_id." in first.message  # the table in FROM itself


def test_refuses_a_column_missing_from_a_cte(validator: SQLValidator) -> None:
    error = refusal(validator, "WITH t AS (SELECT customer_id FROM sales) SELECT t.total_amount FROM t")
    assert "total_amount" in error.message


def test_refuses_a_column_missing_from_a_subquery(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT x.revenue FROM (SELECT SUM(total_amount) AS total FROM sales) AS x")
    assert "revenue" in error.message


def test_refuses_an_unknown_column_inside_a_subquery_filter(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT first_name FROM customers WHERE customer_id IN (SELECT buyer FROM sales)")
    assert "buyer" in error.message


def test_refuses_system_tables_that_the_schema_does_not_list(validator: SQLValidator) -> None:
    error = refusal(validator, "SELECT * FROM sqlite_master")
    assert error.context["reason"] == "unknown_table"


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE customers",
        "DELETE FROM sales",
        "UPDATE products SET price = 0",
        "INSERT INTO products (product_id) VALUES (1)",
        "CREATE TABLE x AS SELECT * FROM sales",
        "WITH d AS (DELETE FROM sales RETURNING *) SELECT * FROM d",
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "PRAGMA writable_schema = 1",
    ],
)
def test_refuses_writes_and_ddl(validator: SQLValidator, sql: str) -> None:
    error = refusal(validator, sql)
    assert error.message.startswith("Refused:")
    assert error.context["reason"] in ("unsafe", "syntax")  # PostgreSQL has no ATTACH or PRAGMA at all


@pytest.mark.parametrize(
    "sql",
    ["SELECT 1; SELECT 2", "SELECT product_name FROM products; DROP TABLE products", "SELECT 1;;DELETE FROM sales"],
)
def test_refuses_more_than_one_statement(validator: SQLValidator, sql: str) -> None:
    error = refusal(validator, sql)
    assert "exactly one statement" in error.message


def test_refuses_syntax_errors_naming_the_dialect(validator: SQLValidator) -> None:
    error = refusal(validator, "SELEC product_name FROM products")
    assert error.context["reason"] == "syntax"
    assert validator.dialect in error.message


def test_refuses_an_empty_query(validator: SQLValidator) -> None:
    assert "empty" in refusal(validator, "   ").message


def test_quoted_identifiers_follow_the_dialects_case_rules() -> None:
    # PostgreSQL folds unquoted names to lower case but keeps quoted ones; SQLite ignores case.
    SQLValidator(sample_schema("sqlite"), "sqlite").validate('SELECT "First_Name" FROM customers')
    with pytest.raises(SQLValidationError):
        SQLValidator(sample_schema("postgres"), "postgres").validate('SELECT "First_Name" FROM customers')


def test_parses_in_the_schemas_dialect() -> None:
    # The regex operator ~ is PostgreSQL; backtick quoting is SQLite's (and MySQL's), not PostgreSQL's.
    regex = "SELECT product_name FROM products WHERE product_name ~ '^M'"
    backticks = "SELECT `product_name` FROM products"
    SQLValidator(sample_schema("postgres"), "postgres").validate(regex)
    SQLValidator(sample_schema("sqlite"), "sqlite").validate(backticks)
    with pytest.raises(SQLValidationError):
        SQLValidator(sample_schema("sqlite"), "sqlite").validate(regex)
    with pytest.raises(SQLValidationError):
        SQLValidator(sample_schema("postgres"), "postgres").validate(backticks)


def test_schema_mapping_reads_the_database_mcp_schema_resource() -> None:
    mapping = schema_mapping(sample_schema())
    assert mapping["products"] == {
        "product_id": "INTEGER",
        "product_name": "VARCHAR(80)",
        "category": "VARCHAR(40)",
        "price": "NUMERIC(10, 2)",
    }


MIXED_CASE = {
    "dialect": "postgres",
    "tables": [
        {"name": "Orders", "columns": [{"name": "OrderId", "type": "integer"}, {"name": "total", "type": "integer"}]},
        {"name": "sales", "columns": [{"name": "total_amount", "type": "numeric"}]},
    ],
}


@pytest.mark.parametrize(
    ("sql", "valid"),
    [
        ('SELECT "OrderId" FROM "Orders"', True),
        ('SELECT o."OrderId", o.total FROM "Orders" AS o', True),
        ("SELECT total_amount FROM Sales", True),  # unquoted names fold to lower case, like PostgreSQL does
        ("SELECT orderid FROM orders", False),  # PostgreSQL itself would say: relation "orders" does not exist
    ],
)
def test_postgres_mixed_case_names_follow_postgres_rules(sql: str, valid: bool) -> None:
    validator = SQLValidator(MIXED_CASE, "postgres")
    if valid:
        validator.validate(sql)
    else:
        with pytest.raises(SQLValidationError, match="Unknown table"):
            validator.validate(sql)


def test_sqlite_reads_a_double_quoted_name_no_column_has_as_a_string_as_sqlite_does() -> None:
    validator = SQLValidator(sample_schema("sqlite"), "sqlite")
    assert validator.validate('SELECT COUNT(*) FROM customers WHERE region = "Europe"') is not None
    assert validator.validate('SELECT "first_name" FROM customers WHERE "region" = "Europe"') is not None
    # A qualified name is always a column, in SQLite too: c."Europe" is refused as it would be there.
    error = refusal(validator, 'SELECT c."Europe" FROM customers AS c')
    assert error.context["reason"] == "unknown_column"
    # An unknown bare name is still refused.
    assert refusal(validator, "SELECT COUNT(*) FROM customers WHERE region = Europe").context["column"] == "europe"


def test_postgres_never_reads_a_double_quoted_name_as_a_string() -> None:
    validator = SQLValidator(sample_schema("postgres"), "postgres")
    error = refusal(validator, 'SELECT COUNT(*) FROM customers WHERE region = "Europe"')
    assert error.context["reason"] == "unknown_column"


# Each query is run on a real PostgreSQL: the validator must accept exactly what the database runs.
QUOTED_QUALIFIERS = [
    'SELECT "Student"."Fname" FROM "Student"',
    'SELECT "Student"."Fname" FROM "Has_Pet" JOIN "Student" ON "Student"."StuID" = "Has_Pet"."StuID"',
    'SELECT "Student"."Fname" FROM "Student" WHERE "Student"."StuID" IN (SELECT "Has_Pet"."StuID" FROM "Has_Pet")',
    'SELECT s."Fname" FROM "Student" AS s',
    "SELECT pets.petid FROM pets",
    'SELECT "pets".petid FROM Pets',
    'SELECT student."Fname" FROM "Student"',  # PostgreSQL: missing FROM-clause entry for table "student"
    'SELECT "Student".fname FROM "Student"',  # column "fname" does not exist
    'SELECT "PETS".petid FROM pets',
    'SELECT "Student"."Fname" FROM "Student" AS s',  # once renamed, the table's own name is gone
]


def test_postgres_quoted_table_qualifiers_are_judged_as_postgresql_judges_them(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("quoted_names")
    postgres_server.execute(
        'CREATE TABLE "Student" ("StuID" integer PRIMARY KEY, "Fname" text); '
        'CREATE TABLE "Has_Pet" ("StuID" integer REFERENCES "Student", "PetID" integer); '
        "CREATE TABLE pets (petid integer)",
        database="quoted_names",
    )
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        validator = SQLValidator(describe_database(engine), "postgres")
    finally:
        engine.dispose()
    verdicts = {}
    for sql in QUOTED_QUALIFIERS:
        try:
            postgres_server.execute(sql, database="quoted_names")
            runs = True
        except psycopg.Error:
            runs = False
        try:
            validator.validate(sql)
            accepted = True
        except SQLValidationError:
            accepted = False
        verdicts[sql] = (runs, accepted)
    assert all(runs == accepted for runs, accepted in verdicts.values()), verdicts
    assert sum(runs for runs, _ in verdicts.values()) == 6  # both kinds are in the list
    # The join mend on such a schema now passes its own re-check, and PostgreSQL runs what it wrote.
    written = 'SELECT t1."Fname" FROM "Has_Pet" AS t1'
    with pytest.raises(SQLValidationError) as caught:
        validator.validate(written)
    mended = repaired_sql(written, validator, caught.value)
    assert mended is not None
    assert (
        mended[0]
        == 'SELECT "Student"."Fname" FROM "Has_Pet" AS t1 LEFT JOIN "Student" ON "Student"."StuID" = t1."StuID"'
    )
    postgres_server.execute(mended[0], database="quoted_names")
    # A column spelt in another case under the quoted name is that table's miss, mended to the schema's spelling.
    written = 'SELECT "Student".fname FROM "Student"'
    with pytest.raises(SQLValidationError) as miss:
        validator.validate(written)
    assert miss.value.message.startswith("Unknown column Student.fname: Student has no column 'fname'")
    mended = repaired_sql(written, validator, miss.value)
    assert mended is not None
    assert mended[0] == 'SELECT "Student"."Fname" FROM "Student"'
    postgres_server.execute(mended[0], database="quoted_names")


@pytest.mark.parametrize(
    "sql",
    ["SELECT COUNT(*) FROM customers CROSS JOIN customers", "SELECT COUNT(*) FROM customers NATURAL JOIN customers"],
)
def test_sqlite_runs_a_table_joined_to_itself_without_aliases_and_so_does_the_validator(sql: str) -> None:
    SQLValidator(sample_schema("sqlite"), "sqlite").validate(sql)
