"""The metadata models accept the documented format and reject each kind of mistake, naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from talk2tables.product_metadata_mcp.models import ProductMetadata, table_column_references
from talk2tables.product_metadata_mcp.store import validation_problems


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        ProductMetadata.model_validate(data)
    return validation_problems(raised.value)


def add_product(data: dict[str, Any], key: str, **fields: Any) -> dict[str, Any]:
    product = {
        "canonical_id": "PROD_999",
        "canonical_name": "Other Product",
        "aliases": ["other"],
        "database_references": {"products.product_id": 999},
        **fields,
    }
    data["product_aliases"][key] = product
    return product


def test_accepts_the_architecture_example(example: dict[str, Any]) -> None:
    metadata = ProductMetadata.model_validate(example)
    product = metadata.product_aliases["abracadabra"]
    assert product.canonical_name == "Magic Wand Pro"
    assert product.database_references == {"products.product_name": "Magic Wand Pro", "products.product_id": 123}
    assert metadata.last_updated == datetime(2025, 1, 15, 10, tzinfo=UTC)
    assert metadata.model_dump(mode="json") == example


def test_an_alias_used_by_two_products_names_the_second_product_and_the_first(example: dict[str, Any]) -> None:
    add_product(example, "rival", aliases=["Cadabra"])
    assert problems_of(example) == [
        "product_aliases.rival.aliases: 'Cadabra' already names product 'abracadabra'; names must be unique"
    ]


def test_an_alias_equal_to_another_products_name_or_key_is_ambiguous(example: dict[str, Any]) -> None:
    add_product(example, "rival", aliases=["magic wand pro", "ABRACADABRA"])
    problems = problems_of(example)
    assert len(problems) == 2
    assert all(p.startswith("product_aliases.rival.aliases: ") for p in problems)


def test_two_products_with_one_canonical_id_are_refused(example: dict[str, Any]) -> None:
    add_product(example, "rival", canonical_id="PROD_123")
    assert problems_of(example) == [
        "product_aliases.rival.canonical_id: 'PROD_123' is already the canonical_id of product 'abracadabra'"
    ]


def test_an_alias_listed_twice_in_one_product_is_refused(example: dict[str, Any]) -> None:
    example["product_aliases"]["abracadabra"]["aliases"].append("ABRA")
    assert problems_of(example) == ["product_aliases.abracadabra.aliases: alias 'ABRA' is listed twice"]


def test_a_product_may_use_its_own_name_as_an_alias(example: dict[str, Any]) -> None:
    example["product_aliases"]["abracadabra"]["aliases"].append("magic wand pro")
    assert ProductMetadata.model_validate(example).product_aliases["abracadabra"].aliases[-1] == "magic wand pro"


@pytest.mark.parametrize("key", ["product_name", "products.", "products.product name", "a.b.c"])
def test_database_reference_keys_must_be_table_dot_column(example: dict[str, Any], key: str) -> None:
    example["product_aliases"]["abracadabra"]["database_references"] = {key: "Magic Wand Pro"}
    (problem,) = problems_of(example)
    assert problem.startswith(f"product_aliases.abracadabra.database_references.{key} (the key): must be written")


@pytest.mark.parametrize("value", [True, None, ["Magic Wand Pro"], {"name": "x"}])
def test_database_reference_values_are_strings_or_numbers(example: dict[str, Any], value: Any) -> None:
    example["product_aliases"]["abracadabra"]["database_references"]["products.product_id"] = value
    (problem,) = problems_of(example)
    assert problem.startswith("product_aliases.abracadabra.database_references.products.product_id: must be a string")


def test_a_product_without_database_references_is_refused(example: dict[str, Any]) -> None:
    example["product_aliases"]["abracadabra"]["database_references"] = {}
    (problem,) = problems_of(example)
    assert problem.startswith("product_aliases.abracadabra.database_references: Dictionary should have at least 1")


def test_aggregation_terms_are_normalised_to_sql_aggregate_names(example: dict[str, Any]) -> None:
    example["column_mappings"]["aggregation_terms"] = {"total": "sum", "unique": "count  distinct", "top": "Max"}
    terms = ProductMetadata.model_validate(example).column_mappings.aggregation_terms
    assert terms == {"total": "SUM", "unique": "COUNT DISTINCT", "top": "MAX"}


def test_an_aggregation_term_that_is_not_a_sql_aggregate_is_refused_with_the_choices(example: dict[str, Any]) -> None:
    example["column_mappings"]["aggregation_terms"]["middle"] = "MEDIAN"
    (problem,) = problems_of(example)
    assert problem.startswith(
        "column_mappings.aggregation_terms.middle: 'MEDIAN' is not a SQL aggregate; use one of SUM"
    )


@pytest.mark.parametrize("value", [1736935200, "yesterday", "15/01/2025", None])
def test_last_updated_must_be_an_iso_date_time_string(example: dict[str, Any], value: Any) -> None:
    example["last_updated"] = value
    (problem,) = problems_of(example)
    assert problem.startswith("last_updated: ")


def test_a_misspelt_field_is_refused_rather_than_ignored(example: dict[str, Any]) -> None:
    example["column_mappings"]["user_friendly_term"] = {"revenue": "sales.total_amount"}
    example["product_aliases"]["abracadabra"]["alias"] = ["wand"]
    assert problems_of(example) == [
        "product_aliases.abracadabra.alias: Extra inputs are not permitted",
        "column_mappings.user_friendly_term: Extra inputs are not permitted",
    ]


def test_blank_names_and_terms_are_refused(example: dict[str, Any]) -> None:
    example["product_aliases"]["abracadabra"]["aliases"] = ["  "]
    example["column_mappings"]["user_friendly_terms"]["revenue"] = ""
    problems = problems_of(example)
    assert [p.split(":")[0] for p in problems] == [
        "product_aliases.abracadabra.aliases[0]",
        "column_mappings.user_friendly_terms.revenue",
    ]


def test_every_problem_is_reported_not_just_the_first(example: dict[str, Any]) -> None:
    example["last_updated"] = "soon"
    example["product_aliases"]["abracadabra"]["canonical_name"] = 7
    del example["column_mappings"]["aggregation_terms"]
    locations = [p.split(":")[0] for p in problems_of(example)]
    assert locations == [
        "last_updated",
        "product_aliases.abracadabra.canonical_name",
        "column_mappings.aggregation_terms",
    ]


def test_table_column_tokens_are_found_inside_sql_hints() -> None:
    hint = "sales.total_amount - products.unit_cost * sales.quantity (join products on product_id)"
    assert table_column_references(hint) == [
        ("sales", "total_amount"),
        ("products", "unit_cost"),
        ("sales", "quantity"),
    ]
    assert table_column_references("the current date") == []


def test_a_file_without_term_servers_stays_valid_and_ties_no_term(example: dict[str, Any]) -> None:
    mappings = ProductMetadata.model_validate(example).column_mappings
    assert mappings.term_servers == {}
    assert mappings.server_of("sales amount") is None


def test_term_servers_tie_defined_terms_to_registry_keys(example: dict[str, Any]) -> None:
    example["column_mappings"]["user_friendly_terms"]["open tickets"] = "tickets.status = 'open'"
    example["column_mappings"]["term_servers"] = {"sales amount": "database", "open tickets": "support"}
    mappings = ProductMetadata.model_validate(example).column_mappings
    assert mappings.server_of("open tickets") == "support"
    assert mappings.server_of("sales amount") == "database"
    assert mappings.server_of("count") is None


def test_term_servers_may_only_name_terms_the_file_defines(example: dict[str, Any]) -> None:
    example["column_mappings"]["term_servers"] = {"total": "database", "backlog": "support", "csat": "support"}
    assert problems_of(example) == [
        "column_mappings.term_servers.backlog: 'backlog' is not a term of user_friendly_terms or aggregation_terms; "
        "define it there first",
        "column_mappings.term_servers.csat: 'csat' is not a term of user_friendly_terms or aggregation_terms; "
        "define it there first",
    ]


@pytest.mark.parametrize("key", ["Support", "support desk", "", 7])
def test_term_servers_values_are_registry_keys(example: dict[str, Any], key: Any) -> None:
    example["column_mappings"]["term_servers"] = {"sales amount": key}
    (problem,) = problems_of(example)
    assert problem.startswith("column_mappings.term_servers.sales amount: ")
