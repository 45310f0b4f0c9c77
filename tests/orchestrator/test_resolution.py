"""Priority resolution: the same entity described differently by two servers is a conflict the lower number wins."""

from __future__ import annotations

import json
from typing import Any

import pytest

from talk2tables.models import ResourceData
from talk2tables.orchestrator.resolution import entities, find_conflicts
from talk2tables.sample_data.metadata import build_sample_metadata


def server(key: str, priority: int, resources: dict[str, Any]) -> ResourceData:
    return ResourceData(
        name=key.title(), server_key=key, url=f"http://{key}/sse", priority=priority, resources=resources
    )


ALIASES = {
    "abracadabra": {
        "canonical_id": "PROD_123",
        "canonical_name": "Magic Wand Pro",
        "aliases": ["abra", "Cadabra"],
    }
}
SCHEMA = {
    "dialect": "sqlite",
    "tables": [{"name": "products", "columns": [{"name": "product_id"}, {"name": "product_name"}]}],
}


def test_recognises_tables_product_aliases_and_terms_by_structure() -> None:
    found = entities(
        {
            "database://schema": SCHEMA,
            "resource://product_aliases": ALIASES,
            "resource://column_mappings": {
                "user_friendly_terms": {"Sales Amount": "sales.total_amount"},
                "aggregation_terms": {"total": "SUM"},
            },
        }
    )
    assert found[("table", "products")] == ["product_id", "product_name"]
    for alias in ("abracadabra", "abra", "cadabra"):
        assert found[("product_alias", alias)] == {"canonical_id": "PROD_123", "canonical_name": "Magic Wand Pro"}
    assert found[("term", "sales amount")] == "sales.total_amount"
    assert found[("aggregation_term", "total")] == "SUM"


def test_product_aliases_are_found_inside_a_wrapping_document() -> None:
    found = entities({"resource://whatever": {"last_updated": "x", "product_aliases": ALIASES}})
    assert ("product_alias", "abra") in found


def test_the_lower_priority_number_wins_a_product_alias_conflict_whatever_the_order() -> None:
    metadata = server("product_metadata", 1, {"resource://product_aliases": ALIASES})
    other = server(
        "legacy",
        5,
        {"legacy://aliases": {"abra": {"canonical_id": "PROD_999", "canonical_name": "Abrasive Paper"}}},
    )
    for order in ([metadata, other], [other, metadata]):
        conflicts = find_conflicts(order)
        assert len(conflicts) == 1
        conflict = conflicts[0]
        assert conflict["kind"] == "product_alias"
        assert conflict["entity"] == "abra"
        assert conflict["winner"]["server"] == "product_metadata"
        assert conflict["winner"]["value"]["canonical_id"] == "PROD_123"
        assert [o["server"] for o in conflict["overridden"]] == ["legacy"]
        assert conflict["overridden"][0]["priority"] == 5


def test_a_term_mapped_differently_is_a_conflict_and_an_identical_one_is_not() -> None:
    first = server("a", 1, {"a://terms": {"user_friendly_terms": {"revenue": "sales.total_amount", "qty": "x.q"}}})
    second = server("b", 2, {"b://terms": {"user_friendly_terms": {"Revenue": "orders.total", "qty": "x.q"}}})
    conflicts = find_conflicts([first, second])
    assert [(c["kind"], c["entity"], c["winner"]["server"]) for c in conflicts] == [("term", "revenue", "a")]


def test_a_table_described_with_different_columns_is_a_conflict() -> None:
    database = server("database", 10, {"database://schema": SCHEMA})
    warehouse = server(
        "warehouse", 3, {"warehouse://schema": {"tables": [{"name": "Products", "columns": [{"name": "id"}]}]}}
    )
    (conflict,) = find_conflicts([database, warehouse])
    assert conflict["kind"] == "table"
    assert conflict["winner"]["server"] == "warehouse"
    assert conflict["overridden"][0]["value"] == ["product_id", "product_name"]


def test_servers_describing_different_things_have_no_conflicts() -> None:
    database = server("database", 10, {"database://schema": SCHEMA})
    metadata = server("product_metadata", 1, {"resource://product_aliases": ALIASES})
    assert find_conflicts([database, metadata]) == []


def test_one_server_repeating_itself_is_not_a_conflict() -> None:
    metadata = server(
        "product_metadata",
        1,
        {"resource://product_aliases": ALIASES, "resource://metadata_summary": {"product_aliases": ALIASES}},
    )
    assert find_conflicts([metadata]) == []


@pytest.mark.parametrize("value", [None, 3, "text", [], {}, [[[]]]])
def test_resources_of_any_shape_are_tolerated(value: Any) -> None:
    assert find_conflicts([server("a", 1, {"a://x": value}), server("b", 2, {"b://x": value})]) == []


def test_the_sample_metadata_yields_every_alias_of_the_catalog() -> None:
    metadata = build_sample_metadata()
    found = entities({"resource://product_aliases": json.loads(json.dumps(metadata["product_aliases"]))})
    assert ("product_alias", "abracadabra") in found
    assert ("product_alias", "magic_wand") in found
    assert found[("product_alias", "abra")]["canonical_name"] == "Magic Wand Pro"
