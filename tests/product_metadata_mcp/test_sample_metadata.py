"""The packaged sample metadata is valid, covers the plan's terms and matches the sample database."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from talk2tables.product_metadata_mcp.models import ProductMetadata, table_column_references
from talk2tables.sample_data.catalog import CATALOG
from talk2tables.sample_data.metadata import build_sample_metadata, write_sample_metadata

PLAN_TERMS = (
    "sales amount",
    "revenue",
    "total sales",
    "order count",
    "customer name",
    "order date",
    "this month",
    "last quarter",
    "this year",
    "region",
    "category",
)


def test_sample_metadata_is_valid_and_has_every_catalog_product(sample: dict[str, Any]) -> None:
    metadata = ProductMetadata.model_validate(sample)
    assert len(metadata.product_aliases) >= 15
    assert list(metadata.product_aliases) == [p.alias_key for p in CATALOG]
    for product in CATALOG:
        entry = metadata.product_aliases[product.alias_key]
        assert entry.canonical_id == f"PROD_{product.product_id}"
        assert entry.canonical_name == product.name
        assert 2 <= len(entry.aliases) <= 4
        assert entry.categories == list(product.tags)
        assert entry.database_references == {
            "products.product_name": product.name,
            "products.product_id": product.product_id,
        }


def test_sample_metadata_maps_the_plans_terms(sample: dict[str, Any]) -> None:
    terms = sample["column_mappings"]["user_friendly_terms"]
    for term in PLAN_TERMS:
        assert terms.get(term), f"{term!r} has no mapping"
    assert terms["sales amount"] == "sales.total_amount"
    assert "sales.sale_date" in terms["this month"]
    aggregates = sample["column_mappings"]["aggregation_terms"]
    assert {aggregates[word] for word in ("total", "average", "count", "maximum", "minimum")} == {
        "SUM",
        "AVG",
        "COUNT",
        "MAX",
        "MIN",
    }


def columns_of(database: Path) -> dict[str, set[str]]:
    engine = create_engine(f"sqlite:///{database}")
    try:
        inspector = inspect(engine)
        return {t: {c["name"] for c in inspector.get_columns(t)} for t in inspector.get_table_names()}
    finally:
        engine.dispose()


def test_every_database_reference_and_mapped_column_exists_in_the_sample_database(
    sample: dict[str, Any], sample_database: Path, support_database: Path
) -> None:
    engine = create_engine(f"sqlite:///{sample_database}")
    databases = {"database": columns_of(sample_database), "support": columns_of(support_database)}
    term_servers = sample["column_mappings"]["term_servers"]
    try:
        columns = databases["database"]
        checked = 0
        with engine.connect() as connection:
            for key, product in sample["product_aliases"].items():
                for reference, value in product["database_references"].items():
                    table, column = reference.split(".")
                    assert column in columns.get(table, set()), f"{key}: {reference} is not in the database"
                    found = connection.execute(
                        text(f'SELECT COUNT(*) FROM "{table}" WHERE "{column}" = :value'), {"value": value}
                    ).scalar_one()
                    assert found == 1, f"{key}: {reference} = {value!r} matches {found} rows"
                    checked += 1
        for term, hint in sample["column_mappings"]["user_friendly_terms"].items():
            server = term_servers.get(term, "database")
            for table, column in table_column_references(hint):
                assert column in databases[server].get(table, set()), f"{term!r}: {table}.{column} is not in {server}"
                checked += 1
        assert checked > 2 * len(CATALOG)
    finally:
        engine.dispose()


def test_every_column_term_names_a_column_or_is_a_date_hint(sample: dict[str, Any]) -> None:
    # Each hint must give the LLM something concrete: a table.column, or a phrase about the current date.
    for term, hint in sample["column_mappings"]["user_friendly_terms"].items():
        assert table_column_references(hint) or re.search(r"current date", hint), term


def test_write_sample_metadata_writes_the_built_content(tmp_path: Path) -> None:
    target = tmp_path / "nested" / "dir" / "product_metadata.json"
    assert write_sample_metadata(target) == target
    assert json.loads(target.read_text(encoding="utf-8")) == build_sample_metadata()
    assert target.stat().st_mode & 0o777 == 0o644
    assert os.listdir(target.parent) == ["product_metadata.json"]


def test_write_sample_metadata_replaces_an_existing_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "product_metadata.json"
    target.write_text("old content that is not JSON")
    inode_before = target.stat().st_ino
    write_sample_metadata(str(target))
    assert json.loads(target.read_text())["last_updated"] == "2025-01-15T10:00:00Z"
    # A new inode: the content arrived by rename, so no reader could see a half-written file.
    assert target.stat().st_ino != inode_before
    assert os.listdir(tmp_path) == ["product_metadata.json"]


def test_a_failed_write_leaves_no_temporary_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "product_metadata.json"
    target.mkdir()  # os.replace cannot put a file over a directory
    (target / "keep").write_text("x")
    with pytest.raises(OSError, match=r"product_metadata\.json"):
        write_sample_metadata(target)
    assert sorted(os.listdir(tmp_path)) == ["product_metadata.json"]
    assert (target / "keep").read_text() == "x"


SUPPORT_VOCABULARY = ("open tickets", "backlog", "urgent", "resolution time", "CSAT", "agent")


def test_the_support_desk_vocabulary_is_tied_to_the_support_server(sample: dict[str, Any]) -> None:
    mappings = sample["column_mappings"]
    for term in SUPPORT_VOCABULARY:
        assert mappings["user_friendly_terms"].get(term), f"{term!r} has no mapping"
        assert mappings["term_servers"][term] == "support", term
    assert "tickets.status" in mappings["user_friendly_terms"]["open tickets"]
    assert "tickets.priority" in mappings["user_friendly_terms"]["urgent"]
    assert "tickets.closed_at - tickets.opened_at" in mappings["user_friendly_terms"]["resolution time"]


def test_each_term_is_tied_to_the_server_whose_tables_it_names(sample: dict[str, Any]) -> None:
    support_tables = {"agents", "tickets", "satisfaction_ratings"}
    mappings = sample["column_mappings"]
    for term, server in mappings["term_servers"].items():
        tables = {table for table, _ in table_column_references(mappings["user_friendly_terms"][term])}
        assert tables, term
        assert (tables <= support_tables) == (server == "support"), (term, server, tables)
    assert mappings["term_servers"]["revenue"] == "database"
    assert "today" not in mappings["term_servers"]  # dates apply to both databases
