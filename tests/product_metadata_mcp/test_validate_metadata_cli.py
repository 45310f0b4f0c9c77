"""`talk2tables validate-metadata`: exit 0 for a good file, 1 with every problem listed otherwise."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import TALK2TABLES

from .cases import BAD_FILES, BadFile

pytestmark = pytest.mark.e2e


def validate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TALK2TABLES, "validate-metadata", *map(str, args)], capture_output=True, text=True, timeout=60, cwd=cwd
    )


def test_a_valid_file_exits_0_with_a_summary(metadata_file: Path, tmp_path: Path) -> None:
    result = validate(metadata_file, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{metadata_file} is valid: 18 products, 45 aliases, 51 column terms, 12 aggregation terms, "
        "43 terms tied to a server (database, support)."
    )
    assert result.stderr == ""


def test_a_valid_file_that_matches_the_database_exits_0(
    metadata_file: Path, sample_database: Path, tmp_path: Path
) -> None:
    result = validate(metadata_file, "--database-url", f"sqlite:///{sample_database}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "is valid and matches the database: 18 products" in result.stdout


@pytest.mark.parametrize("bad", BAD_FILES, ids=lambda bad: bad.id)
def test_a_bad_file_exits_1_naming_the_file_and_the_problem(metadata_file: Path, tmp_path: Path, bad: BadFile) -> None:
    bad.make(metadata_file)
    result = validate(metadata_file, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert str(metadata_file) in result.stderr
    for fragment in bad.expected:
        assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_is_listed_one_per_line(
    write_json: Callable[[Any], Path], sample: dict[str, Any], tmp_path: Path
) -> None:
    sample["last_updated"] = 20250115
    sample["product_aliases"]["qlx"]["aliases"].append("nimbus")
    sample["column_mappings"]["aggregation_terms"]["middle"] = "median"
    sample["column_mappings"]["user_friendly_terms"]["gross"] = 12
    path = write_json(sample)
    result = validate(path, cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path} is invalid (4 problems):"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  - last_updated",
        "  - product_aliases.cloud_buds.aliases",
        "  - column_mappings.user_friendly_terms.gross",
        "  - column_mappings.aggregation_terms.middle",
    ]


def test_references_missing_from_the_database_exit_1_and_are_all_listed(
    write_json: Callable[[Any], Path], sample: dict[str, Any], sample_database: Path, tmp_path: Path
) -> None:
    sample["product_aliases"]["atlas"]["database_references"]["products.product_name"] = "The Data Atlas 2"
    sample["product_aliases"]["atlas"]["database_references"]["books.isbn"] = "978-0"
    sample["column_mappings"]["user_friendly_terms"]["turnover"] = "sales.turnover"
    path = write_json(sample)
    result = validate(path, "--database-url", str(sample_database), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == f"{path} does not match the database {sample_database} (3 problems):"
    assert lines[1] == (
        "  - product_aliases.atlas.database_references.products.product_name: "
        "no row of products has product_name = 'The Data Atlas 2'"
    )
    assert lines[2].startswith("  - product_aliases.atlas.database_references.books.isbn: the database has no table")
    assert lines[3].startswith("  - column_mappings.user_friendly_terms.turnover: table 'sales' has no column")


def test_a_database_that_cannot_be_opened_exits_1_with_a_clear_error(metadata_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such.db"
    result = validate(metadata_file, "--database-url", str(missing), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "no-such.db" in result.stderr
    assert "Traceback" not in result.stderr
    assert not missing.exists()  # read-only: checking never creates a database


def test_a_file_that_is_not_a_database_exits_1_with_the_drivers_reason(metadata_file: Path, tmp_path: Path) -> None:
    result = validate(metadata_file, "--database-url", str(metadata_file), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: could not read the database {metadata_file}: file is not a database"


def test_the_file_is_only_read(metadata_file: Path, sample_database: Path, tmp_path: Path) -> None:
    before = (metadata_file.read_bytes(), sample_database.read_bytes())
    validate(metadata_file, "--database-url", str(sample_database), cwd=tmp_path)
    assert (metadata_file.read_bytes(), sample_database.read_bytes()) == before
    assert json.loads(before[0])["last_updated"] == "2025-01-15T10:00:00Z"


def test_terms_tied_to_another_server_are_checked_against_its_database(
    metadata_file: Path, sample_database: Path, support_database: Path, tmp_path: Path
) -> None:
    both = ("--database-url", sample_database, "--server-database-url", f"support={support_database}")
    result = validate(metadata_file, *both, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "is valid and matches the databases: 18 products" in result.stdout
    wrong = validate(metadata_file, "--server-database-url", f"support={sample_database}", cwd=tmp_path)
    assert wrong.returncode == 1
    lines = wrong.stderr.splitlines()
    assert lines[0].startswith(f"{metadata_file} does not match the database of server 'support' {sample_database} (")
    assert all("tickets" in line or "agents" in line or "satisfaction_ratings" in line for line in lines[1:])


def test_a_server_database_url_without_a_key_is_refused(metadata_file: Path, tmp_path: Path) -> None:
    result = validate(metadata_file, "--server-database-url", "test_data/support.db", cwd=tmp_path)
    assert result.returncode == 1
    assert "is not KEY=URL" in result.stderr
