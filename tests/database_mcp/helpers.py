"""What the Database MCP tests share: a real MCP client over SSE, refusal cases, data fingerprints."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from mcp import ClientSession
from mcp.types import CallToolResult

from talk2tables.sample_data.generator import SampleData, generate
from tests.support.mcp_client import mcp_session, read_json  # noqa: F401 - re-exported for the tests

TOOL_ERROR_PREFIX = "Error executing tool execute_query: "


async def query(session: ClientSession, sql: str) -> CallToolResult:
    return await session.call_tool("execute_query", {"query": sql})


def error_text(result: CallToolResult) -> str:
    """The tool error's own message (the SDK prefixes it with the tool's name)."""
    assert result.is_error, f"expected a tool error, got {result.structured_content}"
    text = result.content[0].text  # type: ignore[union-attr]
    assert text.startswith(TOOL_ERROR_PREFIX), text
    return text.removeprefix(TOOL_ERROR_PREFIX)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Statements every dialect must refuse, with the words the refusal must contain.
REFUSED_EVERYWHERE: list[tuple[str, str]] = [
    ("DROP TABLE sales", "not DROP"),
    ("DELETE FROM sales", "not DELETE"),
    ("UPDATE sales SET total_amount = 0", "not UPDATE"),
    ("INSERT INTO products (product_id, product_name) VALUES (1, 'x')", "not INSERT"),
    ("ALTER TABLE sales ADD COLUMN hacked INTEGER", "not ALTER"),
    ("CREATE TABLE stolen AS SELECT * FROM customers", "not CREATE"),
    ("SELECT 1; DROP TABLE sales", "exactly one statement"),
    ("SELECT * FROM sales;\n-- harmless looking\nDELETE FROM sales", "exactly one statement"),
    ("/* just a select */ DeLeTe FrOm sales", "not DELETE"),
    ("sElEcT 1; dRoP tAbLe sales", "exactly one statement"),
    ("WITH gone AS (DELETE FROM sales RETURNING *) SELECT * FROM gone", "contains DELETE"),
    ("WITH x AS (SELECT 1 AS a) INSERT INTO sales (sale_id) SELECT a FROM x", "INSERT"),
    ("SELECT * INTO sales_copy FROM sales", "SELECT ... INTO"),
    ("BEGIN", "transaction"),
    ("COMMIT", "COMMIT"),
    ("SELEC * FROM sales", "could not be parsed"),
    ("", "empty"),
    ("  ;  ", "empty"),
]
REFUSED_SQLITE: list[tuple[str, str]] = [
    ("PRAGMA query_only = OFF", "PRAGMA"),
    ("PRAGMA writable_schema = ON", "PRAGMA"),
    ("ATTACH DATABASE '/tmp/t2t-evil.db' AS evil", "ATTACH"),
    ("DETACH DATABASE main", "DETACH"),
    ("VACUUM", "VACUUM"),
    ("VACUUM INTO '/tmp/t2t-copy.db'", "VACUUM"),
    ("SELECT load_extension('/tmp/evil.so')", "load_extension()"),
    ("SELECT LOAD_EXTENSION('/tmp/evil.so')", "load_extension()"),
    ("SELECT writefile('/tmp/t2t-x', 'data')", "writefile()"),
    ("SELECT readfile('/etc/passwd')", "readfile()"),
    ("SELECT fts3_tokenizer('simple')", "fts3_tokenizer()"),
    ("REPLACE INTO products (product_id) VALUES (123)", "REPLACE"),
]
REFUSED_POSTGRES: list[tuple[str, str]] = [
    ("SET default_transaction_read_only = off", "SET"),
    ("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", "SET"),
    ("SELECT set_config('default_transaction_read_only', 'off', false)", "set_config()"),
    ("SELECT pg_read_file('/etc/passwd')", "pg_read_file()"),
    ("SELECT * FROM pg_ls_dir('.')", "pg_ls_dir()"),
    ("SELECT lo_import('/etc/passwd')", "lo_import()"),
    ("SELECT lo_export(1, '/tmp/t2t-x')", "lo_export()"),
    ("SELECT pg_terminate_backend(1)", "pg_terminate_backend()"),
    ("SELECT pg_sleep(30)", "pg_sleep()"),
    ("SELECT pg_catalog.pg_sleep(30)", "dotted name"),
    ("SELECT nextval('some_sequence')", "nextval()"),
    ("SELECT * FROM dblink('host=evil', 'SELECT 1') AS t(a int)", "dblink()"),
    ("SELECT query_to_xml('DELETE FROM sales', true, true, '')", "query_to_xml()"),
    ("COPY sales TO '/tmp/t2t-sales.csv'", "COPY"),
    ("COPY sales FROM PROGRAM 'id'", "COPY"),
    ("SELECT * FROM sales FOR UPDATE", "row-locking"),
    ("TRUNCATE sales", "TRUNCATE"),
    ("DO $$ BEGIN DELETE FROM sales; END $$", "DO"),
    ("GRANT ALL ON sales TO PUBLIC", "GRANT"),
    ('SELECT U&"pg\\005fsleep"(30)', "Unicode escapes"),
    ("SELECT pg_catalog.u&\"pg\\005fread\\005ffile\"('/etc/passwd') FROM customers AS U", "Unicode escapes"),
    ("SELECT pg_read_file_old('/etc/passwd', 0, 200)", "pg_read_file_old()"),
    ("SELECT brin_summarize_new_values('sales_pkey')", "brin_summarize_new_values()"),
    ("SELECT * FROM crosstab('SELECT 1, 1, 1') AS t(a int)", "crosstab()"),
    ("SELECT * FROM pg_catalog.pg_file_settings", "in schema 'pg_catalog'"),
    ("SELECT table_to_xml('pg_catalog.pg_file_settings', true, false, '')", "table_to_xml()"),
    ("SELECT database_to_xml(true, false, '')", "database_to_xml()"),
]


@functools.cache
def sample_rows() -> SampleData:
    """The generated sample store, built once per test process (it is what every sample database holds)."""
    return generate()
