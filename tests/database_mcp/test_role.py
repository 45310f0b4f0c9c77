"""The PostgreSQL role check and the session layer under the guard: a role that could write is refused unless the
override says so, every session is limited, and nothing a call leaves in a session outlives the call."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy.exc import DBAPIError

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.executor import QueryExecutor
from talk2tables.database_mcp.role import check_role, refuse_privileged_role
from talk2tables.errors import ConfigurationError
from tests.database_mcp.test_cli import run_cli
from tests.support.postgres import PostgresServer
from tests.support.processes import ServerProcess, free_port

pytestmark = pytest.mark.postgres

LIMITED = "t2t_limited"  # SELECT-only, but nobody bounded its temporary files
WRITER = "t2t_writer"  # may INSERT into one table


@pytest.fixture(scope="module")
def roles(postgres_sample: PostgresServer) -> Iterator[PostgresServer]:
    for role in (LIMITED, WRITER):
        postgres_sample.execute(f"DROP ROLE IF EXISTS {role}", database="postgres")
        postgres_sample.execute(f"CREATE ROLE {role} LOGIN", database="postgres")
        postgres_sample.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    postgres_sample.execute(f"ALTER ROLE {WRITER} SET temp_file_limit = '256MB'", database="postgres")
    postgres_sample.execute(f"GRANT INSERT ON products TO {WRITER}")
    yield postgres_sample
    for role in (LIMITED, WRITER):
        postgres_sample.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        postgres_sample.execute(f"DROP ROLE {role}", database="postgres")


def report_for(url: str) -> list[str]:
    engine = create_readonly_engine(url)
    try:
        return check_role(engine).problems
    finally:
        engine.dispose()


def test_the_documented_select_only_role_has_no_problem(roles: PostgresServer) -> None:
    assert report_for(roles.reader_url) == []


def test_a_superuser_is_named_with_everything_it_could_do(roles: PostgresServer) -> None:
    problems = report_for(roles.admin_url)
    assert "the role is a superuser" in problems
    assert any("may write 5 relation(s): public.customers" in p for p in problems)
    assert any("create objects in schema(s) public" in p for p in problems)


def test_a_role_with_one_write_privilege_is_refused_naming_the_table(roles: PostgresServer) -> None:
    assert report_for(roles.url(user=WRITER)) == ["the role may write 1 relation(s): public.products"]


def test_a_role_with_unbounded_temporary_files_is_told_the_fix(roles: PostgresServer) -> None:
    (problem,) = report_for(roles.url(user=LIMITED))
    assert f"ALTER ROLE {LIMITED} SET temp_file_limit" in problem


def test_the_refusal_names_every_problem_and_the_way_out(roles: PostgresServer) -> None:
    engine = create_readonly_engine(roles.admin_url)
    try:
        with pytest.raises(ConfigurationError) as refused:
            refuse_privileged_role(check_role(engine))
    finally:
        engine.dispose()
    assert "the role is a superuser" in refused.value.message
    assert "--allow-privileged-role" in refused.value.message
    assert "SELECT-only role" in refused.value.message


def test_db_server_refuses_to_start_as_a_superuser_without_the_flag(roles: PostgresServer) -> None:
    result = run_cli("db-server", "--database-url", roles.admin_url, "--port", str(free_port()))
    assert result.returncode == 1
    assert "Refusing to serve the database as role 't2t'" in result.stderr
    assert "the role is a superuser" in result.stderr
    assert "--allow-privileged-role" in result.stderr


def test_db_server_starts_as_a_superuser_with_the_flag_and_as_the_reader_without(roles: PostgresServer) -> None:
    for url, extra in ((roles.admin_url, ["--allow-privileged-role"]), (roles.reader_url, [])):
        port = free_port()
        server = ServerProcess(["db-server", "--database-url", url, "--port", str(port), *extra], port)
        try:
            server.start(timeout=60)
            assert server.process is not None
            assert server.process.poll() is None
        finally:
            server.stop()


def test_every_session_is_read_only_and_limited(roles: PostgresServer) -> None:
    engine = create_readonly_engine(roles.reader_url, statement_timeout_seconds=3)
    try:
        with engine.connect() as conn:
            shown = {
                name: conn.exec_driver_sql(f"SHOW {name}").scalar_one()
                for name in ("default_transaction_read_only", "statement_timeout", "work_mem",
                             "idle_in_transaction_session_timeout", "temp_file_limit")
            }  # fmt: skip
    finally:
        engine.dispose()
    assert shown == {
        "default_transaction_read_only": "on",
        "statement_timeout": "3s",
        "work_mem": "32MB",
        "idle_in_transaction_session_timeout": "30s",
        "temp_file_limit": "256MB",  # the role's own (an administrator set it)
    }


def test_a_session_lock_or_setting_does_not_outlive_the_call_that_made_it(roles: PostgresServer) -> None:
    # Taken here with SQL the guard would refuse: the layer under the guard must undo it on its own.
    engine = create_readonly_engine(roles.reader_url, statement_timeout_seconds=3)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT pg_advisory_lock(4242)")
            conn.exec_driver_sql("SET work_mem = '1GB'")
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with engine.connect() as conn:  # the pool hands back the same connection
            assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one() == pid
            assert conn.exec_driver_sql("SHOW work_mem").scalar_one() == "32MB"
            held = conn.exec_driver_sql("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'").scalar_one()
        assert held == 0
    finally:
        engine.dispose()


def test_an_error_a_query_raises_is_the_querys_not_an_unavailable_database(roles: PostgresServer) -> None:
    roles.execute(
        "CREATE OR REPLACE FUNCTION raise_08003() RETURNS int LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE SQLSTATE '08003' USING MESSAGE = 'raised by the query'; END $$"
    )
    engine = create_readonly_engine(roles.reader_url, statement_timeout_seconds=3)
    executor = QueryExecutor(engine, max_rows=5, statement_timeout_seconds=3)
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError) as raised:
            conn.exec_driver_sql("SELECT raise_08003()")
        error = executor._database_error(raised.value)
    finally:
        engine.dispose()
        roles.execute("DROP FUNCTION raise_08003()")
    assert error.context["reason"] == "database"
    assert error.message.startswith("raised by the query")


def test_a_lost_connection_is_an_unavailable_database(roles: PostgresServer) -> None:
    engine = create_readonly_engine(roles.reader_url, statement_timeout_seconds=3)
    executor = QueryExecutor(engine, max_rows=5, statement_timeout_seconds=3)
    try:
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with psycopg.connect(roles.admin_url, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            with pytest.raises(DBAPIError) as raised:
                conn.exec_driver_sql("SELECT 1")
            error = executor._database_error(raised.value)
    finally:
        engine.dispose()
    assert error.context["reason"] == "unavailable"
    assert error.message.startswith("Unavailable:")
