"""The question sets of the accuracy benchmark: where their databases come from and how to read them.

- `spider`: questions of the Spider dev set over its own SQLite databases, each committed as a SQL dump under
  evals/spider/databases/ and rebuilt into a fresh file for every run (evals/spider/README.md).
- `large`: questions of the Spider dev set asked of one database of 124 Spider tables, evals/large_schema/.
- `metadata`: questions over the sample data that only the product metadata (aliases, business terms) can
  answer, evals/metadata_questions.yaml, run against the servers of the registry (`talk2tables up`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.errors import ConfigurationError

SPIDER_DIR = Path("evals/spider")
LARGE_SCHEMA_DIR = Path("evals/large_schema")
METADATA_QUESTIONS = Path("evals/metadata_questions.yaml")


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold_sql: str
    db: str  # the database it is asked of: a Spider database name, or the registry key of a Database MCP


def load_questions(path: Path, *, default_db: str | None = None) -> list[Question]:
    """A YAML list of {id, question, gold_sql[, db]}; every problem is named, with its entry's number."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"Cannot read the question set {path}: {exc}") from exc
    if not isinstance(data, list) or not data:
        raise ConfigurationError(f"{path} must hold a non-empty list of {{id, question, gold_sql}} entries.")
    questions, problems, seen = [], [], set()
    for number, entry in enumerate(data, 1):
        if not isinstance(entry, dict):
            problems.append(f"entry {number}: expected a mapping")
            continue
        missing = [k for k in ("id", "question", "gold_sql") if not str(entry.get(k) or "").strip()]
        db = str(entry.get("db") or default_db or "")
        if not db:
            missing.append("db")
        if missing:
            problems.append(f"entry {number}: missing {', '.join(missing)}")
            continue
        if entry["id"] in seen:
            problems.append(f"entry {number}: the id {entry['id']!r} is used twice")
        seen.add(entry["id"])
        questions.append(Question(str(entry["id"]), str(entry["question"]).strip(), str(entry["gold_sql"]), db))
    if problems:
        raise ConfigurationError(f"{path} has invalid entries: " + "; ".join(problems))
    return questions


def build_spider_database(name: str, into: Path, *, source: Path = SPIDER_DIR) -> Path:
    """A fresh SQLite file for one Spider database, from its committed dump; raises when there is none."""
    dump = source / "databases" / f"{name}.sql"
    if not dump.is_file():
        raise ConfigurationError(f"No database {name!r} in {source}: {dump} does not exist.")
    target = into / f"{name}.sqlite"
    target.unlink(missing_ok=True)
    connection = sqlite3.connect(target)  # noqa: TID251 - the benchmark's own database, built from its dump
    try:
        connection.executescript(dump.read_text(encoding="utf-8"))
        connection.commit()
    finally:
        connection.close()
    return target


def sqlite_ddl(path: Path) -> str:
    """The database's own CREATE statements, as the bare model is given them."""
    rows = run_read_only(path, "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL "
                               "AND name NOT LIKE 'sqlite_%' ORDER BY name")[1]  # fmt: skip
    return ";\n\n".join(str(row[0]).strip() for row in rows) + ";"


def run_read_only(path: Path, sql: str, *, max_rows: int = 10_000) -> tuple[list[str], list[list[Any]]]:
    """Run one statement through the product's read-only engine (the database itself refuses any write): its
    columns and at most `max_rows` rows."""
    engine = create_readonly_engine(str(path))
    try:
        with engine.connect() as connection:
            result = connection.exec_driver_sql(sql)
            return list(result.keys()), [list(row) for row in result.fetchmany(max_rows)]
    finally:
        engine.dispose()


def databases_of(questions: Sequence[Question]) -> list[str]:
    return sorted({q.db for q in questions})
