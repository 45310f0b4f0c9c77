"""Failure paths of the server's resources, driven in process through the SDK's own client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError
from sqlalchemy import Engine

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.server import DatabaseServerConfig, create_app, create_server
from talk2tables.mcp_auth import BearerTokenMiddleware
from tests.support.postgres import PostgresServer


@pytest.fixture
def engine(sample_db: Path) -> Iterator[Engine]:
    engine = create_readonly_engine(str(sample_db))
    yield engine
    engine.dispose()


def config(sample_db: Path, description: Path, token: str | None = None) -> DatabaseServerConfig:
    return DatabaseServerConfig(database_url=str(sample_db), description_path=description, token=token)


async def read_metadata(server_config: DatabaseServerConfig, engine: Engine) -> dict[str, str]:
    async with Client(create_server(server_config, engine=engine)) as client:
        result = await client.read_resource("database://metadata")
    return json.loads(result.contents[0].text)  # type: ignore[union-attr,no-any-return]


async def test_a_missing_description_says_where_to_write_one(sample_db: Path, engine: Engine, tmp_path: Path) -> None:
    missing = tmp_path / "about.md"
    metadata = await read_metadata(config(sample_db, missing), engine)
    assert metadata["source"] == str(missing)
    assert f"Write one in Markdown at {missing}" in metadata["description"]


async def test_a_description_created_later_is_served_without_a_restart(
    sample_db: Path, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "about.md"
    server = create_server(config(sample_db, path), engine=engine)
    async with Client(server) as client:
        before = json.loads((await client.read_resource("database://metadata")).contents[0].text)  # type: ignore[union-attr]
        path.write_text("# Shop\n", encoding="utf-8")
        after = json.loads((await client.read_resource("database://metadata")).contents[0].text)  # type: ignore[union-attr]
    assert before["description"] != "# Shop\n"
    assert after["description"] == "# Shop\n"


async def test_an_unreadable_description_is_a_resource_error_that_names_the_file(
    sample_db: Path, engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "about.md"
    path.write_bytes(b"\xff\xfe not utf-8 \xc3")
    async with Client(create_server(config(sample_db, path), engine=engine)) as client:
        with pytest.raises(MCPError, match=f"Could not read the business description {path}"):
            await client.read_resource("database://metadata")


def test_the_app_checks_the_token_only_when_one_is_configured(sample_db: Path, engine: Engine, tmp_path: Path) -> None:
    assert isinstance(
        create_app(config(sample_db, tmp_path / "a.md", token="t0ken"), engine=engine), BearerTokenMiddleware
    )
    assert not isinstance(create_app(config(sample_db, tmp_path / "a.md"), engine=engine), BearerTokenMiddleware)


@pytest.mark.postgres
async def test_a_partly_granted_role_gets_the_readable_tables_and_is_told_which_were_left_out(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    postgres_server.create_database("partly_granted")
    postgres_server.execute("CREATE TABLE secrets (id integer PRIMARY KEY)", database="partly_granted")
    postgres_server.execute("CREATE TABLE public_notes (id integer PRIMARY KEY)", database="partly_granted")
    postgres_server.execute("GRANT USAGE ON SCHEMA public TO t2t_reader", database="partly_granted")
    postgres_server.execute("GRANT SELECT ON public_notes TO t2t_reader", database="partly_granted")
    engine = create_readonly_engine(postgres_server.url("partly_granted", user="t2t_reader"))
    server = create_server(config(Path("unused.db"), tmp_path / "a.md"), engine=engine)
    try:
        async with Client(server) as client:
            result = await client.read_resource("database://schema")
    finally:
        engine.dispose()
    schema = json.loads(result.contents[0].text)  # type: ignore[union-attr]
    assert [t["name"] for t in schema["tables"]] == ["public_notes"]
    assert schema["omitted_tables"] == [
        {"name": "secrets", "reason": "the database role has no SELECT privilege on it"}
    ]
