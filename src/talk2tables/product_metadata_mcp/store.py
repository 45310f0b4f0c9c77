"""Reads and validates the product metadata file, fresh on every call (no caching, by design).

A missing, unreadable or invalid file raises MetadataError naming the file and every bad field;
nothing is ever returned from a file that did not validate completely.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from talk2tables.errors import MetadataError
from talk2tables.logging import Timer, get_logger
from talk2tables.product_metadata_mcp.models import ProductMetadata
from talk2tables.protocol import COLUMN_MAPPINGS_URI, METADATA_SUMMARY_URI, PRODUCT_ALIASES_URI

log = get_logger(__name__)

RESOURCE_DESCRIPTIONS: dict[str, str] = {
    PRODUCT_ALIASES_URI: "Every product by its alias key: canonical_id, canonical_name, the aliases "
    "people use, database_references (table.column → value) and categories.",
    COLUMN_MAPPINGS_URI: "user_friendly_terms (what people say → table.column or a SQL hint), "
    "aggregation_terms (word → SQL aggregate function) and term_servers (term → the registry key of the "
    "database server whose tables the term is about; terms not listed belong to no one server).",
    METADATA_SUMMARY_URI: "Counts, last_updated, categories, and what each resource holds.",
}

_FIX_HINT = "Fix the file (see docs/product-metadata.md), then check it with `talk2tables validate-metadata`."


def load_metadata(path: Path) -> ProductMetadata:
    """Read, parse and validate `path`; every failure becomes one MetadataError listing each problem."""
    timer = Timer()
    try:
        metadata = ProductMetadata.model_validate(_read_json(path))
    except MetadataError as error:
        log.warning("metadata_load", path=str(path), outcome="error", duration_ms=timer.elapsed_ms, error=error.message)
        raise
    except ValidationError as error:
        problems = validation_problems(error)
        message = f"Product metadata file {path} is invalid:\n" + "\n".join(f"- {p}" for p in problems)
        log.warning("metadata_load", path=str(path), outcome="invalid", duration_ms=timer.elapsed_ms, problems=problems)
        raise MetadataError(f"{message}\n{_FIX_HINT}", path=str(path), problems=problems) from None
    log.debug("metadata_load", path=str(path), outcome="ok", duration_ms=timer.elapsed_ms)
    return metadata


def _read_json(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise MetadataError(
            f"Product metadata file {path} does not exist. Create one with `talk2tables sample-data` "
            "or point --metadata (T2T_METADATA_PATH) at your file.",
            path=str(path),
        ) from None
    except IsADirectoryError:
        raise MetadataError(
            f"Product metadata file {path} is a directory, not a file. Point --metadata at the JSON file.",
            path=str(path),
        ) from None
    except OSError as error:
        raise MetadataError(
            f"Product metadata file {path} cannot be read ({error.strerror or error}). "
            "Check the path and its permissions.",
            path=str(path),
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MetadataError(
            f"Product metadata file {path} is not UTF-8 text (bad byte at offset {error.start}). Save it as UTF-8.",
            path=str(path),
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise MetadataError(
            f"Product metadata file {path} is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}. {_FIX_HINT}",
            path=str(path),
        ) from None


def validation_problems(error: ValidationError) -> list[str]:
    """One line per problem, each starting with the dotted location of the field, e.g.
    `product_aliases.abracadabra.aliases: ...`."""
    problems: list[str] = []
    for detail in error.errors(include_url=False):
        nested = (detail.get("ctx") or {}).get("problems")
        if nested:
            problems += [f"{p['loc']}: {p['msg']}" for p in nested]
            continue
        location = _dotted(detail["loc"]) or "(top level)"
        problems.append(f"{location}: {detail['msg']}{_shown_input(detail)}")
    return problems


def _dotted(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif part == "[key]":
            parts.append(" (the key)")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts)


def _shown_input(detail: Any) -> str:
    # Show short scalar inputs (a mistyped date, a number where text belongs); never whole sections.
    value = detail.get("input")
    if detail["type"] == "missing" or not isinstance(value, str | int | float | bool):
        return ""
    shown = json.dumps(value)
    return f" (got {shown})" if len(shown) <= 80 else ""


class MetadataStore:
    """The metadata file at one path; every method reads and validates it again."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def load(self) -> ProductMetadata:
        return load_metadata(self.path)

    def product_aliases(self) -> dict[str, Any]:
        """The file's `product_aliases` section, as JSON-ready data."""
        dumped: dict[str, Any] = self.load().model_dump(mode="json")["product_aliases"]
        return dumped

    def column_mappings(self) -> dict[str, Any]:
        """The file's `column_mappings` section, as JSON-ready data."""
        dumped: dict[str, Any] = self.load().model_dump(mode="json")["column_mappings"]
        return dumped

    def summary(self) -> dict[str, Any]:
        """Counts, last_updated, categories and what each resource holds."""
        return summarize(self.load(), source=self.path)


def summarize(metadata: ProductMetadata, *, source: Path) -> dict[str, Any]:
    products = metadata.product_aliases.values()
    mappings = metadata.column_mappings
    return {
        "source": str(source),
        "last_updated": metadata.model_dump(mode="json", include={"last_updated"})["last_updated"],
        "product_count": len(metadata.product_aliases),
        "alias_count": sum(len(p.aliases) for p in products),
        "categories": sorted({c for p in products for c in p.categories}),
        "user_friendly_term_count": len(mappings.user_friendly_terms),
        "aggregation_term_count": len(mappings.aggregation_terms),
        "servers_with_terms": sorted(set(mappings.term_servers.values())),
        "resources": RESOURCE_DESCRIPTIONS,
    }
