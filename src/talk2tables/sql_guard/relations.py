"""Which relations a query reads, checked against the tables the server serves.

Only the tables of the served schema may be read, plus the query's own CTEs where they are in scope: a system
catalog, a view, another schema or a name the database would resolve elsewhere is refused. Every table that
passes is rewritten with its schema (`public.sales`), so the database reads exactly the relation approved. A
dotted name `q.col` must start with a table, alias or CTE of the query, and `col` must be a column `q` has: on a
served table one of its columns, on a subquery or CTE one of its output names, on a table function its alias's
columns (PostgreSQL reads `t.f` as the function call `f(t)` when `t` has no column `f`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlglot import exp

from talk2tables.errors import UnsafeQueryError

MAX_LISTED_TABLES = 30
# The output columns of PostgreSQL's set-returning functions that return more than the one column named after
# their alias (json_each(...) AS j gives j.key and j.value; generate_series(...) AS g gives g).
FUNCTION_COLUMNS = {
    "json_each": {"key", "value"}, "jsonb_each": {"key", "value"}, "json_each_text": {"key", "value"},
    "jsonb_each_text": {"key", "value"}, "json_array_elements": {"value"}, "jsonb_array_elements": {"value"},
    "json_array_elements_text": {"value"}, "jsonb_array_elements_text": {"value"},
}  # fmt: skip
# The schema a database's tables are served from when the schema resource does not say.
DEFAULT_SCHEMAS = {"sqlite": "main", "postgres": "public"}


class Catalog(Protocol):
    """The served tables, as the database knows them right now."""

    @property
    def schema(self) -> str:
        """The schema every approved table is qualified with ("public", "main")."""
        ...

    @property
    def case_sensitive(self) -> bool:
        """PostgreSQL: quoted names keep their case, unquoted ones fold to lower case."""
        ...

    def lookup(self, tables: set[str]) -> Mapping[str, frozenset[str]]:
        """For each of `tables` (normalised names) that is a served, readable table: its columns (normalised)."""
        ...

    def table_names(self) -> list[str]:
        """Every served table, for a refusal message."""
        ...


@dataclass(frozen=True)
class StaticCatalog:
    """A catalog from a known table -> columns mapping, e.g. a `database://schema` resource read for this request."""

    tables: Mapping[str, Iterable[str]]
    schema: str
    case_sensitive: bool = False
    _normalised: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fold = (lambda name: name) if self.case_sensitive else str.lower
        normalised = {fold(t): frozenset(fold(c) for c in cols) for t, cols in self.tables.items()}
        object.__setattr__(self, "_normalised", normalised)

    def lookup(self, tables: set[str]) -> Mapping[str, frozenset[str]]:
        return {t: self._normalised[t] for t in tables if t in self._normalised}

    def table_names(self) -> list[str]:
        return sorted(self.tables)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """Lower case as the databases fold names: ASCII letters only (Python's lower() turns the Kelvin sign into k)."""
    return name.translate(_ASCII_LOWER)


def normalise(identifier: exp.Identifier | str, catalog: Catalog) -> str:
    """A name as the database compares it: PostgreSQL folds unquoted names to lower case; SQLite ignores case."""
    if isinstance(identifier, str):
        return identifier if catalog.case_sensitive else fold(identifier)
    name = str(identifier.this)
    return name if catalog.case_sensitive and identifier.quoted else fold(name)


def real_tables(statement: exp.Expr, catalog: Catalog) -> list[exp.Table]:
    """The table references of `statement` that name a relation of the database: not a CTE in scope, not a table
    function. Refuses a reference to another database or schema."""
    tables = [t for t in statement.find_all(exp.Table) if not isinstance(t.this, exp.Func)]
    real = [t for t in tables if not _is_cte_reference(t, catalog)]
    for table in real:
        _check_qualifiers(table, catalog)
    return real


def check_relations(statement: exp.Expr, catalog: Catalog, dialect: str = "postgres") -> None:
    """Refuse any relation that is not a served table or a CTE in scope; qualify every served table with its schema.

    Also refuses a qualified column whose qualifier is not a source of the query, and, on a served table, a column
    the table does not have."""
    real = real_tables(statement, catalog)
    wanted = {normalise(t.this, catalog) for t in real}
    found = catalog.lookup(wanted) if wanted else {}
    missing = sorted(wanted - set(found))
    if missing:
        listed = catalog.table_names()
        shown = ", ".join(listed[:MAX_LISTED_TABLES]) + (", ..." if len(listed) > MAX_LISTED_TABLES else "")
        raise UnsafeQueryError(
            f"Refused: {missing[0]!r} is not a table this server serves (system catalogs, views and other schemas "
            f"cannot be read); tables: {shown or 'none'}."
        )
    _check_columns(statement, real, found, catalog, attribute_calls=dialect == "postgres")
    for table in real:
        table.set("db", exp.to_identifier(catalog.schema, quoted=not catalog.schema.isidentifier()))


def _check_qualifiers(table: exp.Table, catalog: Catalog) -> None:
    if not isinstance(table.this, exp.Identifier):
        raise UnsafeQueryError("Refused: a table reference the guard cannot read; name a table of the database.")
    if table.args.get("catalog"):
        raise UnsafeQueryError(
            f"Refused: {table.sql()} names another database; only the served database's tables can be read."
        )
    db = table.args.get("db")
    if db is not None and normalise(db, catalog) != normalise(catalog.schema, catalog):
        raise UnsafeQueryError(
            f"Refused: {table.sql()} is in schema {db.name!r}; only tables of {catalog.schema!r} can be read "
            "(write the table's name without a schema)."
        )


def _is_cte_reference(table: exp.Table, catalog: Catalog) -> bool:
    """True when `table` names a CTE visible where it stands. A CTE is visible in its WITH's body, in the CTEs
    after it, and in itself when the WITH is RECURSIVE; anywhere else the same name is a real relation. Names
    compare as the database compares them: `WITH "PG_USER" AS (...)` does not hide PostgreSQL's pg_user."""
    if table.args.get("db") or table.args.get("catalog") or not isinstance(table.this, exp.Identifier):
        return False
    name = normalise(table.this, catalog)

    def names(ctes: list[exp.Expr]) -> set[str]:
        return {_cte_name(cte, catalog) for cte in ctes}

    child: exp.Expr | None = table
    parent = table.parent
    while parent is not None and child is not None:
        if isinstance(parent, exp.With):  # `child` is one of its CTEs
            position = parent.expressions.index(child)
            visible = parent.expressions[: position + 1 if parent.args.get("recursive") else position]
            if name in names(visible):
                return True
            child = parent.parent  # the statement that owns this WITH: its CTEs were weighed just now
            parent = child.parent if child is not None else None
            continue
        with_clause = parent.args.get("with_")
        if isinstance(with_clause, exp.With) and name in names(with_clause.expressions):
            return True
        child, parent = parent, parent.parent
    return False


def _cte_name(cte: exp.Expr, catalog: Catalog) -> str:
    alias = cte.args.get("alias")
    identifier = alias.this if isinstance(alias, exp.TableAlias) else None
    return normalise(identifier, catalog) if isinstance(identifier, exp.Identifier) else fold(cte.alias_or_name)


def _check_columns(
    statement: exp.Expr,
    real: list[exp.Table],
    found: Mapping[str, frozenset[str]],
    catalog: Catalog,
    *,
    attribute_calls: bool,
) -> None:
    # Every source of a name anywhere in the query, not only the nearest: a column must fit them all.
    sources: dict[str, list[exp.Expr]] = {}
    for source in _sources(statement):
        sources.setdefault(fold(source.alias_or_name), []).append(source)
    real_ids = {id(t) for t in real}
    served: frozenset[str] = frozenset().union(*found.values()) if found else frozenset()
    ctes: dict[str, list[exp.Expr]] = {}
    for cte in statement.find_all(exp.CTE):
        ctes.setdefault(fold(cte.alias_or_name), []).append(cte)
    for column in statement.find_all(exp.Column):
        if column.args.get("db") or column.args.get("catalog"):
            raise UnsafeQueryError(f"Refused: {column.sql()} has too many parts; write table.column or alias.column.")
        qualifier = column.args.get("table")
        if qualifier is None:
            continue
        candidates = sources.get(fold(qualifier.name))
        if not candidates:
            raise UnsafeQueryError(
                f"Refused: {column.sql()} starts with {qualifier.name!r}, which is not a table, alias or CTE of "
                "the query."
            )
        if isinstance(column.this, exp.Star):
            continue
        name = normalise(column.this, catalog)
        derived = []
        for candidate in candidates:
            if id(candidate) in real_ids:
                columns = found.get(normalise(candidate.this, catalog), frozenset())
                if name not in columns:
                    raise UnsafeQueryError(f"Refused: table {candidate.name!r} has no column {column.name!r}.")
            elif isinstance(candidate, exp.Table) and isinstance(candidate.this, exp.Identifier):
                derived += ctes.get(fold(candidate.name), [])  # a CTE read under an alias: the CTE's columns
            else:
                derived.append(candidate)  # a subquery, CTE, VALUES list or table function
        if attribute_calls and not all(_has_column(d, name, served, catalog) for d in derived):
            raise UnsafeQueryError(
                f"Refused: {qualifier.name!r} has no column {column.name!r} (PostgreSQL would call a function "
                f"{column.name}() instead); name a column it has, and give each source of the query its own alias."
            )


def _has_column(source: exp.Expr, name: str, served: frozenset[str], catalog: Catalog) -> bool:
    """Whether a subquery, CTE, VALUES list or table function has the output column `name`. Where its outputs
    are not known (a `*`), a column of a served table is accepted, and any other name (a function's) is not."""
    alias = source.args.get("alias")
    alias_columns = [normalise(c, catalog) for c in alias.columns] if isinstance(alias, exp.TableAlias) else []
    if alias_columns:
        return name in alias_columns
    if isinstance(source, exp.Table) and isinstance(source.this, exp.Func):  # a table function
        function = fold(source.this.name if isinstance(source.this, exp.Anonymous) else source.this.sql_name())
        # Functions of rows have their own column names; one of single values names its column after the alias.
        own = FUNCTION_COLUMNS.get(function) or (
            {normalise(source.alias_or_name, catalog)} if source.alias else {function}
        )
        return name in own | ({"ordinality"} if source.args.get("ordinality") else set())
    query = source.this if isinstance(source, exp.Subquery | exp.CTE | exp.Lateral) else None
    if isinstance(query, exp.Query):
        outputs = {normalise(n, catalog) for n in query.named_selects}
        if "*" not in outputs and not any(isinstance(e, exp.Star) for e in query.selects):
            return name in outputs
    return name in served


def _sources(statement: exp.Expr) -> list[exp.Expr]:
    """Everything a column may be qualified with: tables (by name or alias), subqueries, table functions, CTEs,
    VALUES lists with an alias."""
    found: list[exp.Expr] = list(statement.find_all(exp.Table))
    found += [s for s in statement.find_all(exp.Subquery) if s.alias]
    found += [v for v in statement.find_all(exp.Values) if v.alias]
    found += [lat for lat in statement.find_all(exp.Lateral) if lat.alias]
    found += list(statement.find_all(exp.CTE))
    return found
