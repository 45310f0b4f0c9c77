"""Join clauses from the schema's foreign keys, for the errors that go back to the LLM.

A small model that used a column of a table it never joined (`WHERE products.product_name = ...` over `FROM sales`)
writes the same query again when the error only lists what exists. Given the join itself, it copies it. The
clause comes from the database's own foreign keys, never from the question: understanding stays with the LLM.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlglot import exp


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    references_table: str
    references_columns: tuple[str, ...]


def read_sources(select: exp.Select) -> list[exp.Expression]:
    """What one SELECT reads: its FROM item and each JOIN's (tables, subqueries, CTE references), in order."""
    start = select.args.get("from_") or select.args.get("from")  # the key's name differs across sqlglot versions
    return ([start.this] if start is not None else []) + [join.this for join in select.args.get("joins") or []]


def foreign_keys(schema: dict[str, Any]) -> list[ForeignKey]:
    """Every foreign key of a `database://schema` resource that names its columns on both sides."""
    keys = []
    for table in schema.get("tables", []):
        if not isinstance(table, dict) or not table.get("name"):
            continue
        for fk in table.get("foreign_keys") or []:
            if not isinstance(fk, dict):
                continue
            columns = tuple(str(c) for c in fk.get("columns") or [])
            referenced = tuple(str(c) for c in fk.get("references_columns") or [])
            if fk.get("references_table") and columns and len(columns) == len(referenced):
                keys.append(ForeignKey(str(table["name"]), columns, str(fk["references_table"]), referenced))
    return keys


def query_tables(statement: exp.Expression, schema_tables: Mapping[str, Any]) -> dict[str, str]:
    """The schema's tables the query reads, `{table name in lower case: the name or alias the query calls it}`."""
    known = {name.lower() for name in schema_tables}
    present: dict[str, str] = {}
    for table in statement.find_all(exp.Table):
        if table.name and table.name.lower() in known:
            present.setdefault(table.name.lower(), table.alias_or_name)
    return present


def join_clause(table: str, present: Mapping[str, str], keys: list[ForeignKey]) -> str | None:
    """`JOIN products ON products.product_id = s.product_id`: how to bring `table` into a query that reads
    `present` (query_tables), along a foreign key between them; None when no foreign key links them."""
    wanted = table.lower()
    for key in keys:
        if key.table.lower() == wanted and key.references_table.lower() in present:
            other = present[key.references_table.lower()]
            pairs = zip(key.columns, key.references_columns, strict=True)
        elif key.references_table.lower() == wanted and key.table.lower() in present:
            other = present[key.table.lower()]
            pairs = zip(key.references_columns, key.columns, strict=True)
        else:
            continue
        condition = " AND ".join(f"{table}.{mine} = {other}.{theirs}" for mine, theirs in pairs)
        return f"JOIN {table} ON {condition}"
    return None
