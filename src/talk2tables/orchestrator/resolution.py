"""Priority resolution: when several servers describe the same entity differently, the lower number wins.

Entities are recognised by the structure of the resources, not by matching the user's words:
tables (a `tables` list of objects with a `name`), product aliases (a mapping whose entries carry
`canonical_id`/`canonical_name`; the key and every alias name the product), and user-friendly or
aggregation terms (the `user_friendly_terms` / `aggregation_terms` mappings).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from talk2tables.logging import get_logger
from talk2tables.models import ResourceData

log = get_logger(__name__)

Entity = tuple[str, str]  # (kind, lower-cased name)
_MAX_DEPTH = 8
_TERM_KINDS = {"user_friendly_terms": "term", "aggregation_terms": "aggregation_term"}


def _norm(name: Any) -> str:
    return " ".join(str(name).split()).lower()


def _is_product_map(node: Mapping[str, Any]) -> bool:
    return bool(node) and all(
        isinstance(v, Mapping) and ("canonical_id" in v or "canonical_name" in v) for v in node.values()
    )


def _table_value(table: Mapping[str, Any]) -> Any:
    columns = table.get("columns")
    if isinstance(columns, list):
        return sorted(str(c.get("name")) for c in columns if isinstance(c, Mapping))
    return {k: v for k, v in table.items() if k != "name"}


def _add(found: dict[Entity, Any], kind: str, name: Any, value: Any) -> None:
    if isinstance(name, str) and name.strip():
        found.setdefault((kind, _norm(name)), value)  # within one server the first description stands


def _walk(node: Any, found: dict[Entity, Any], depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            _walk(item, found, depth + 1)
        return
    if not isinstance(node, Mapping):
        return
    if _is_product_map(node):
        for key, entry in node.items():
            value = {k: entry.get(k) for k in ("canonical_id", "canonical_name") if k in entry}
            for name in [key, *(entry.get("aliases") or [])]:
                _add(found, "product_alias", name, value)
        return
    for key, child in node.items():
        if key == "tables" and isinstance(child, list):
            for table in child:
                if isinstance(table, Mapping):
                    _add(found, "table", table.get("name"), _table_value(table))
        elif key in _TERM_KINDS and isinstance(child, Mapping):
            for term, meaning in child.items():
                _add(found, _TERM_KINDS[key], term, meaning)
        else:
            _walk(child, found, depth + 1)


def entities(resources: Mapping[str, Any]) -> dict[Entity, Any]:
    """Every entity one server's resources describe, with that server's description of it."""
    found: dict[Entity, Any] = {}
    for uri in sorted(resources):
        _walk(resources[uri], found, 0)
    return found


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def find_conflicts(servers: Iterable[ResourceData]) -> list[dict[str, Any]]:
    """Entities that servers describe differently; the lowest priority number wins. Logged as they are found."""
    ordered = sorted(servers, key=lambda s: s.priority)
    seen: dict[Entity, list[tuple[ResourceData, Any]]] = {}
    for server in ordered:
        for entity, value in entities(server.resources).items():
            seen.setdefault(entity, []).append((server, value))
    conflicts: list[dict[str, Any]] = []
    for (kind, name), described in sorted(seen.items()):
        (winner, winning_value), rest = described[0], described[1:]
        losers = [(s, v) for s, v in rest if not _same(v, winning_value)]
        if not losers:
            continue
        conflict = {
            "kind": kind,
            "entity": name,
            "winner": {"server": winner.server_key, "priority": winner.priority, "value": winning_value},
            "overridden": [{"server": s.server_key, "priority": s.priority, "value": v} for s, v in losers],
            "rule": "lower priority number wins",
        }
        log.info(
            "orchestrator.conflict",
            kind=kind,
            entity=name,
            winner=winner.server_key,
            overridden=[s.server_key for s, _ in losers],
        )
        conflicts.append(conflict)
    return conflicts
