"""The SQL guard: only one read-only SELECT/WITH statement reaches the database, checked by sqlglot.

Parsing (rather than matching text) is what makes comment, case and quoting tricks useless: the
guard looks at the statement the database would run. It refuses anything that writes, changes
settings, touches files or other databases, or calls a function with side effects.
"""

from __future__ import annotations

import sqlglot
from sqlglot import TokenType, exp
from sqlglot.errors import ParseError, SqlglotError

from talk2tables.errors import UnsafeQueryError

# Statement kinds that must not appear anywhere in the tree (e.g. inside a CTE or a subquery).
_FORBIDDEN_NODES: dict[type[exp.Expr], str] = {
    exp.Insert: "INSERT",
    exp.Update: "UPDATE",
    exp.Delete: "DELETE",
    exp.Merge: "MERGE",
    exp.Create: "CREATE",
    exp.Drop: "DROP",
    exp.Alter: "ALTER",
    exp.TruncateTable: "TRUNCATE",
    exp.Into: "SELECT ... INTO",
    exp.Lock: "a row-locking clause (FOR UPDATE/FOR SHARE)",
    exp.Pragma: "PRAGMA",
    exp.Attach: "ATTACH",
    exp.Detach: "DETACH",
    exp.Set: "SET",
    exp.Transaction: "a transaction statement",
    exp.Commit: "COMMIT",
    exp.Rollback: "ROLLBACK",
    exp.Copy: "COPY",
    exp.Grant: "GRANT",
    exp.Revoke: "REVOKE",
    exp.LoadData: "LOAD DATA",
    exp.Use: "USE",
    exp.Analyze: "ANALYZE",
}

# Functions with side effects or access beyond the database's tables (files, other servers,
# sessions, sequences, sleeping). Names are compared in lower case, schema prefixes ignored.
DENIED_FUNCTIONS: frozenset[str] = frozenset(
    {
        # SQLite
        "load_extension", "readfile", "writefile", "edit", "fsdir", "zipfile", "sqlar_compress",
        "sqlar_uncompress", "fts3_tokenizer", "sqlite_dbpage", "sqlite_dbdata", "sqlite_dbptr",
        # PostgreSQL, beyond the families in DENIED_PREFIXES (pg_*, lo_*, dblink*, ...): settings, sequences,
        # transaction ids, and text search functions that run the SQL text they are given
        "set_config", "nextval", "setval", "txid_current", "lowrite", "ts_stat", "ts_rewrite",
        # MySQL
        "sleep", "benchmark", "load_file", "get_lock", "release_lock",
    }
)  # fmt: skip

# Whole families, whatever their members are called: PostgreSQL's pg_* functions are its administration
# interface (files, sessions, replication, statistics, locks, WAL), lo_* its large objects, dblink* other
# servers, brin_*/gin_* index maintenance that writes even in a read-only transaction, tablefunc's
# crosstab*/connectby and the *_to_xml* family run SQL, or read a table, named in a string out of the guard's
# sight. The pg_* a reading query may want are allowed by name.
DENIED_PREFIXES = (
    "pg_", "lo_", "dblink", "brin_", "gin_", "crosstab", "connectby",
    "query_to_xml", "cursor_to_xml", "table_to_xml", "schema_to_xml", "database_to_xml",
)  # fmt: skip
ALLOWED_PG_FUNCTIONS: frozenset[str] = frozenset(
    {
        "pg_typeof", "pg_column_size", "pg_size_pretty", "pg_size_bytes", "pg_relation_size",
        "pg_total_relation_size", "pg_table_size", "pg_indexes_size", "pg_database_size", "pg_get_viewdef",
        "pg_get_constraintdef", "pg_get_indexdef", "pg_get_expr", "pg_get_userbyid", "pg_table_is_visible",
        "pg_encoding_to_char", "pg_client_encoding", "pg_input_is_valid",
    }
)  # fmt: skip
# Catalog views that show the server's configuration files, its roles' secrets, large objects' bytes or other
# sessions' SQL: nothing a question about the business's data needs.
DENIED_RELATIONS: frozenset[str] = frozenset(
    {
        "pg_file_settings", "pg_hba_file_rules", "pg_ident_file_mappings", "pg_authid", "pg_shadow",
        "pg_user_mappings", "pg_largeobject", "pg_stat_activity", "pg_stat_statements",
    }
)  # fmt: skip

_QUERY_ROOTS = (exp.Select, exp.SetOperation, exp.Subquery)
TOO_DEEP = "Refused: the query is nested too deeply to check; flatten the nested subqueries or parentheses."


def check_read_only(sql: str, dialect: str) -> exp.Expression:
    """Parse `sql` and return its single statement if it is a read-only query.

    Raises `UnsafeQueryError` (message starting "Refused:") for anything else.
    """
    if not sql or not sql.strip():
        raise UnsafeQueryError("Refused: the query is empty; send one SELECT statement.")
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
    statement = statements[0]
    if not isinstance(statement, _QUERY_ROOTS):
        raise UnsafeQueryError(
            f"Refused: only SELECT queries (optionally WITH ... SELECT) are allowed, not {_describe(statement, sql)}."
        )
    for node in statement.walk():
        _check_node(node)
    return statement


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
    reads `U & "pg\\005fsleep"`, so the function check would never see the name. No query needs such names."""
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


def _check_node(node: exp.Expr) -> None:
    label = _forbidden_label(node)
    if label:
        raise UnsafeQueryError(f"Refused: the query contains {label}; only reading is allowed.")
    if isinstance(node, exp.Func) and _denied_function(name := _function_name(node)):
        raise UnsafeQueryError(
            f"Refused: the function {name}() is not allowed (it has side effects or reaches outside the "
            "database's tables); rewrite the query without it."
        )
    if isinstance(node, exp.Table) and node.name.lower() in DENIED_RELATIONS:
        raise UnsafeQueryError(
            f"Refused: {node.name.lower()} is a system view about the server, not the business's data; "
            "query the business tables instead."
        )


def _denied_function(name: str) -> bool:
    if name in DENIED_FUNCTIONS:
        return True
    return name.startswith(DENIED_PREFIXES) and name not in ALLOWED_PG_FUNCTIONS


def _function_name(node: exp.Func) -> str:
    name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
    return name.lower()


def _forbidden_label(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Command):
        # Statements sqlglot does not model (VACUUM, EXPLAIN, CALL, DO, SHOW...) keep their keyword.
        return str(node.this).upper()
    for kind, label in _FORBIDDEN_NODES.items():
        if isinstance(node, kind):
            return label
    return None


def _describe(statement: exp.Expr, sql: str) -> str:
    label = _forbidden_label(statement)
    if label:
        return label
    # sqlglot reads some statements it does not know (SAVEPOINT x, LISTEN x) as an alias
    # expression; naming the statement's first keyword is what the person will recognise.
    tokens = sqlglot.tokenize(sql)
    return f"{tokens[0].text.upper()}" if tokens else "this statement"
