"""`talk2tables validate-metadata --database-url` against a real PostgreSQL server holding the sample store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.postgres import PostgresServer

from .test_validate_metadata_cli import validate

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_the_sample_metadata_matches_the_sample_store_in_postgresql(
    metadata_file: Path, postgres_sample: PostgresServer, tmp_path: Path
) -> None:
    result = validate(metadata_file, "--database-url", postgres_sample.reader_url, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "is valid and matches the database: 18 products" in result.stdout


def test_postgresql_mismatches_are_listed_including_values_of_the_wrong_type(
    write_json: Callable[[Any], Path], sample: dict[str, Any], postgres_sample: PostgresServer, tmp_path: Path
) -> None:
    references = sample["product_aliases"]["robokit"]["database_references"]
    references["products.product_id"] = "171"  # text against an integer column: PostgreSQL refuses to compare
    references["products.product_name"] = "Robo Builder Kit 2"
    path = write_json(sample)
    result = validate(path, "--database-url", postgres_sample.reader_url, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].endswith("(2 problems):")
    assert lines[1:] == [
        "  - product_aliases.robokit.database_references.products.product_name: "
        "no row of products has product_name = 'Robo Builder Kit 2'",
        "  - product_aliases.robokit.database_references.products.product_id: "
        "'171' cannot be compared with products.product_id (INTEGER); use a value of that type",
    ]
