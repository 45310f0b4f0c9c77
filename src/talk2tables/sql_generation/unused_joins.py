"""Joins whose table the query never reads: found here, and dropped only when the LLM says the question does not
need them (workflow/pipeline.py asks it).

A small model joins tables the answer does not use (`SELECT T1.name FROM teacher AS T1 JOIN course_arrange AS T2
ON T1.teacher_id = T2.teacher_id`): an inner join keeps only the rows with a match and repeats a row once per
match, so the answer loses rows or counts some twice. Whether the question means that filter is understanding,
which stays with the LLM. This module only reads the query: which inner joins add a table that no column of the
query reads outside that join's own condition, and the same query without them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from talk2tables.sql_generation.validator import SQLValidator


@dataclass(frozen=True)
class UnusedJoins:
    tables: tuple[str, ...]  # as the query names them: `course_arrange AS T2`
    sql: str  # the query without those joins

    def describe(self) -> str:
        """What dropping them changed, for the attempt's `repairs` (the SQL that ran differs from the LLM's)."""
        return f"dropped JOIN {', '.join(self.tables)}: none of its columns read, and the question does not need it"


def unused_joins(sql: str, validator: SQLValidator) -> UnusedJoins | None:
    """The inner joins of the query's outermost SELECT that bring a table whose columns the query never reads
    (outside that join's own ON, which only pairs its columns with other tables'), and the query without them;
    None when there is none, or when the query cannot be read with certainty (set operations, `USING`, NATURAL or
    outer joins, a column that does not resolve).
    A chain is followed: once `JOIN course AS co ON co.id = c.course_id` is gone, `c` may be read nowhere either."""
    dropped: list[str] = []
    while (found := _unused_once(sql, validator)) is not None:
        names, sql = found
        dropped.extend(names)
    return UnusedJoins(tuple(dropped), sql) if dropped else None


def _unused_once(sql: str, validator: SQLValidator) -> tuple[list[str], str] | None:
    try:
        statement = sqlglot.parse_one(sql, read=validator.dialect)
        if not isinstance(statement, exp.Select):
            return None
        qualified = validator.qualified(statement)
    except (SqlglotError, RecursionError):
        return None
    written = statement.args.get("joins") or []
    read = qualified.args.get("joins") or []
    if len(written) != len(read):
        return None
    columns = list(qualified.find_all(exp.Column))
    unused = [index for index, (join, own) in enumerate(zip(written, read, strict=True))
              if _plain_inner(join) and _links_only(own) and not _read_elsewhere(own, columns)]  # fmt: skip
    if not unused:
        return None
    names = [written[index].this.sql(dialect=validator.dialect) for index in unused]
    statement.set("joins", [join for index, join in enumerate(written) if index not in unused] or None)
    return names, statement.sql(dialect=validator.dialect)


def _plain_inner(join: exp.Join) -> bool:
    """A table joined by an inner join on a condition: the only kind whose dropping the pipeline may offer."""
    return (
        isinstance(join.this, exp.Table)
        and not join.side
        and join.kind in ("", "INNER")
        and join.args.get("on") is not None
        and not join.args.get("using")
    )


def _links_only(join: exp.Join) -> bool:
    """Whether the join's ON only pairs its table's columns with other tables' (`T2.teacher_id = T1.teacher_id AND
    ...`): dropping a join whose ON also filters (`AND T2.grade = 1`, `AND T1.age > 30`) would drop more than it."""
    alias = join.this.alias_or_name
    condition = join.args.get("on")
    conjuncts = condition.flatten() if isinstance(condition, exp.And) else [condition]
    for conjunct in conjuncts:
        if not (isinstance(conjunct, exp.EQ) and isinstance(conjunct.left, exp.Column)
                and isinstance(conjunct.right, exp.Column)):  # fmt: skip
            return False
        if sorted([conjunct.left.table == alias, conjunct.right.table == alias]) != [False, True]:
            return False
    return True


def _read_elsewhere(join: exp.Join, columns: list[exp.Column]) -> bool:
    """Whether any column outside this join's own condition belongs to its table (by alias, as qualified)."""
    alias = join.this.alias_or_name
    own = {id(column) for column in join.find_all(exp.Column)}
    return any(column.table == alias and id(column) not in own for column in columns)
