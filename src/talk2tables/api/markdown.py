"""A QueryResult as readable Markdown: for chat clients of the OpenAI-compatible endpoint."""

from __future__ import annotations

from typing import Any

from talk2tables.models import QueryResult
from talk2tables.workflow.outcome import answered_from

MAX_TABLE_ROWS = 50


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table_markdown(columns: list[str], rows: list[list[Any]], *, limit: int = MAX_TABLE_ROWS) -> str:
    if not columns:
        return "_No rows._"
    lines = ["| " + " | ".join(_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows[:limit]]
    if not rows:
        lines.append("| " + " | ".join("" for _ in columns) + " |")
    if len(rows) > limit:
        lines.append(f"\n_{len(rows) - limit} more rows not shown._")
    return "\n".join(lines)


def _entities(resolved: dict[str, Any]) -> list[str]:
    items = resolved.get("entities") if isinstance(resolved.get("entities"), list) else None
    if items is None:
        return [f"- **{k}** → {v}" for k, v in resolved.items() if k != "confidence"]
    lines = []
    for item in items:
        if isinstance(item, dict):
            source = f" _(from {item['source_server']})_" if item.get("source_server") else ""
            lines.append(f"- **{item.get('term', '?')}** → {item.get('resolved_to', '?')}{source}")
    return lines


def answer_markdown(result: QueryResult) -> str:
    """The answer (or the failure) as a chat message: explanation, table, SQL, resolved terms."""
    if not result.success:
        text = f"**Could not answer:** {result.error}"
        attempts = result.metadata.get("attempts") or []
        failed = [a for a in attempts if isinstance(a, dict) and a.get("error")]
        if len(failed) > 1:
            text += "\n\n" + "\n".join(f"{i}. {a['error']}" for i, a in enumerate(failed, 1))
        return text
    parts = []
    if result.explanation:
        parts.append(result.explanation)
    parts.append(table_markdown(result.result.columns, result.result.rows))
    if result.sql:
        parts.append(f"```sql\n{result.sql}\n```")
    entity_lines = _entities(result.resolved_entities)
    if entity_lines:
        parts.append("**Understood as:**\n" + "\n".join(entity_lines))
    where = answered_from(result.metadata)
    if where:
        parts.append(f"_Answered {where}._")
    return "\n\n".join(parts)
