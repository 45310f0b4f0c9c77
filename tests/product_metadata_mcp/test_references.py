"""Checking a metadata file against a real database finds every reference that is not there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from talk2tables.database_mcp.engine import create_readonly_engine, normalize_database_url
from talk2tables.product_metadata_mcp.models import ProductMetadata
from talk2tables.product_metadata_mcp.references import reference_problems


@pytest.fixture
def engine(sample_database: Path) -> Iterator[Engine]:
    engine = create_readonly_engine(normalize_database_url(str(sample_database)))
    yield engine
    engine.dispose()


def problems(data: dict[str, Any], engine: Engine) -> list[str]:
    return reference_problems(ProductMetadata.model_validate(data), engine)


def test_the_sample_metadata_matches_the_sample_database(sample: dict[str, Any], engine: Engine) -> None:
    assert problems(sample, engine) == []


def test_a_value_missing_from_its_column_is_reported(sample: dict[str, Any], engine: Engine) -> None:
    sample["product_aliases"]["abracadabra"]["database_references"]["products.product_name"] = "Magic Wand"
    sample["product_aliases"]["glow"]["database_references"]["products.product_id"] = 999999
    assert problems(sample, engine) == [
        "product_aliases.abracadabra.database_references.products.product_name: "
        "no row of products has product_name = 'Magic Wand'",
        "product_aliases.glow.database_references.products.product_id: no row of products has product_id = 999999",
    ]


def test_a_missing_table_or_column_is_reported_with_what_exists(sample: dict[str, Any], engine: Engine) -> None:
    references = sample["product_aliases"]["titan"]["database_references"]
    references["product.product_id"] = 133
    references["products.sku"] = "T-1"
    found = problems(sample, engine)
    assert found[0].startswith(
        "product_aliases.titan.database_references.product.product_id: the database has no table"
    )
    assert "(tables: customers, order_items, orders, products, sales)" in found[0]
    assert found[1].startswith("product_aliases.titan.database_references.products.sku: table 'products' has no column")
    assert "product_name" in found[1]
    assert len(found) == 2


def test_column_terms_naming_missing_columns_are_reported(sample: dict[str, Any], engine: Engine) -> None:
    terms = sample["column_mappings"]["user_friendly_terms"]
    terms["turnover"] = "sales.amount"
    terms["net"] = "SUM(sales.net_amount) per sales.region"
    terms["margin"] = "revenue.margin"
    assert [p.split(": ")[0] for p in problems(sample, engine)] == [
        "column_mappings.user_friendly_terms.turnover",
        "column_mappings.user_friendly_terms.net",
        "column_mappings.user_friendly_terms.margin",
    ]


def test_dotted_prose_inside_a_hint_is_not_mistaken_for_a_table(sample: dict[str, Any], engine: Engine) -> None:
    sample["column_mappings"]["user_friendly_terms"]["big spenders"] = "customers with many orders, e.g. over 10"
    assert problems(sample, engine) == []


def test_a_value_of_another_type_than_the_column_is_simply_not_found(sample: dict[str, Any], engine: Engine) -> None:
    sample["product_aliases"]["abracadabra"]["database_references"]["products.product_id"] = "one two three"
    (problem,) = problems(sample, engine)
    assert "no row of products has product_id = 'one two three'" in problem


@pytest.fixture
def support_engine(support_database: Path) -> Iterator[Engine]:
    engine = create_readonly_engine(normalize_database_url(str(support_database)))
    yield engine
    engine.dispose()


def test_terms_tied_to_the_support_server_are_checked_against_its_database_only(
    sample: dict[str, Any], engine: Engine, support_engine: Engine
) -> None:
    assert problems(sample, engine) == []  # the shop's check leaves tickets, agents and ratings alone
    assert reference_problems(ProductMetadata.model_validate(sample), support_engine, server="support") == []
    sample["column_mappings"]["user_friendly_terms"]["ticket status"] = "tickets.state"
    support_problems = reference_problems(ProductMetadata.model_validate(sample), support_engine, server="support")
    assert len(support_problems) == 1
    assert support_problems[0].startswith("column_mappings.user_friendly_terms.ticket status: table 'tickets' has no")
    assert problems(sample, engine) == []


def test_a_support_term_without_its_tie_is_checked_against_the_main_database(
    sample: dict[str, Any], engine: Engine
) -> None:
    del sample["column_mappings"]["term_servers"]["ticket status"]
    (problem,) = problems(sample, engine)
    assert problem.startswith("column_mappings.user_friendly_terms.ticket status: the database has no table 'tickets'")
