"""The PostgreSQL role the Database MCP connects as: it must be unable to write, so the database itself refuses
what the guard might one day let through.

`check_role` lists what the role could do beyond reading: superuser, roles that can grant themselves more,
write privileges on anything it can see, CREATE on the database or a schema, the server-file and
program roles, and an unbounded `temp_file_limit`. `talk2tables db-server` refuses to start on any of them
unless `--allow-privileged-role` says the deployment accepts it (docs/database-mcp.md gives the SQL of a
SELECT-only role). Other databases have no such check; SQLite's file is opened read-only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from talk2tables.errors import ConfigurationError

_LISTED = 5

_ROLE = """
SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls,
       pg_has_role(current_user, 'pg_write_server_files', 'member'),
       pg_has_role(current_user, 'pg_execute_server_program', 'member'),
       pg_has_role(current_user, 'pg_read_server_files', 'member'),
       pg_has_role(current_user, 'pg_signal_backend', 'member'),
       has_database_privilege(current_database(), 'CREATE'),
       current_setting('temp_file_limit'),
       has_parameter_privilege('temp_file_limit', 'SET'),
       current_user
FROM pg_roles AS r WHERE r.rolname = current_user
"""
_WRITABLE = """
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
  AND ((c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')
             OR has_any_column_privilege(c.oid, 'INSERT, UPDATE')))
    OR (c.relkind = 'S' AND has_sequence_privilege(c.oid, 'USAGE, UPDATE')))
ORDER BY 1
"""
_CREATABLE_SCHEMAS = """
SELECT quote_ident(nspname) FROM pg_namespace
WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_' AND has_schema_privilege(oid, 'CREATE')
ORDER BY 1
"""


@dataclass(frozen=True)
class RoleReport:
    """What the connecting role may do beyond reading (`problems`), and notes worth a warning."""

    role: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    may_set_temp_file_limit: bool = False


def check_role(engine: Engine) -> RoleReport:
    """Inspect the PostgreSQL role of `engine`; an empty report for any other database."""
    if engine.dialect.name != "postgresql":
        return RoleReport(role="")
    with engine.connect() as conn:
        row = conn.exec_driver_sql(_ROLE).one()
        writable = [str(r[0]) for r in conn.exec_driver_sql(_WRITABLE)]
        schemas = [str(r[0]) for r in conn.exec_driver_sql(_CREATABLE_SCHEMAS)]
        conn.rollback()
    (superuser, create_role, create_db, replication, bypass_rls, write_files, programs, read_files, signal,
     create_in_db, temp_file_limit, may_set_temp, role) = row  # fmt: skip
    flags = (
        (superuser, "the role is a superuser"),
        (create_role, "the role may create roles (CREATEROLE), and so grant itself more"),
        (create_db, "the role may create databases (CREATEDB)"),
        (replication, "the role is a replication role"),
        (bypass_rls, "the role bypasses row-level security"),
        (write_files, "the role may write the server's files (pg_write_server_files)"),
        (programs, "the role may run programs on the server (pg_execute_server_program)"),
        (create_in_db, "the role may create schemas in the database (CREATE on the database)"),
    )
    problems = [text for present, text in flags if present]
    if writable:
        problems.append(f"the role may write {len(writable)} relation(s): {_some(writable)}")
    if schemas:
        problems.append(f"the role may create objects in schema(s) {_some(schemas)}")
    may_set = bool(superuser or may_set_temp)
    if temp_file_limit == "-1" and not may_set:
        problems.append(
            "the role's temp_file_limit is unlimited and it may not set one (as an administrator: "
            f"ALTER ROLE {role} SET temp_file_limit = '256MB')"
        )
    warnings = [
        text
        for present, text in (
            (read_files, "the role may read the server's files (pg_read_server_files)"),
            (signal, "the role may cancel or end other sessions (pg_signal_backend)"),
        )
        if present
    ]
    return RoleReport(role=str(role), problems=problems, warnings=warnings, may_set_temp_file_limit=may_set)


def refuse_privileged_role(report: RoleReport) -> None:
    """Raise ConfigurationError naming every problem and the fix, when there is any."""
    if not report.problems:
        return
    listed = "; ".join(report.problems)
    raise ConfigurationError(
        f"Refusing to serve the database as role {report.role!r}: {listed}. Connect as a SELECT-only role "
        "(docs/database-mcp.md, 'A SELECT-only PostgreSQL role', gives the SQL), or pass --allow-privileged-role "
        "to accept the risk."
    )


def _some(names: list[str]) -> str:
    return ", ".join(names[:_LISTED]) + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")
