"""The support desk as files: a SQLite database beside the shop's, the same rows on every write, joinable to the
shop through ATTACH, and served read-only by the real Database MCP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from talk2tables.sample_data.support_database import write_support_database
from talk2tables.sample_data.support_description import describe_support, write_support_description
from talk2tables.sample_data.support_generator import generate_support
from tests.database_mcp.helpers import error_text, file_digest, mcp_session, query, read_json
from tests.support.postgres import READER, SUPPORT_DB, PostgresServer
from tests.support.processes import ServerProcess, free_port, running

SUPPORT_TABLES = ["agents", "satisfaction_ratings", "tickets"]


def rows_of(database: Path, sql: str, *, attach: Path | None = None) -> list[tuple[object, ...]]:
    engine = create_engine(f"sqlite:///{database}")
    if attach is not None:

        @event.listens_for(engine, "connect")
        def _attach(dbapi_connection: object, _record: object) -> None:
            dbapi_connection.execute("ATTACH DATABASE ? AS support", (str(attach),))  # type: ignore[attr-defined]

    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_writes_the_three_tables_with_the_generated_rows(tmp_path: Path) -> None:
    database = write_support_database(tmp_path / "nested" / "support.db")
    names = rows_of(database, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    assert [name for (name,) in names] == SUPPORT_TABLES
    expected = generate_support()
    for table, rows in expected.by_table().items():
        assert rows_of(database, f"SELECT COUNT(*) FROM {table}") == [(len(rows),)]
    first = expected.tickets[0]
    stored = rows_of(database, "SELECT opened_at, status FROM tickets WHERE ticket_id = 1")
    assert stored == [(first["opened_at"].strftime("%Y-%m-%d %H:%M:%S"), first["status"])]
    assert list(tmp_path.joinpath("nested").iterdir()) == [database]  # no partial file left behind


def test_two_writes_hold_identical_data(tmp_path: Path) -> None:
    a = write_support_database(tmp_path / "a.db")
    b = write_support_database(tmp_path / "b.db")
    for table in SUPPORT_TABLES:
        assert rows_of(a, f"SELECT * FROM {table} ORDER BY 1") == rows_of(b, f"SELECT * FROM {table} ORDER BY 1")


def test_every_ticket_joins_to_a_shop_customer_and_product(sample_db: Path, sample_support_db: Path) -> None:
    shop, support = sample_db, sample_support_db
    unmatched = rows_of(
        shop,
        "SELECT COUNT(*) FROM support.tickets AS t LEFT JOIN customers AS c ON c.customer_id = t.customer_id "
        "LEFT JOIN products AS p ON p.product_id = t.product_id WHERE c.customer_id IS NULL OR p.product_id IS NULL",
        attach=support,
    )
    assert unmatched == [(0,)]
    revenue = rows_of(
        shop,
        "SELECT COUNT(DISTINCT s.product_id), SUM(s.total_amount) FROM sales AS s "
        "WHERE s.product_id IN (SELECT product_id FROM support.tickets WHERE status = 'open')",
        attach=support,
    )
    products, total = revenue[0]
    assert isinstance(products, int)
    assert products >= 3
    assert isinstance(total, float)
    assert total > 0


def test_relative_dates_find_recent_tickets_in_sqlite(sample_support_db: Path) -> None:
    support = sample_support_db
    recent = rows_of(support, "SELECT COUNT(*) FROM tickets WHERE opened_at >= date('now', '-30 days')")
    hours = rows_of(support, "SELECT MIN((julianday(closed_at) - julianday(opened_at)) * 24) FROM tickets")
    assert recent[0][0] >= 1  # type: ignore[operator]
    assert 0 < hours[0][0] < 24 * 200  # type: ignore[operator]


def test_the_description_names_every_table_and_the_sample_period(sample_data_dir: Path) -> None:
    text_ = (sample_data_dir / "support_description.md").read_text(encoding="utf-8")
    assert text_ == describe_support()
    for table in SUPPORT_TABLES:
        assert f"**{table}**" in text_
    assert generate_support().period.last_day.isoformat() in text_


@pytest.fixture(scope="module")
def support_server(sample_data_dir: Path, sample_support_db: Path) -> Iterator[ServerProcess]:
    port = free_port()
    args = ["db-server", "--database-url", str(sample_support_db), "--port", str(port)]
    args += ["--description", str(sample_data_dir / "support_description.md")]
    with running(args, port, env={"T2T_MCP_TOKEN": ""}) as server:
        yield server


@pytest.mark.e2e
async def test_the_database_mcp_serves_the_support_desk_read_only(
    support_server: ServerProcess, sample_support_db: Path
) -> None:
    database = sample_support_db
    before = file_digest(database)
    async with mcp_session(support_server.sse_url) as session:
        schema = await read_json(session, "database://schema")
        description = await read_json(session, "database://metadata")
        answered = await query(session, "SELECT COUNT(*) AS open_tickets FROM tickets WHERE status = 'open'")
        refused = await query(session, "DELETE FROM tickets")
    tables = {t["name"]: t for t in schema["tables"]}
    assert sorted(tables) == SUPPORT_TABLES
    assert tables["tickets"]["row_count"] == len(generate_support().tickets)
    assert "Sample support desk" in description["description"]
    assert answered.structured_content is not None
    assert answered.structured_content["rows"][0][0] >= 3
    assert "not DELETE" in error_text(refused)
    assert file_digest(database) == before


@pytest.mark.e2e
@pytest.mark.postgres
async def test_the_database_mcp_serves_the_support_desk_from_postgres_as_the_reader(
    postgres_support_desk: PostgresServer, tmp_path: Path
) -> None:
    port = free_port()
    description = write_support_description(tmp_path / "support_description.md")
    args = ["db-server", "--port", str(port), "--description", str(description)]
    url = postgres_support_desk.url(SUPPORT_DB, user=READER)  # through the environment, as `up` passes it
    with running(args, port, env={"T2T_MCP_TOKEN": "", "DATABASE_URL": url}) as server:
        async with mcp_session(server.sse_url) as session:
            schema = await read_json(session, "database://schema")
            open_tickets = await query(session, "SELECT COUNT(*) FROM tickets WHERE status = 'open'")
            hours = await query(
                session,
                "SELECT AVG(EXTRACT(EPOCH FROM closed_at - opened_at) / 3600) FROM tickets WHERE closed_at IS NOT NULL",
            )
    assert schema["dialect"] == "postgres"
    assert sorted(t["name"] for t in schema["tables"]) == SUPPORT_TABLES
    assert open_tickets.structured_content is not None
    assert open_tickets.structured_content["rows"][0][0] >= 3
    assert hours.structured_content is not None
    assert float(hours.structured_content["rows"][0][0]) > 0
