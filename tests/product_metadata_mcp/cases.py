"""Every way a metadata file can be bad, with the words the error must contain (file name added by tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talk2tables.sample_data.metadata import build_sample_metadata


@dataclass(frozen=True)
class BadFile:
    id: str
    make: Callable[[Path], None]
    expected: tuple[str, ...]


def _json(edit: Callable[[dict[str, Any]], Any]) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        data = build_sample_metadata()
        result = edit(data)
        path.write_text(json.dumps(data if result is None else result), encoding="utf-8")

    return make


def _missing(path: Path) -> None:
    path.unlink(missing_ok=True)


def _directory(path: Path) -> None:
    # Running as root, chmod 000 would still be readable: a directory is the unreadable file.
    path.unlink(missing_ok=True)
    path.mkdir()


def _bytes(content: bytes) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(content)

    return make


def _wrong_types(data: dict[str, Any]) -> None:
    data["product_aliases"]["abracadabra"]["aliases"] = "abra"
    data["product_aliases"]["abracadabra"]["canonical_name"] = 123


def _missing_fields(data: dict[str, Any]) -> None:
    del data["column_mappings"]
    del data["product_aliases"]["abracadabra"]["canonical_id"]


def _duplicate_alias(data: dict[str, Any]) -> None:
    data["product_aliases"]["seer_sphere"]["aliases"].append("abra")


def _bad_last_updated(data: dict[str, Any]) -> None:
    data["last_updated"] = "yesterday"


BAD_FILES: tuple[BadFile, ...] = (
    BadFile("missing file", _missing, ("does not exist", "talk2tables sample-data")),
    BadFile("directory instead of a file", _directory, ("is a directory",)),
    BadFile("invalid UTF-8", _bytes(b'{"last_updated": "\xff\xfe"}'), ("not UTF-8",)),
    BadFile(
        "invalid JSON",
        _bytes(b'{"last_updated": "2025-01-15T10:00:00Z",\n  "product_aliases": {'),
        (
            "not valid JSON",
            "line 2",
        ),
    ),
    BadFile("empty file", _bytes(b""), ("not valid JSON", "line 1")),
    BadFile("array instead of an object", _json(lambda data: [data]), ("(top level)",)),
    BadFile(
        "wrong types",
        _json(_wrong_types),
        (
            "product_aliases.abracadabra.aliases: Input should be a valid list",
            "product_aliases.abracadabra.canonical_name",
        ),
    ),
    BadFile(
        "missing fields",
        _json(_missing_fields),
        ("column_mappings: Field required", "product_aliases.abracadabra.canonical_id: Field required"),
    ),
    BadFile(
        "alias shared by two products",
        _json(_duplicate_alias),
        ("product_aliases.seer_sphere.aliases: 'abra' already names product 'abracadabra'",),
    ),
    BadFile("last_updated not a date-time", _json(_bad_last_updated), ("last_updated:", '"yesterday"')),
)
