"""Gathered resources of the shape the MCP servers expose, for tests that need no server (unit level)."""

from __future__ import annotations

from typing import Any

from talk2tables.models import ResourceData
from talk2tables.sql_generation.context import GenerationContext


def _table(name: str, columns: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "row_count": 10,
        "primary_key": [columns[0][0]],
        "columns": [
            {"name": c, "type": t, "nullable": False, "primary_key": i == 0, "sample_values": []}
            for i, (c, t) in enumerate(columns)
        ],
        "foreign_keys": extra.get("foreign_keys", []),
    }


def sample_schema(dialect: str = "sqlite") -> dict[str, Any]:
    return {
        "dialect": dialect,
        "tables": [
            _table(
                "customers",
                [("customer_id", "INTEGER"), ("first_name", "VARCHAR(50)"), ("last_name", "VARCHAR(50)"),
                 ("city", "VARCHAR(60)"), ("region", "VARCHAR(30)")],
            ),
            _table(
                "products",
                [("product_id", "INTEGER"), ("product_name", "VARCHAR(80)"), ("category", "VARCHAR(40)"),
                 ("price", "NUMERIC(10, 2)")],
            ),
            _table(
                "sales",
                [("sale_id", "INTEGER"), ("product_id", "INTEGER"), ("customer_id", "INTEGER"),
                 ("sale_date", "DATE"), ("quantity", "INTEGER"), ("total_amount", "NUMERIC(10, 2)")],
                foreign_keys=[
                    {"columns": ["product_id"], "references_table": "products", "references_columns": ["product_id"]},
                    {"columns": ["customer_id"], "references_table": "customers",
                     "references_columns": ["customer_id"]},
                ],
            ),
        ],
    }  # fmt: skip


PRODUCT_ALIASES = {
    "abracadabra": {
        "canonical_id": "PROD_123",
        "canonical_name": "Magic Wand Pro",
        "aliases": ["abra", "cadabra", "magic_wand"],
        "database_references": {"products.product_name": "Magic Wand Pro", "products.product_id": 123},
        "categories": ["entertainment", "magic"],
    }
}
COLUMN_MAPPINGS = {
    "user_friendly_terms": {"sales amount": "sales.total_amount", "revenue": "sales.total_amount"},
    "aggregation_terms": {"total": "SUM", "average": "AVG", "count": "COUNT"},
}


def database_server(dialect: str = "sqlite", *, priority: int = 10) -> ResourceData:
    return ResourceData(
        name="Database MCP",
        server_key="database",
        url="http://127.0.0.1:8000/sse",
        priority=priority,
        domains=["sales", "customers"],
        capabilities=["execute_query", "list_resources"],
        resources={
            "database://schema": sample_schema(dialect),
            "database://metadata": {"description": "# Shop\nRevenue means SUM(sales.total_amount).", "source": "x"},
        },
    )


def metadata_server(*, priority: int = 1, aliases: dict[str, Any] | None = None) -> ResourceData:
    return ResourceData(
        name="Product Metadata MCP",
        server_key="product_metadata",
        url="http://127.0.0.1:8002/sse",
        priority=priority,
        domains=["products", "aliases"],
        capabilities=["list_resources"],
        resources={
            "resource://product_aliases": aliases if aliases is not None else PRODUCT_ALIASES,
            "resource://column_mappings": COLUMN_MAPPINGS,
        },
    )


def sample_context(dialect: str = "sqlite") -> GenerationContext:
    return GenerationContext.from_servers([database_server(dialect), metadata_server()], dialect)
