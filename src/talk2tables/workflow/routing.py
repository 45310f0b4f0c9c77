"""Where the LLM's SQL runs: the database it named, decided once per attempt and carried to validation,
execution and the result. With one database there is nothing to decide; with several, the LLM's `server`
(or its `parts`) says where, and a mistake is a validation error it can correct, never a guess of ours."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from talk2tables.errors import SQLValidationError
from talk2tables.sql_generation.context import Database, GenerationContext
from talk2tables.sql_generation.output import COMBINE, Answer, QueryPart
from talk2tables.sql_generation.repair import ColumnFix, repaired_sql, term_fix
from talk2tables.sql_generation.terms import metadata_terms
from talk2tables.sql_generation.validator import SQLValidator

MAX_PARTS = 4
_PART_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class RoutedQuery:
    """One query and the database it runs on; `part` names it when it is one part of a combined answer."""

    database: Database
    sql: str
    part: str | None = None

    @property
    def label(self) -> str:
        where = f"{self.database.name} ({self.database.key})"
        return f"part {self.part!r} on {where}" if self.part else where


@dataclass(frozen=True)
class QueryPlan:
    """What to run: one query, or one query per database plus the SQLite query that combines their rows."""

    queries: tuple[RoutedQuery, ...]
    combine_sql: str | None = None

    @property
    def combined(self) -> bool:
        return self.combine_sql is not None

    @property
    def server(self) -> str:
        """The key the result names: the one database's, or "combine"."""
        return COMBINE if self.combined else self.queries[0].database.key

    @property
    def server_name(self) -> str:
        return "combined in memory" if self.combined else self.queries[0].database.name

    def display_sql(self) -> str:
        """The SQL a person reads: the query, or each part (with where it ran) and then the combination."""
        if not self.combined:
            return self.queries[0].sql
        blocks = [f"-- {q.label}\n{q.sql.rstrip().rstrip(';')};" for q in self.queries]
        blocks.append(f"-- combining the parts' rows (in memory)\n{(self.combine_sql or '').strip()}")
        return "\n\n".join(blocks)


def plan_query(answer: Answer, context: GenerationContext) -> QueryPlan:
    """The LLM's answer as a plan, or SQLValidationError saying what to fix (its next attempt reads it)."""
    sql = answer.sql.strip()
    if not context.several:
        return QueryPlan((RoutedQuery(context.default, sql),))
    server = getattr(answer, "server", "").strip()
    parts: list[QueryPart] = list(getattr(answer, "parts", []) or [])
    if parts or server.lower() == COMBINE:
        return QueryPlan(tuple(_part(p, context) for p in _checked_parts(parts)), combine_sql=sql)
    return QueryPlan((RoutedQuery(_database(server, context), sql),))


def validate_plan(plan: QueryPlan, context: GenerationContext) -> None:
    """Each query against its own database's schema, in its dialect. A table that lives on another database
    is a routing mistake: the message says where the table is."""
    for query in plan.queries:
        try:
            SQLValidator(query.database.schema, query.database.dialect).validate(query.sql)
        except SQLValidationError as exc:
            message = exc.message + _elsewhere(exc, query, context)
            if query.part:
                message = f"Part {query.part!r} (server {query.database.key}): {message}"
            raise SQLValidationError(message, **{**exc.context, "server": query.database.key}) from exc


def checked_plan(
    plan: QueryPlan, context: GenerationContext, *, repair: bool = True
) -> tuple[QueryPlan, list[ColumnFix]]:
    """The plan once it passes validation, and the column mends that made it pass (repair.py): a column reference
    the schema leaves one reading of is mended instead of costing an LLM attempt. Otherwise the first error."""
    try:
        validate_plan(plan, context)
    except SQLValidationError as exc:
        if not repair or plan.combined:
            raise
        query = plan.queries[0]
        validator = SQLValidator(query.database.schema, query.database.dialect)
        if not exc.context.get("fix"):  # the schema has no reading of it; a business term named like it may
            terms = {t.name: t.meaning for t in metadata_terms(context).values() if t.kind == "column"}
            fix = term_fix(query.sql, validator, exc, terms)
            exc = SQLValidationError(exc.message, **{**exc.context, "fix": fix.to_context()}) if fix else exc
        mended = repaired_sql(query.sql, validator, exc)
        if mended is None:
            raise
        sql, fixes = mended
        return QueryPlan((replace(query, sql=sql),)), fixes
    return plan, []


def _database(server: str, context: GenerationContext) -> Database:
    # The key the prompt gives, or the server's name: both are the LLM's own words for one server.
    for database in context.databases:
        if server.lower() in (database.key.lower(), database.name.lower()):
            return database
    known = ", ".join(f"{d.key} ({d.name}: {', '.join(d.table_names[:12]) or 'no tables'})" for d in context.databases)
    if not server:
        problem = "The answer does not say which database the query runs on"
    else:
        problem = f"There is no database server {server!r}"
    raise SQLValidationError(
        f"{problem}. Set server to one of: {known}; or, when the question needs two databases, "
        f"set server to {COMBINE!r} and write one query per database in parts.",
        reason="routing",
        server=server,
    )


def _checked_parts(parts: list[QueryPart]) -> list[QueryPart]:
    if not parts:
        raise SQLValidationError(
            f"server is {COMBINE!r} but parts is empty: write one query per database in parts, "
            "each with a name, its server key and its sql.",
            reason="routing",
        )
    if len(parts) > MAX_PARTS:
        raise SQLValidationError(
            f"{len(parts)} parts; at most {MAX_PARTS}: one query per database is enough.", reason="routing"
        )
    seen: set[str] = set()
    for part in parts:
        name = part.name.strip()
        if not _PART_NAME.match(name):
            raise SQLValidationError(
                f"Part name {part.name!r} is not a table name: use letters, digits and _ (e.g. open_tickets).",
                reason="routing",
            )
        if name.lower() in seen:
            raise SQLValidationError(f"Two parts are named {name!r}: give each its own name.", reason="routing")
        seen.add(name.lower())
    return parts


def _part(part: QueryPart, context: GenerationContext) -> RoutedQuery:
    try:
        database = _database(part.server.strip(), context)
    except SQLValidationError as exc:
        raise SQLValidationError(f"Part {part.name!r}: {exc.message}", **exc.context) from exc
    if not part.sql.strip():
        raise SQLValidationError(f"Part {part.name!r} has no sql.", reason="routing")
    return RoutedQuery(database, part.sql.strip(), part=part.name.strip())


def _elsewhere(exc: SQLValidationError, query: RoutedQuery, context: GenerationContext) -> str:
    """ " It is on server X." for an unknown table that another database has."""
    table = exc.context.get("table")
    if exc.context.get("reason") != "unknown_table" or not isinstance(table, str):
        return ""
    holders = [d for d in context.databases if d.key != query.database.key and table.lower() in _lower(d.table_names)]
    if not holders:
        return ""
    where = ", ".join(f"{d.key} ({d.name})" for d in holders)
    other = holders[0].key
    shape = (
        f'{{"server": "{COMBINE}", "parts": [{{"name": "a", "server": "{query.database.key}", "sql": "SELECT ..."}}, '
        f'{{"name": "b", "server": "{other}", "sql": "SELECT ... FROM {table} ..."}}], '
        '"sql": "SELECT ... FROM a JOIN b ON ...", ...}'
    )
    return (
        f" Table {table!r} is on server {where}, not on {query.database.key}: set server to {other!r}, or, if "
        f"the question needs tables of both, write one query per server in parts and join them: {shape}."
    )


def _lower(names: list[str]) -> set[str]:
    return {n.lower() for n in names}
