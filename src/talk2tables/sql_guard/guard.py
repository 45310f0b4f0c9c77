"""The SQL guard: one read-only query, parsed by sqlglot, checked against allow-lists, and rendered from the tree.

A checker whose parser is not the database's own disagrees with it somewhere (nested comments, attribute
notation, escapes). So the guard does not pass the text it was given on to the database: it parses it,
approves the tree (only the constructs and functions in `allowlist`, only the served tables in `relations`),
and renders the SQL the database runs from that tree, without comments. What runs is what was approved: the
rendered SQL is parsed and checked once more, and must render to itself, because a name the parser kept as a
quoted word can come out of the renderer as bare SQL (`EXTRACT("epoch FROM now()) ...")`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, SqlglotError

from talk2tables.errors import UnsafeQueryError
from talk2tables.sql_guard.allowlist import ALLOWED_NODES, allowed_function_classes, allowed_function_names
from talk2tables.sql_guard.relations import Catalog, check_relations

# Refused before parsing: a query is written for a question, and parsing costs time and memory in its length.
MAX_QUERY_CHARS = 100_000
TOO_DEEP = "Refused: the query is nested too deeply to check; flatten the nested subqueries or parentheses."

# Names for refusals of the statements people (and LLMs) try most; any other construct is named by its kind.
_STATEMENT_LABELS: dict[type[exp.Expr], str] = {
    exp.Insert: "INSERT", exp.Update: "UPDATE", exp.Delete: "DELETE", exp.Merge: "MERGE", exp.Create: "CREATE",
    exp.Drop: "DROP", exp.Alter: "ALTER", exp.TruncateTable: "TRUNCATE", exp.Into: "SELECT ... INTO",
    exp.Lock: "a row-locking clause (FOR UPDATE/FOR SHARE)", exp.Pragma: "PRAGMA", exp.Attach: "ATTACH",
    exp.Detach: "DETACH", exp.Set: "SET", exp.Transaction: "a transaction statement", exp.Commit: "COMMIT",
    exp.Rollback: "ROLLBACK", exp.Copy: "COPY", exp.Grant: "GRANT", exp.Revoke: "REVOKE",
    exp.LoadData: "LOAD DATA", exp.Use: "USE", exp.Analyze: "ANALYZE", exp.Values: "VALUES",
}  # fmt: skip
_QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery)


@dataclass(frozen=True)
class ApprovedQuery:
    """A query the guard approved: its tree, and the SQL rendered from that tree, which is what may run."""

    statement: exp.Expression
    sql: str


def check_read_only(sql: str, dialect: str, catalog: Catalog | None, *, deadline: float | None = None) -> ApprovedQuery:
    """Approve `sql` as one read-only query in `dialect`, or raise `UnsafeQueryError` ("Refused: ...").

    `catalog` names the tables that may be read (every served table is then qualified with its schema in the
    approved SQL); None checks the statement's shape and functions only. `deadline` (time.monotonic()) bounds
    the checks after parsing; parsing itself is bounded by MAX_QUERY_CHARS.
    """
    if not sql or not sql.strip():
        raise UnsafeQueryError("Refused: the query is empty; send one SELECT statement.")
    if len(sql) > MAX_QUERY_CHARS:
        raise UnsafeQueryError(
            f"Refused: the query is {len(sql):,} characters long; the limit is {MAX_QUERY_CHARS:,}. "
            "Aggregate in SQL, or filter with a join instead of listing thousands of values."
        )
    statements = _parse(sql, dialect)
    if dialect == "postgres":
        _refuse_unicode_escaped_identifiers(sql)
    if not statements:
        raise UnsafeQueryError("Refused: the query is empty; send one SELECT statement.")
    if len(statements) != 1:
        raise UnsafeQueryError(
            f"Refused: exactly one statement is allowed, found {len(statements)}; "
            "send a single SELECT (use a CTE or a subquery to combine steps)."
        )
    first = _approve(statements[0], sql, dialect, catalog, deadline)
    rendered = _render(first, dialect)
    # What runs is the rendered text: approve exactly what it says, and require it to say it the same way again.
    again = _parse(rendered, dialect)
    if len(again) != 1:
        raise UnsafeQueryError(_REREAD)
    second = _approve(again[0], rendered, dialect, catalog, deadline)
    if _render(second, dialect) != rendered:
        raise UnsafeQueryError(_REREAD)
    return ApprovedQuery(statement=second, sql=rendered)


_REREAD = (
    "Refused: the query does not read the same once rewritten (a quoted name in a place that takes a keyword "
    "or a type, for example); write names and types plainly."
)


def _approve(
    statement: exp.Expr, sql: str, dialect: str, catalog: Catalog | None, deadline: float | None
) -> exp.Expression:
    if not isinstance(statement, _QUERY_ROOTS):
        raise UnsafeQueryError(
            f"Refused: only SELECT queries (optionally WITH ... SELECT) are allowed, not {_describe(statement, sql)}."
        )
    _check_nodes(statement, dialect, deadline)
    if catalog is not None:
        check_relations(statement, catalog, dialect)
    return statement


def _render(statement: exp.Expr, dialect: str) -> str:
    try:
        return statement.sql(dialect=dialect, comments=False)
    except (SqlglotError, RecursionError) as exc:
        raise UnsafeQueryError(f"Refused: the query could not be rendered as {dialect} SQL ({exc}).") from exc


def _parse(sql: str, dialect: str) -> list[exp.Expr]:
    try:
        parsed = sqlglot.parse(sql, read=dialect)
    except ParseError as exc:
        detail = "; ".join(
            f"{e['description']} near {e['start_context']}{e['highlight']!s} (line {e['line']}, column {e['col']})"
            for e in exc.errors[:3]
        )
        raise UnsafeQueryError(
            f"Refused: the query could not be parsed as {dialect} SQL: {detail}; fix the syntax.", dialect=dialect
        ) from exc
    except SqlglotError as exc:
        detail = " ".join(str(exc).split())
        raise UnsafeQueryError(
            f"Refused: the query could not be parsed as {dialect} SQL ({detail}); fix the syntax.", dialect=dialect
        ) from exc
    except RecursionError as exc:  # the parser recurses per nesting level; hundreds of levels exhaust the stack
        raise UnsafeQueryError(TOO_DEEP, dialect=dialect) from exc
    # An empty statement (`;;`) or a trailing comment after the last `;` (sqlglot's Semicolon) is not a statement.
    return [statement for statement in parsed if statement is not None and not isinstance(statement, exp.Semicolon)]


def _refuse_unicode_escaped_identifiers(sql: str) -> None:
    """PostgreSQL reads `U&"pg\\005fsleep"` as one identifier with Unicode escapes, the name pg_sleep; sqlglot
    reads `U & "pg\\005fsleep"`. The rendered SQL would not carry the name, but no query needs such names."""
    if "&" not in sql:
        return
    tokens = sqlglot.tokenize(sql, read="postgres")  # `_parse` has already read them once without error
    for u, amp, quoted in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if (
            u.text.upper() == "U"
            and amp.token_type == TokenType.AMP
            and quoted.token_type == TokenType.IDENTIFIER
            and u.end + 1 == amp.start
            and amp.end + 1 == quoted.start
        ):
            raise UnsafeQueryError(
                'Refused: the query spells a name with Unicode escapes (U&"..."); write the name plainly.'
            )


def _check_nodes(statement: exp.Expr, dialect: str, deadline: float | None) -> None:
    """Every node of the tree is an allowed construct or an allowed function of `dialect`."""
    classes = allowed_function_classes(dialect)
    names = allowed_function_names(dialect)
    for count, node in enumerate(statement.walk()):
        if deadline is not None and count % 256 == 0 and time.monotonic() > deadline:
            raise UnsafeQueryError("Refused: the query took too long to check; write a shorter query.")
        kind = type(node)
        if isinstance(node, exp.In) and node.args.get("field") is not None:
            # SQLite's `x IN name` reads a whole relation (a catalog, a pragma) the relation checks never see.
            raise UnsafeQueryError("Refused: `IN name` reads a table by name; write IN (SELECT ... FROM table).")
        if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.USERDEFINED:
            # A type sqlglot does not know (`_regclass`, an array of object identifiers, lists catalog names).
            raise UnsafeQueryError(
                f"Refused: the type {node.sql()} is not a standard SQL type; cast to INTEGER, NUMERIC, TEXT, DATE..."
            )
        if kind in ALLOWED_NODES:
            continue
        if isinstance(node, exp.Anonymous):
            if node.name.lower() in names:
                continue
            _refuse_function(node.name.lower())
        if isinstance(node, exp.Func):
            if kind in classes:
                continue
            _refuse_function(node.sql_name().lower())
        raise UnsafeQueryError(f"Refused: the query contains {_label(node)}; only reading is allowed.")


def _refuse_function(name: str) -> None:
    raise UnsafeQueryError(
        f"Refused: the function {name}() is not on this server's list of read-only functions; "
        "rewrite the query with standard SQL functions."
    )


def _label(node: exp.Expr) -> str:
    if isinstance(node, exp.Command):
        # Statements sqlglot does not model (VACUUM, EXPLAIN, CALL, DO, SHOW...) keep their keyword.
        return str(node.this).upper()
    for kind, label in _STATEMENT_LABELS.items():
        if isinstance(node, kind):
            return label
    if isinstance(node, exp.Dot):
        return "a dotted name (schema.function, or (x).name, which PostgreSQL runs as a function call)"
    if isinstance(node, exp.Placeholder | exp.Parameter | exp.SessionParameter):
        return "a parameter placeholder"
    return f"a construct this server does not run ({node.key})"


def _describe(statement: exp.Expr, sql: str) -> str:
    if isinstance(statement, (exp.Command, *_STATEMENT_LABELS)):
        return _label(statement)
    # sqlglot reads some statements it does not know (SAVEPOINT x, LISTEN x) as an alias
    # expression; naming the statement's first keyword is what the person will recognise.
    tokens = sqlglot.tokenize(sql)
    return f"{tokens[0].text.upper()}" if tokens else "this statement"
