"""The store reads the file fresh every time and fails with one clear error naming the file and each field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from talk2tables.errors import MetadataError
from talk2tables.product_metadata_mcp.store import RESOURCE_DESCRIPTIONS, MetadataStore
from talk2tables.sample_data.catalog import CATALOG

from .cases import BAD_FILES, BadFile


def test_each_read_sees_the_file_as_it_is_now(metadata_file: Path) -> None:
    store = MetadataStore(metadata_file)
    assert store.product_aliases()["abracadabra"]["canonical_name"] == "Magic Wand Pro"

    data = json.loads(metadata_file.read_text())
    data["product_aliases"]["abracadabra"]["canonical_name"] = "Magic Wand Ultra"
    data["column_mappings"]["user_friendly_terms"]["turnover"] = "sales.total_amount"
    metadata_file.write_text(json.dumps(data))

    assert store.product_aliases()["abracadabra"]["canonical_name"] == "Magic Wand Ultra"
    assert store.column_mappings()["user_friendly_terms"]["turnover"] == "sales.total_amount"


def test_sections_are_served_exactly_as_the_file_holds_them(metadata_file: Path) -> None:
    data = json.loads(metadata_file.read_text())
    store = MetadataStore(metadata_file)
    assert store.product_aliases() == data["product_aliases"]
    assert store.column_mappings() == data["column_mappings"]


def test_summary_counts_products_aliases_terms_and_lists_categories(metadata_file: Path) -> None:
    summary = MetadataStore(metadata_file).summary()
    assert summary["source"] == str(metadata_file)
    assert summary["last_updated"] == "2025-01-15T10:00:00Z"
    assert summary["product_count"] == len(CATALOG)
    assert summary["alias_count"] == sum(len(p.aliases) for p in CATALOG)
    assert summary["categories"] == sorted({tag for p in CATALOG for tag in p.tags})
    data = json.loads(metadata_file.read_text())
    assert summary["user_friendly_term_count"] == len(data["column_mappings"]["user_friendly_terms"])
    assert summary["aggregation_term_count"] == len(data["column_mappings"]["aggregation_terms"])
    assert summary["servers_with_terms"] == ["database", "support"]
    assert summary["resources"] == RESOURCE_DESCRIPTIONS
    assert set(summary["resources"]) == {
        "resource://product_aliases",
        "resource://column_mappings",
        "resource://metadata_summary",
    }


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_a_bad_file_raises_one_error_naming_the_file_and_what_is_wrong(metadata_file: Path, bad: BadFile) -> None:
    bad.make(metadata_file)
    store = MetadataStore(metadata_file)
    for read in (store.load, store.product_aliases, store.column_mappings, store.summary):
        with pytest.raises(MetadataError) as raised:
            read()
        assert f"Product metadata file {metadata_file} " in raised.value.message
        for fragment in bad.expected:
            assert fragment in raised.value.message
        assert raised.value.context["path"] == str(metadata_file)


def test_validation_errors_carry_each_problem_separately(write_json: Callable[[Any], Path], sample: Any) -> None:
    sample["last_updated"] = "not a date"
    sample["product_aliases"]["glow"]["categories"] = "electronics"
    path = write_json(sample)
    with pytest.raises(MetadataError) as raised:
        MetadataStore(path).load()
    problems = raised.value.context["problems"]
    assert [p.split(":")[0] for p in problems] == ["last_updated", "product_aliases.glow.categories"]
    assert raised.value.message.endswith("`talk2tables validate-metadata`.")


def test_a_fixed_file_is_served_again_without_a_new_store(metadata_file: Path) -> None:
    good = metadata_file.read_bytes()
    store = MetadataStore(metadata_file)
    metadata_file.write_text("{")
    with pytest.raises(MetadataError):
        store.load()
    metadata_file.write_bytes(good)
    assert len(store.load().product_aliases) == len(CATALOG)


def test_a_path_through_a_file_is_reported_as_unreadable(metadata_file: Path) -> None:
    # Running as root, permissions cannot make a file unreadable; a path through a file can.
    path = metadata_file / "product_metadata.json"
    with pytest.raises(MetadataError) as raised:
        MetadataStore(path).load()
    assert raised.value.message == (
        f"Product metadata file {path} cannot be read (Not a directory). Check the path and its permissions."
    )


def test_store_accepts_a_string_path(metadata_file: Path) -> None:
    assert MetadataStore(str(metadata_file)).path == metadata_file
