"""The pipeline on PostgreSQL: the dialect comes from the schema, is named to the LLM, and drives validation."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from talk2tables.orchestrator import Orchestrator, load_registry
from talk2tables.sql_generation.generator import SQLGenerator
from talk2tables.sql_generation.providers import LLMConfig
from talk2tables.workflow.pipeline import Pipeline
from tests.support.postgres import PostgresServer
from tests.support.processes import ServerProcess, free_port
from tests.support.scripted_llm import ScriptedLLMServer, answer
from tests.support.scripts import FULL_YEAR
from tests.support.system import write_registry

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

MONTHLY_PG = (
    "SELECT to_char(date_trunc('month', s.sale_date), 'YYYY-MM') AS month, SUM(s.total_amount) AS revenue "
    f"FROM sales AS s WHERE EXTRACT(YEAR FROM s.sale_date) = {FULL_YEAR} GROUP BY 1 ORDER BY 1"
)


@pytest.fixture(scope="module")
def postgres_registry(
    postgres_sample: PostgresServer, sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """The Database MCP on the PostgreSQL sample (as the SELECT-only reader) and the Product Metadata MCP."""
    workdir = tmp_path_factory.mktemp("pg-system")
    metadata = shutil.copy(sample_data_dir / "product_metadata.json", workdir / "product_metadata.json")
    db_port, md_port = free_port(), free_port()
    db = ServerProcess(
        ["db-server", "--database-url", postgres_sample.reader_url, "--port", str(db_port)],
        db_port, log=workdir / "db-server.log",
    )  # fmt: skip
    md = ServerProcess(["metadata-server", "--metadata", str(metadata), "--port", str(md_port)], md_port,
                       log=workdir / "metadata-server.log")  # fmt: skip
    db.start()
    md.start()
    try:
        yield write_registry(workdir / "mcp_config.yaml", db_port=db_port, metadata_port=md_port)
    finally:
        db.stop()
        md.stop()


@pytest.fixture
async def pg_pipeline(postgres_registry: Path, llm_config: LLMConfig) -> AsyncIterator[Pipeline]:
    generator = SQLGenerator(llm_config)
    async with Orchestrator(load_registry(postgres_registry)) as orchestrator:
        yield Pipeline(orchestrator, generator)
    await generator.aclose()


async def test_answers_with_postgresql_sql_and_names_the_dialect_to_the_llm(
    llm: ScriptedLLMServer, pg_pipeline: Pipeline
) -> None:
    llm.llm.set_script([{"match": "monthly", "responses": [answer(MONTHLY_PG)]}])
    result = await pg_pipeline.answer("monthly revenue last year")
    assert result.success, result.error
    assert result.metadata["dialect"] == "postgres"
    assert [row[0] for row in result.result.rows] == [f"{FULL_YEAR}-{m:02d}" for m in range(1, 13)]
    assert "exactly one read-only PostgreSQL query" in llm.llm.requests[0]["messages"][0]["content"]


async def test_recovers_from_sqlite_only_sql_refused_before_it_reaches_postgresql(
    llm: ScriptedLLMServer, pg_pipeline: Pipeline
) -> None:
    sqlite_sql = "SELECT strftime('%Y-%m', sale_date) AS month, SUM(total_amount) FROM sales GROUP BY 1"
    llm.llm.set_script([{"match": "monthly", "responses": [answer(sqlite_sql), answer(MONTHLY_PG)]}])
    result = await pg_pipeline.answer("monthly revenue last year")
    assert result.success, result.error
    first = result.metadata["attempts"][0]
    assert first["stage"] == "validating"  # strftime() is not on PostgreSQL's list of functions
    assert "strftime()" in first["error"]
    assert result.metadata["recovered"] is True


async def test_writes_are_refused_and_the_postgresql_data_is_unchanged(
    llm: ScriptedLLMServer, pg_pipeline: Pipeline, postgres_sample: PostgresServer
) -> None:
    before = postgres_sample.execute("SELECT COUNT(*), SUM(total_amount) FROM sales")
    llm.llm.set_script(
        [{"match": "", "responses": [answer("DELETE FROM sales"), answer("TRUNCATE sales"),
                                     answer("WITH d AS (DELETE FROM sales RETURNING 1) SELECT COUNT(*) FROM d")]}]
    )  # fmt: skip
    result = await pg_pipeline.answer("clean up the sales table")
    assert not result.success
    assert all(a["error"].startswith("Refused") for a in result.metadata["attempts"])
    assert postgres_sample.execute("SELECT COUNT(*), SUM(total_amount) FROM sales") == before
