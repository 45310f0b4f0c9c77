"""Mend a column reference the schema makes certain, instead of spending an LLM attempt on it.

A small model handed "'Song_release_year' is in t1 (singer): write t1.Song_release_year" often writes the same
`t2.song_release_year` again, even sampled at a higher temperature (the bundled model did so three times in a row,
and wrote Spider's own `pet_type` three times where the column is `PetType`). When the schema leaves exactly one
reading, the validator names it (`SQLValidationError.context["fix"]`) and this module applies it:

- the table's alias the query gave it (`products.price` in a query that calls products `p`: `p.price`);
- the one table of the query that has the column, where the prefix's table lacks it (`t2.x` -> `t1.x`), or,
  where the prefix names a table the query never joined, the query's table whose foreign key holds the same value
  (`customers.customer_id` over `orders`: `orders.customer_id`);
- the one column of the query's tables spelt alike but for case and underscores (`pet_type` -> `PetType`);
- the one table outside the query that has the column, joined along the one foreign key that leads from the
  query's table to its primary key (`t1.fname` over `Has_Pet t1`: `LEFT JOIN Student ON Student.StuID =
  t1.StuID`, then `Student.Fname`). Toward a primary key each row meets at most one row, so the join repeats none,
  and a LEFT JOIN drops none; the other way (a battle joined to its many ships) is never mended.

Never mended: a column moved to another table where it compares with another column (a join's condition, in `ON`
or `WHERE`: which side it is on is what the join means), or out of its subquery's scope; a table the query reads
twice (a self-join); an unqualified name the query also uses as an alias; a join where two foreign keys lead to the
table (a match's home team or away team), or where the query already reads it elsewhere.

Where the schema has no reading, a column named like a business term of the product metadata that is one column
(`customer_segment`, the term "customer segment" = customers.segment) is that column (`term_fix`).

Nothing here reads the question: understanding stays with the LLM. The mended SQL is checked again from the start
(read-only guard, tables, columns) and runs only if it passes; the Database MCP's guard and the read-only
connection check it again. The attempt's metadata lists each mend, and the SQL shown is the one that ran.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from talk2tables.errors import SQLValidationError
from talk2tables.sql_generation.joins import read_sources

if TYPE_CHECKING:
    from talk2tables.sql_generation.validator import SQLValidator

# Mends of one answer: each is one column reference; more than a few means the answer is not close to right.
MAX_REPAIRS = 3
_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ColumnFix:
    """`table.column` as the query wrote it (`table` None: unqualified) -> what to write instead; with `joined`, the
    table to join first, along the foreign key `on` (pairs of the `via` table's column and `joined`'s key column)."""

    table: str | None
    column: str
    new_table: str | None
    new_column: str
    joined: str | None = None
    via: str | None = None
    on: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        mend = f"{_dotted(self.table, self.column)} -> {_dotted(self.new_table, self.new_column)}"
        return f"{mend} (joined {self.joined} on {self._condition()})" if self.joined else mend

    def _condition(self) -> str:
        return " AND ".join(f"{self.joined}.{key} = {self.via}.{mine}" for mine, key in self.on)

    def to_context(self) -> dict[str, Any]:
        """JSON-ready, for the error's context (it travels with the error through re-raises)."""
        value: dict[str, Any] = {
            "table": self.table, "column": self.column, "new_table": self.new_table, "new_column": self.new_column
        }  # fmt: skip
        if self.joined:
            value |= {"joined": self.joined, "via": self.via, "on": [list(pair) for pair in self.on]}
        return value

    @classmethod
    def from_context(cls, value: Any) -> ColumnFix | None:
        if not isinstance(value, dict) or not value.get("column") or not value.get("new_column"):
            return None
        joined, via, pairs = value.get("joined"), value.get("via"), value.get("on") or []
        if not isinstance(pairs, list | tuple) or not all(
            isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(n, str) and n for n in pair)
            for pair in pairs
        ):
            return None
        on = tuple((str(a), str(b)) for a, b in pairs)
        if joined and (not via or not on):
            return None
        return cls(value.get("table"), str(value["column"]), value.get("new_table"), str(value["new_column"]),
                   joined, via, on)  # fmt: skip


def squashed(name: str) -> str:
    """A column name without case and separators: `pet_type`, `PetType` and `pet type` read the same."""
    return re.sub(r"[\s_-]", "", name).lower()


def apply_fix(sql: str, dialect: str, fix: ColumnFix) -> str | None:
    """The SQL with every reference to the fixed column rewritten (and the fix's table joined first), or None when
    it has none, does not parse, or the mend is not certain in this query."""
    try:
        statement = sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return None
    if not isinstance(statement, exp.Expression):
        return None
    if fix.joined:
        return _joined(statement, dialect, fix)
    moves = (fix.new_table or "").lower() != (fix.table or "").lower()
    if moves and not _one_table_behind(statement, fix.new_table or ""):
        return None  # a self-join (`sales s1`, `sales s2`): the schema does not say which one is meant
    if fix.table is None and _aliased(statement, fix.column):
        return None  # `ORDER BY totalamount` may name the SELECT's own alias: not only the schema decides
    hits = 0
    for column in _references(statement, dialect, fix):
        if moves and ((fix.new_table or "").lower() not in _sources(column) or _links(column)):
            # Another SELECT's table (a subquery's column moved to the outer query means something else), or a
            # comparison of two columns, the condition of a join in ON or WHERE: `t1.lost_in_battle = t2.id` moved
            # to t2 compares ship with itself. Those mends are the LLM's.
            return None
        _rewrite(column, dialect, fix)
        hits += 1
    return statement.sql(dialect=dialect) if hits else None


def _joined(statement: exp.Expression, dialect: str, fix: ColumnFix) -> str | None:
    """`t1.fname` over `Has_Pet t1`, where only Student has fname and Has_Pet's foreign key names one student: join
    Student along that key and read Student.Fname. The validator offers it only where the key leads from the query's
    table to the joined table's primary key, so each row of the query meets at most one row of it; the join is a
    LEFT JOIN, so a row whose key is NULL or dangling (SQLite does not enforce foreign keys) is kept, and an outer
    join before it keeps its rows. The result has the rows the query had, with one more column readable."""
    joined, via = fix.joined or "", (fix.via or "").lower()
    ctes = {cte.alias_or_name.lower() for cte in statement.find_all(exp.CTE)}
    behind = {t.name.lower() for t in statement.find_all(exp.Table) if t.alias_or_name.lower() == via}
    if (
        joined.lower() in ctes
        or behind & ctes
        or any(joined.lower() in (t.name.lower(), t.alias_or_name.lower()) for t in statement.find_all(exp.Table))
    ):
        return None  # a query that reads the table already, or names a CTE like it: the LLM's to mend
    if not _one_table_behind(statement, via) or (fix.table is None and _aliased(statement, fix.column)):
        return None
    columns = _references(statement, dialect, fix)
    selects = {id(column.find_ancestor(exp.Select)) for column in columns}
    if not columns or len(selects) != 1 or any(via not in _sources(c) or _links(c) for c in columns):
        return None
    select = columns[0].find_ancestor(exp.Select)
    if select is None or not _joins_cleanly(select, columns, dialect):
        return None
    table = exp.Table(this=_identifier(joined, dialect))
    condition = exp.and_(*(
        exp.EQ(this=exp.column(_identifier(key, dialect), table=_identifier(joined, dialect)),
               expression=exp.column(_identifier(mine, dialect), table=_identifier(fix.via or "", dialect)))
        for mine, key in fix.on
    ))  # fmt: skip
    select.join(table, on=condition, join_type="LEFT", copy=False)
    for column in columns:
        _rewrite(column, dialect, fix)
    return statement.sql(dialect=dialect)


def _joins_cleanly(select: exp.Select, columns: list[exp.Column], dialect: str) -> bool:
    """Whether a join appended to `select` changes nothing but the columns it makes readable: no `SELECT *` (it
    would grow by the joined table's columns), no comma or cross join (PostgreSQL cannot see an earlier FROM item
    from a later JOIN's ON), no reference inside an earlier join's ON (which runs before the new join), and in
    SQLite no double-quoted bare name (a string while no column has that name; the joined table might have one)."""
    if any(isinstance(projection, exp.Star) for projection in select.expressions):
        return False
    joins = select.args.get("joins") or []
    if any(not (join.args.get("on") or join.args.get("using")) for join in joins):
        return False
    if any(column.find_ancestor(exp.Join) is not None for column in columns):
        return False
    if dialect == "sqlite":
        bare = (c for c in select.find_all(exp.Column) if not c.table and isinstance(c.this, exp.Identifier))
        if any(column.this.quoted for column in bare):
            return False
    return True


def _references(statement: exp.Expression, dialect: str, fix: ColumnFix) -> list[exp.Column]:
    """The query's references to the fixed column, as written (`table.column`, or the bare column)."""
    found = []
    for column in list(statement.find_all(exp.Column)):
        if column.name.lower() != fix.column.lower() or (column.table or "").lower() != (fix.table or "").lower():
            continue
        if dialect == "sqlite" and not column.table and column.this.quoted:
            continue  # SQLite reads a double-quoted name no column has as a string (validator.py): keep it one
        found.append(column)
    return found


def _rewrite(column: exp.Column, dialect: str, fix: ColumnFix) -> None:
    column.set("this", _identifier(fix.new_column, dialect))
    column.set("table", _identifier(fix.new_table, dialect) if fix.new_table else None)


def _aliased(statement: exp.Expression, name: str) -> bool:
    """The query also calls something of its own `name` (`ORDER BY total` may mean the SELECT's alias)."""
    return any(a.alias.lower() == name.lower() for a in statement.find_all(exp.Alias))


_TABLE_COLUMN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*$")


def term_fix(
    sql: str, validator: SQLValidator, error: SQLValidationError, terms: Mapping[str, str]
) -> ColumnFix | None:
    """A column no table has, named like a business term of the product metadata that is one column
    (`customer_segment` where the term "customer segment" is customers.segment): that column, where the query
    reads its table. `terms`: each term's name -> what the metadata says it is. The model wrote the term's own name
    as a column; the metadata, not the question, says which column it is."""
    column = error.context.get("column")
    if error.context.get("reason") != "unknown_column" or not isinstance(column, str):
        return None
    meant = {_TABLE_COLUMN.match(meaning) for name, meaning in terms.items() if squashed(name) == squashed(column)}
    if len(meant) != 1 or (match := meant.pop()) is None:
        return None
    table = next((t for t in validator.mapping if t.lower() == match.group(1).lower()), None)
    real = validator.mapping_column(table, match.group(2)) if table else None
    try:
        statement = sqlglot.parse_one(sql, read=validator.dialect)
    except SqlglotError:
        return None
    if table is None or real is None or not isinstance(statement, exp.Expression):
        return None
    prefixes = {(c.table or "") for c in statement.find_all(exp.Column) if c.name.lower() == column.lower()}
    names = {t.alias_or_name.lower(): t.name.lower() for t in statement.find_all(exp.Table) if t.name}
    if len(prefixes) != 1:
        return None
    prefix = prefixes.pop()
    if prefix:  # `c.customer_segment`: c must be the term's table
        return ColumnFix(prefix, column, prefix, real) if names.get(prefix.lower()) == table.lower() else None
    readers = [alias for alias, name in names.items() if name == table.lower()]
    return ColumnFix(None, column, readers[0], real) if len(readers) == 1 else None


def repaired_sql(sql: str, validator: SQLValidator, error: SQLValidationError) -> tuple[str, list[ColumnFix]] | None:
    """`error` is what `validator` said of `sql`. The SQL with the mends the schema makes certain, once it passes
    the whole validation, and the mends made; None when the error has no certain mend or the mended SQL still fails."""
    fixes: list[ColumnFix] = []
    for _ in range(MAX_REPAIRS):
        fix = ColumnFix.from_context(error.context.get("fix"))
        if fix is None:
            return None
        mended = apply_fix(sql, validator.dialect, fix)
        if mended is None or mended == sql:
            return None
        sql = mended
        fixes.append(fix)
        try:
            validator.validate(sql)
        except SQLValidationError as exc:
            error = exc
            continue
        return sql, fixes
    return None


def _one_table_behind(statement: exp.Expression, name: str) -> bool:
    """The table the query calls `name` appears once in the whole statement."""
    behind = {t.name.lower() for t in statement.find_all(exp.Table) if t.alias_or_name.lower() == name.lower()}
    return len(behind) == 1 and sum(t.name.lower() in behind for t in statement.find_all(exp.Table)) == 1


def _sources(column: exp.Column) -> set[str]:
    """What the column's own SELECT reads (its FROM and JOINs), by the names the query gives them."""
    select = column.find_ancestor(exp.Select)
    if select is None:
        return set()
    return {source.alias_or_name.lower() for source in read_sources(select) if source.alias_or_name}


def _links(column: exp.Column) -> bool:
    """The column is one side of a comparison with another column: a join's condition, wherever it is written."""
    side: exp.Expression = column
    parent = column.parent
    while isinstance(parent, exp.Paren):
        side, parent = parent, parent.parent
    if not isinstance(parent, exp.Binary) or not isinstance(parent, exp.Predicate) or isinstance(parent, exp.Connector):
        return False  # arithmetic (`s.quantity * p.unit_cost`) and AND/OR are not a join's condition
    other = parent.right if parent.left is side else parent.left
    while isinstance(other, exp.Paren):
        other = other.this
    return isinstance(other, exp.Column)


def _identifier(name: str, dialect: str) -> exp.Identifier:
    # PostgreSQL folds unquoted names to lower case: a name spelt otherwise exists only quoted.
    quoted = not _SAFE.match(name) or (dialect == "postgres" and name != name.lower())
    return exp.to_identifier(name, quoted=quoted)


def _dotted(table: str | None, column: str) -> str:
    return f"{table}.{column}" if table else column
