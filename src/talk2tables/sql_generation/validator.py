"""Validate generated SQL with sqlglot against the gathered `database://schema`, before it reaches the database.

Checks, in order: one statement, read-only (the Database MCP's own guard), in the schema's dialect; every
table exists (CTE names and table functions aside); every column resolves in its scope (aliases, CTEs,
subqueries), via sqlglot's optimizer `qualify`. Messages name what is wrong and what exists instead, because
they go back to the LLM for the next attempt.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from talk2tables.errors import SQLValidationError, UnsafeQueryError
from talk2tables.sql_generation.joins import foreign_keys, join_clause, query_tables, read_sources
from talk2tables.sql_generation.repair import ColumnFix, squashed
from talk2tables.sql_guard import TOO_DEEP, StaticCatalog, check_read_only
from talk2tables.sql_guard.relations import DEFAULT_SCHEMAS, real_tables

_UNRESOLVED = re.compile(r"Column '\"?(?P<column>[^'\"]+)\"?' could not be resolved(?: for table: '(?P<table>[^']+)')?")
_UNKNOWN = re.compile(r"Unknown column: (?P<column>\S+)")
MAX_LISTED_COLUMNS = 40
MAX_LISTED_HOLDERS = 8
# How alike a misspelt column must be to one the query's tables have to be suggested ('categories' -> category: 0.78).
CLOSE_MATCH_CUTOFF = 0.75
# Checking columns costs more than linear time in the size of the query (a 5,000-term OR chain took 9 s); no
# question needs SQL this long, and a bound keeps one answer from stalling every other request.
MAX_SQL_CHARS = 20_000
# Resolving columns grows faster than the query (900 NATURAL JOINs took 46 s, 9,000 added terms 26 s): bounds on
# the tree keep one answer's check well under a second. No question needs more.
MAX_NODES = 4_000
MAX_TABLE_REFERENCES = 64


def schema_mapping(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """`{table: {column: type}}` from a `database://schema` resource."""
    mapping: dict[str, dict[str, str]] = {}
    for table in schema.get("tables", []):
        if not isinstance(table, dict) or not table.get("name"):
            continue
        columns = table.get("columns") or []
        mapping[str(table["name"])] = {
            str(c["name"]): str(c.get("type") or "TEXT") for c in columns if isinstance(c, dict) and c.get("name")
        }
    return mapping


def primary_keys(schema: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """`{table in lower case: its primary key's columns in lower case}` from a `database://schema` resource."""
    keys: dict[str, tuple[str, ...]] = {}
    for table in schema.get("tables", []):
        if isinstance(table, dict) and table.get("name") and isinstance(table.get("primary_key"), list):
            keys[str(table["name"]).lower()] = tuple(str(c).lower() for c in table["primary_key"])
    return keys


class SQLValidator:
    """Checks SQL against one schema in one dialect; build one per request (the schema is read fresh)."""

    def __init__(self, schema: dict[str, Any], dialect: str) -> None:
        self.dialect = dialect
        self.mapping = schema_mapping(schema)
        self.foreign_keys = foreign_keys(schema)
        self.primary_keys = primary_keys(schema)
        tables: dict[str, object] = dict(self.mapping)
        # PostgreSQL names are case-sensitive once quoted ("Orders" is not orders): keep them as the database
        # reports them. SQLite ignores case, so there the schema is folded like the query.
        self._schema = MappingSchema(tables, dialect=dialect, normalize=dialect != "postgres")
        served_schema = str(schema.get("schema") or DEFAULT_SCHEMAS.get(dialect, "public"))
        self._catalog = StaticCatalog(self.mapping, schema=served_schema, case_sensitive=dialect == "postgres")

    def validate(self, sql: str) -> exp.Expression:
        """Return the parsed statement, or raise SQLValidationError with a message the LLM can act on."""
        if len(sql) > MAX_SQL_CHARS:
            raise SQLValidationError(
                f"The query is {len(sql):,} characters long; the limit is {MAX_SQL_CHARS:,}. Write a shorter query: "
                "aggregate in SQL, or filter with a join or a subquery instead of listing thousands of values.",
                reason="too_long",
                dialect=self.dialect,
            )
        try:
            # Shape and functions only: the tables and columns are checked below, with messages meant for the LLM.
            statement = check_read_only(sql, self.dialect, None).statement
        except UnsafeQueryError as exc:
            reason = "syntax" if "could not be parsed" in exc.message else "unsafe"
            raise SQLValidationError(exc.message, reason=reason, dialect=self.dialect) from exc
        _check_size(statement, self.dialect)
        try:
            # Fold names the way the database would (SQLite ignores case; PostgreSQL lowers unquoted names).
            normalized = normalize_identifiers(statement.copy(), dialect=self.dialect)
            if self.dialect == "sqlite":
                normalized = self._sqlite_string_fallback(normalized)
            self._check_tables(normalized)
            self._check_columns(normalized)
        except RecursionError as exc:  # a tree the parser managed but the optimizer cannot walk
            raise SQLValidationError(TOO_DEEP, reason="unsafe", dialect=self.dialect) from exc
        try:  # the Database MCP's own relation checks (dotted names, CTE scope), so it is refused here, not there
            check_read_only(sql, self.dialect, self._catalog)
        except UnsafeQueryError as exc:
            raise SQLValidationError(exc.message, reason="unsafe", dialect=self.dialect) from exc
        return statement

    def _sqlite_string_fallback(self, statement: exp.Expression) -> exp.Expression:
        """Read a double-quoted name that no column or alias of the query has as SQLite does: a string literal.

        SQLite runs `WHERE country = "France"` (https://sqlite.org/quirks.html#dblquote) and small models write
        it often; refusing it would deny what the database allows. The check only follows the database's own
        reading: the statement that runs is the one written, and SQLite resolves it the same way.
        """
        names = {c.lower() for t in self._referenced_tables(statement) for c in self.mapping[t]}
        names |= {a.alias.lower() for a in statement.find_all(exp.Alias, exp.TableAlias) if a.alias}
        names |= {t.name.lower() for t in statement.find_all(exp.Table) if t.name}
        for column in list(statement.find_all(exp.Column)):
            identifier = column.this
            if (
                isinstance(identifier, exp.Identifier)
                and identifier.quoted
                and not column.table
                and identifier.name.lower() not in names
            ):
                column.replace(exp.Literal.string(identifier.name))
        return statement

    def _check_tables(self, statement: exp.Expression) -> None:
        try:  # the guard's own reading of which names are tables (CTEs only where in scope, one schema)
            tables = real_tables(statement, self._catalog)
        except UnsafeQueryError as exc:
            raise SQLValidationError(exc.message, reason="unsafe", dialect=self.dialect) from exc
        for table in tables:
            if self._schema.find(table, raise_on_missing=False) is None:
                raise SQLValidationError(
                    f"Unknown table {table.name!r}: the database has no such table. "
                    f"Tables that exist: {', '.join(sorted(self.mapping)) or 'none'}.",
                    reason="unknown_table",
                    table=table.name,
                )

    def _check_columns(self, statement: exp.Expression) -> None:
        try:
            qualify(
                _self_aliased(statement.copy(), self.dialect),
                schema=self._schema,
                dialect=self.dialect,
                validate_qualify_columns=True,
                identify=False,
            )
        except SqlglotError as exc:
            raise self._column_error(str(exc), statement) from exc

    def _column_error(self, detail: str, statement: exp.Expression) -> SQLValidationError:
        referenced = self._referenced_tables(statement)
        present = query_tables(statement, self.mapping)  # once: every hint names the tables the way the query does
        match = _UNRESOLVED.search(detail) or _UNKNOWN.search(detail)
        if match is None:
            return SQLValidationError(
                f"The query does not fit the schema: {detail}. {self._columns_hint(referenced)}",
                reason="schema",
            )
        column = match.group("column").strip('"')
        holders = self._tables_with(column, referenced)
        # sqlglot says "Unknown column" of a prefixed reference whose table lacks the column (`oi.customer_id` over
        # order_items): that is no ambiguity, even where two other tables of the query have it (`_qualified_miss`).
        if len(holders) > 1 and match.re is _UNRESOLVED:
            return SQLValidationError(
                f"Ambiguous column {column!r}: it exists in {', '.join(holders)}; "
                "prefix it with the table name or alias.",
                reason="ambiguous_column",
                column=column,
            )
        alias = match.groupdict().get("table")
        if alias:
            known = _sources(statement)
            if alias.lower() not in {k.lower() for k in known}:
                return SQLValidationError(
                    f"Unknown table or alias {alias!r} in {alias}.{column}; the query's tables and aliases are: "
                    f"{', '.join(known) or 'none'}.{self._alias_fix(alias, column, present)}",
                    reason="unknown_alias",
                    column=column,
                    fix=_context(self._unjoined_fix(alias, column, present)),
                )
            return SQLValidationError(
                f"Unknown column {alias}.{column}: {alias} has no column {column!r}."
                f"{self._close_hint(column, referenced, present)} {self._columns_hint(referenced)}"
                f"{self._holders_hint(column, referenced, present)}",
                reason="unknown_column",
                column=column,
                fix=_context(self._prefixed_fix(alias, column, statement, present)),
            )
        qualified = self._qualified_miss(column, statement, present)
        if qualified is not None:
            return qualified
        return SQLValidationError(
            f"Unknown column {column!r}: no table in the query has it."
            f"{self._close_hint(column, referenced, present)} {self._columns_hint(referenced)}"
            f"{self._holders_hint(column, referenced, present)}",
            reason="unknown_column",
            column=column,
            fix=_context(
                self._spelling_fix(None, column, [t for t in self.mapping if t.lower() in present])
                or self._join_fix(None, column, present)
            ),
        )

    def _qualified_miss(
        self, column: str, statement: exp.Expression, present: dict[str, str]
    ) -> SQLValidationError | None:
        """`t2.name` where t2 is a table of the query that lacks the column (sqlglot says only "Unknown column: name"):
        name the table behind the alias, and the query's table that has the column. Told only that no table has it,
        a small model wrote `T2.Name` three times while `T1.Name` was the fix."""
        prefixes = [c.table for c in statement.find_all(exp.Column) if c.table and c.name.lower() == column.lower()]
        names = {t.alias_or_name.lower(): t.name for t in statement.find_all(exp.Table) if t.name}
        in_query = [t for t in self.mapping if t.lower() in present]
        derived = {name.lower() for name in _sources(statement)} - {t.lower() for t in self.mapping}
        for prefix in prefixes:
            table = next((t for t in self.mapping if t.lower() == names.get(prefix.lower(), "").lower()), None)
            if table is None and prefix.lower() in derived:  # a CTE or subquery that does not select the column
                # Only the tables beside it in the outer FROM can stand in for it (not those inside a subquery).
                beside = [t for t in self.mapping if t.lower() in _outer_tables(statement)]
                found = self._found_in(column, beside, present) or self._close_hint(column, in_query, present)
                return SQLValidationError(
                    f"Unknown column {prefix}.{column}: {prefix} (a CTE or subquery of the query) does not select "
                    f"{column!r}: select it there, or read it from a table that has it.{found} "
                    f"{self._columns_hint(in_query)}",
                    reason="unknown_column",
                    column=column,
                )
            if table is None or self._has_column(table, column):
                continue
            shown = prefix if prefix.lower() == table.lower() else f"{prefix} ({table})"
            found = self._found_in(column, [t for t in in_query if t != table], present)
            columns = self._columns_hint(in_query)
            if found:
                tail = f" {columns}{found}"
            else:
                tail = f"{self._close_hint(column, in_query, present)} {columns}"
                tail += self._holders_hint(column, in_query, present)
            return SQLValidationError(
                f"Unknown column {prefix}.{column}: {shown} has no column {column!r}.{tail}",
                reason="unknown_column",
                column=column,
                fix=_context(self._prefixed_fix(prefix, column, statement, present)),
            )
        return None

    # The mends the schema makes certain (repair.py applies them; the mended SQL is validated again from the start).

    def _unjoined_fix(self, prefix: str, column: str, present: dict[str, str]) -> ColumnFix | None:
        """`prefix.column` where the prefix is no table or alias of the query: the alias the query gave that table
        (`products.price` over `products p`: `p.price`), or the query's one table whose foreign key to it holds the
        same value (`customers.customer_id` over `orders`: `orders.customer_id`)."""
        table = next((t for t in self.mapping if t.lower() == prefix.lower()), None)
        if table is None:
            return None
        if table.lower() in present:
            spelled = self._spelled(table, column)
            return ColumnFix(prefix, column, present[table.lower()], spelled) if spelled else None
        holders = self._tables_with(column, [t for t in self.mapping if t.lower() in present])
        if len(holders) == 1 and self._linked(holders[0], table, column):
            return ColumnFix(prefix, column, present[holders[0].lower()], self._spelled(holders[0], column) or column)
        return None if holders else self._join_fix(prefix, column, present, target=table)

    def _prefixed_fix(
        self, prefix: str, column: str, statement: exp.Expression, present: dict[str, str]
    ) -> ColumnFix | None:
        """`prefix.column` where the prefix's table lacks the column: the query's one other table that has it
        (`t2.song_release_year` -> `t1.Song_release_year`), else the one column of the prefix's table spelt alike
        (`t2.pet_type` -> `t2.PetType`)."""
        names = {t.alias_or_name.lower(): t.name.lower() for t in statement.find_all(exp.Table) if t.name}
        own = next((t for t in self.mapping if t.lower() == names.get(prefix.lower())), None)
        if own is None:
            return None
        holders = self._tables_with(column, [t for t in self.mapping if t.lower() in present and t != own])
        if len(holders) == 1:
            return ColumnFix(prefix, column, present[holders[0].lower()], self._spelled(holders[0], column) or column)
        if holders:
            return None
        return self._spelling_fix(prefix, column, [own]) or self._join_fix(prefix, column, present, own=own)

    def _spelling_fix(self, prefix: str | None, column: str, tables: list[str]) -> ColumnFix | None:
        """The one column of `tables` spelt like `column` but for case and separators (`pet_type` -> `PetType`)."""
        alike = {(t, c) for t in tables for c in self.mapping[t] if squashed(c) == squashed(column)}
        if len(alike) != 1:
            return None
        (_, spelled) = next(iter(alike))
        return ColumnFix(prefix, column, prefix, spelled) if spelled != column else None

    def _join_fix(
        self,
        prefix: str | None,
        column: str,
        present: dict[str, str],
        *,
        own: str | None = None,
        target: str | None = None,
    ) -> ColumnFix | None:
        """A column of a table the query never joined (`t1.fname` over `Has_Pet t1`, `products.product_name` over
        `FROM sales`): that table, joined along the one foreign key that leads to its primary key from the prefix's
        own table (`own`), else from the query's one table that has such a key. `target`: the table the prefix names;
        otherwise the one table outside the query that has the column. Only toward a primary key: each row of the
        query then meets at most one row of the joined table, so the join repeats none (the other way, one battle
        joined to its ships, it would)."""
        if target is None:
            outside = self._tables_with(column, [t for t in self.mapping if t.lower() not in present])
            if len(outside) != 1:
                return None
            target = outside[0]
        spelled = self._spelled(target, column)
        key = self.primary_keys.get(target.lower())
        if spelled is None or not key or target.lower() in present:
            return None
        leads = [
            fk for fk in self.foreign_keys
            if fk.references_table.lower() == target.lower() and fk.table.lower() in present
            and tuple(c.lower() for c in fk.references_columns) == key
        ]  # fmt: skip
        if own is not None and any(fk.table.lower() == own.lower() for fk in leads):
            leads = [fk for fk in leads if fk.table.lower() == own.lower()]
        if len(leads) != 1:
            return None
        (lead,) = leads
        via = present[lead.table.lower()] if own is None or lead.table.lower() != own.lower() else prefix
        on = tuple(zip(lead.columns, lead.references_columns, strict=True))
        return ColumnFix(prefix, column, target, spelled, joined=target, via=via, on=on)

    def _spelled(self, table: str, column: str) -> str | None:
        return next((c for c in self.mapping[table] if c.lower() == column.lower()), None)

    def mapping_column(self, table: str, column: str) -> str | None:
        """`column` of `table` as the schema spells it; None when the table has no such column."""
        return self._spelled(table, column) if table in self.mapping else None

    def _linked(self, holder: str, table: str, column: str) -> bool:
        """A foreign key between the two tables pairs `column` of one with `column` of the other."""
        for key in self.foreign_keys:
            ends = {key.table.lower(), key.references_table.lower()}
            if ends != {holder.lower(), table.lower()}:
                continue
            pairs = zip(key.columns, key.references_columns, strict=True)
            if any(a.lower() == b.lower() == column.lower() for a, b in pairs):
                return True
        return False

    def _alias_fix(self, alias: str, column: str, present: dict[str, str]) -> str:
        """What to write instead of `alias.column`: the alias the query gave that table, the query's own table that has
        the column, or the join that brings the table in (a small model retried `products.product_name` over
        `FROM sales` three times when told only the query's aliases)."""
        table = next((t for t in self.mapping if t.lower() == alias.lower()), None)
        if table is not None and table.lower() in present and self._tables_with(column, [table]):
            name = present[table.lower()]
            return f" The query calls {table} {name}: write {name}.{column}."
        fixes = []
        inside = self._found_in(column, [t for t in self.mapping if t.lower() in present], present)
        if inside:
            fixes.append(inside)
        joinable = table is not None and table.lower() not in present
        clause = join_clause(table, present, self.foreign_keys) if table is not None and joinable else None
        if clause is not None:
            fixes.append(
                f" To read {table} itself, add: {clause}." if inside else f" {table} is not joined: add {clause}."
            )
        return "".join(fixes)

    def _found_in(self, column: str, tables: list[str], present: dict[str, str]) -> str:
        """` 'Name' is in t1 (singer): write t1.Name.` for those of `tables` (the query's own, `present` as
        query_tables gives them) that have the column, spelled as the schema spells it; "" when none has it."""
        holders = self._tables_with(column, tables)
        if not holders:
            return ""
        wheres, writes = [], []
        for table in holders:
            name = present[table.lower()]
            wheres.append(name if name.lower() == table.lower() else f"{name} ({table})")
            writes.append(f"{name}.{self._spelled(table, column) or column}")  # a holder has it: never the fallback
        spelled = self._spelled(holders[0], column) or column
        if len(holders) == 1:
            return f" {spelled!r} is in {wheres[0]}: write {writes[0]}."
        return f" {spelled!r} is in {' and '.join(wheres)}: write the one you mean, {' or '.join(writes)}."

    def _close_hint(self, column: str, tables: list[str], present: dict[str, str]) -> str:
        """` Did you mean p.category?` for a near miss among the query's own columns (`categories`), named the way
        the query names their table (`present`, as query_tables gives it)."""
        columns = {c.lower(): f"{present.get(t.lower(), t)}.{c}" for t in tables for c in self.mapping[t]}
        close = difflib.get_close_matches(column.lower(), list(columns), n=1, cutoff=CLOSE_MATCH_CUTOFF)
        return f" Did you mean {columns[close[0]]}?" if close else ""

    def _referenced_tables(self, statement: exp.Expression) -> list[str]:
        by_lower = {name.lower(): name for name in self.mapping}
        names = [by_lower.get(t.name.lower()) for t in statement.find_all(exp.Table) if t.name]
        return list(dict.fromkeys(n for n in names if n is not None))

    def _has_column(self, table: str, column: str) -> bool:
        """Whether `table` has `column` as the database reads the query's name: in PostgreSQL exactly (a name the
        query did not quote is already folded to lower case, so `"Student".fname` misses `Fname`), in SQLite
        without case."""
        if self.dialect == "postgres":
            return column in self.mapping[table]
        return bool(self._tables_with(column, [table]))

    def _tables_with(self, column: str, tables: list[str]) -> list[str]:
        """Those of `tables` that have `column` (compared as the database does: without case)."""
        return [t for t in tables if column.lower() in {c.lower() for c in self.mapping[t]}]

    def _holders_hint(self, column: str, referenced: list[str], present: dict[str, str]) -> str:
        """Where the column does exist, outside the query: the table to join, and how when a foreign key says so (a
        retry that only reads the query's own columns tends to write the same query again)."""
        holders = self._tables_with(column, [t for t in self.mapping if t not in referenced])
        if not holders:
            return ""
        listed = ", ".join(holders[:MAX_LISTED_HOLDERS]) + (", ..." if len(holders) > MAX_LISTED_HOLDERS else "")
        clause = next((c for t in holders if (c := join_clause(t, present, self.foreign_keys))), None)
        return f" Tables that have {column!r}: {listed}." + (f" To join one: {clause}." if clause else "")

    def _columns_hint(self, tables: list[str]) -> str:
        if not tables:
            return f"Tables that exist: {', '.join(sorted(self.mapping))}."
        parts = []
        for table in tables:
            columns = list(self.mapping[table])
            listed = ", ".join(columns[:MAX_LISTED_COLUMNS]) + (", ..." if len(columns) > MAX_LISTED_COLUMNS else "")
            parts.append(f"{table}({listed})")
        return "Columns that exist: " + "; ".join(parts) + "."


def _context(fix: ColumnFix | None) -> dict[str, Any] | None:
    return fix.to_context() if fix is not None else None


def _self_aliased(statement: exp.Expression, dialect: str) -> exp.Expression:
    """In PostgreSQL, each table written as a quoted mixed-case name and without an alias, aliased by that name as
    written. sqlglot's qualify aliases such a table by its name folded without its quotes (`FROM "Student"` becomes
    `"Student" AS student`), and then no longer resolves the column `"Student"."Fname"`, which PostgreSQL runs.
    Same meaning: a table's own name is what a column qualifier refers to. Other names fold to themselves, so they
    are left as written (aliasing them too would make `FROM t CROSS JOIN t`, which SQLite runs, a clash)."""
    if dialect != "postgres":
        return statement
    for table in statement.find_all(exp.Table):
        name = table.this
        if not table.alias and isinstance(name, exp.Identifier) and name.quoted and name.name != name.name.lower():
            table.set("alias", exp.TableAlias(this=name.copy()))
    return statement


def _check_size(statement: exp.Expression, dialect: str) -> None:
    tables = 0
    for nodes, node in enumerate(statement.walk(), 1):
        tables += isinstance(node, exp.Table)
        if nodes > MAX_NODES or tables > MAX_TABLE_REFERENCES:
            raise SQLValidationError(
                f"The query is too large to check (more than {MAX_NODES:,} terms or {MAX_TABLE_REFERENCES} table "
                "references); write a simpler query: aggregate, or join fewer tables.",
                reason="too_long",
                dialect=dialect,
            )


def _outer_tables(statement: exp.Expression) -> set[str]:
    """The real tables (lower case) in the FROM and JOINs of the outermost SELECT."""
    if not isinstance(statement, exp.Select):
        return set()
    return {t.name.lower() for t in read_sources(statement) if isinstance(t, exp.Table) and t.name}


def _sources(statement: exp.Expression) -> list[str]:
    """Names a column may be prefixed with: table names and aliases, subquery aliases, CTE names."""
    names = [t.alias_or_name for t in statement.find_all(exp.Table) if t.alias_or_name]
    names += [s.alias for s in statement.find_all(exp.Subquery) if s.alias]
    names += [c.alias_or_name for c in statement.find_all(exp.CTE)]
    return list(dict.fromkeys(names))
