"""Checks a metadata file against a real database: every reference names a table, a column and a value there.

Used by `talk2tables validate-metadata --database-url` (the database of registry key `database`) and
`--server-database-url KEY=URL` (another server's). Product references and the column terms that are not tied
to another server (`column_mappings.term_servers`) belong to `database`; a term tied to a server is checked only
against that server's database. It only reads (through the caller's engine, read-only for the CLI) and returns
one line per problem, each naming the field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnClause, Engine, column, inspect, literal, select, table
from sqlalchemy.exc import SQLAlchemyError

from talk2tables.product_metadata_mcp.models import (
    MAIN_SERVER,
    TABLE_COLUMN,
    ProductMetadata,
    table_column_references,
)

# table → column → its type as the database names it
Columns = dict[str, dict[str, str]]


def reference_problems(metadata: ProductMetadata, engine: Engine, *, server: str = MAIN_SERVER) -> list[str]:
    """The references that belong to `server` (a registry key), checked against its database behind `engine`:
    for the main server every `database_references` entry and every untied term, and for any server the
    `table.column`s of the terms tied to it."""
    columns = _columns_by_table(engine)
    problems: list[str] = []
    if server == MAIN_SERVER:
        problems += _product_problems(metadata, engine, columns)
    for term, hint in metadata.column_mappings.user_friendly_terms.items():
        if (metadata.column_mappings.server_of(term) or MAIN_SERVER) == server:
            problems += _hint_problems(f"column_mappings.user_friendly_terms.{term}", hint, columns)
    return problems


def _product_problems(metadata: ProductMetadata, engine: Engine, columns: Columns) -> list[str]:
    problems: list[str] = []
    for key, product in metadata.product_aliases.items():
        for reference, value in product.database_references.items():
            location = f"product_aliases.{key}.database_references.{reference}"
            table_name, column_name = reference.split(".", 1)
            problem = _missing(table_name, column_name, columns) or _value_problem(
                engine, table_name, column_name, value, columns[table_name][column_name]
            )
            if problem:
                problems.append(f"{location}: {problem}")
    return problems


def _columns_by_table(engine: Engine) -> Columns:
    inspector = inspect(engine)
    names = [*inspector.get_table_names(), *inspector.get_view_names()]
    return {name: {c["name"]: str(c["type"]) for c in inspector.get_columns(name)} for name in names}


def _missing(table_name: str, column_name: str, columns: Columns) -> str | None:
    if table_name not in columns:
        return f"the database has no table {table_name!r} (tables: {', '.join(sorted(columns)) or 'none'})"
    if column_name not in columns[table_name]:
        known = ", ".join(sorted(columns[table_name]))
        return f"table {table_name!r} has no column {column_name!r} (columns: {known})"
    return None


def _value_problem(engine: Engine, table_name: str, column_name: str, value: object, column_type: str) -> str | None:
    target: ColumnClause[Any] = column(column_name)
    query = select(literal(1)).select_from(table(table_name, target)).where(target == value).limit(1)
    try:
        with engine.connect() as connection:
            found = connection.execute(query).first() is not None
    except SQLAlchemyError:
        # e.g. PostgreSQL refusing to compare an integer column with text.
        return f"{value!r} cannot be compared with {table_name}.{column_name} ({column_type}); use a value of that type"
    return None if found else f"no row of {table_name} has {column_name} = {value!r}"


def _hint_problems(location: str, hint: str, columns: Columns) -> list[str]:
    # A bare `table.column` must exist. Inside a free-text hint a dotted word might be prose
    # ("e.g."), so only columns of tables that do exist are checked there.
    if TABLE_COLUMN.match(hint):
        table_name, column_name = hint.split(".", 1)
        missing = _missing(table_name, column_name, columns)
        return [f"{location}: {missing}"] if missing else []
    return [
        f"{location}: {missing}"
        for table_name, column_name in table_column_references(hint)
        if table_name in columns and (missing := _missing(table_name, column_name, columns))
    ]
