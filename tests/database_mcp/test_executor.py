"""The executor on its own: guard + read-only connection + time limit + row cap, real SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from talk2tables.database_mcp.engine import create_readonly_engine
from talk2tables.database_mcp.executor import MAX_CELL_CHARS, MAX_RESULT_CHARS, QueryExecutor, fetch_within_budget
from talk2tables.errors import DatabaseError, UnsafeQueryError
from tests.database_mcp.helpers import REFUSED_EVERYWHERE, REFUSED_SQLITE, file_digest, sample_rows
from tests.support.postgres import PostgresServer

SLOW = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT COUNT(*) FROM n"
REVENUE_BY_REGION = "SELECT region, ROUND(SUM(total_amount), 2) AS revenue FROM sales GROUP BY region ORDER BY region"


def expected_revenue_by_region() -> list[list[object]]:
    totals: dict[str, float] = {}
    for sale in sample_rows().sales:
        totals[sale["region"]] = totals.get(sale["region"], 0.0) + sale["total_amount"]
    return [[region, round(total, 2)] for region, total in sorted(totals.items())]


@pytest.fixture(scope="module")
def sqlite_db(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copy(sample_db, tmp_path_factory.mktemp("executor") / "shop.db"))


@pytest.fixture(scope="module")
def executor(sqlite_db: Path) -> Iterator[QueryExecutor]:
    engine = create_readonly_engine(str(sqlite_db))
    yield QueryExecutor(engine, max_rows=50, statement_timeout_seconds=0.5)
    engine.dispose()


def test_returns_columns_rows_and_count(executor: QueryExecutor) -> None:
    result = executor.execute(REVENUE_BY_REGION)
    assert result.columns == ["region", "revenue"]
    assert result.rows == expected_revenue_by_region()
    assert result.row_count == 4
    assert result.truncated is False


def test_caps_rows_and_says_the_result_was_truncated(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT sale_id FROM sales ORDER BY sale_id")
    assert result.row_count == 50
    assert result.rows == [[i] for i in range(1, 51)]
    assert result.truncated is True


def test_a_result_exactly_at_the_cap_is_not_truncated(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT sale_id FROM sales ORDER BY sale_id LIMIT 50")
    assert result.row_count == 50
    assert result.truncated is False


def test_returns_dates_as_iso_strings(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT MIN(sale_date), MAX(sale_date) FROM sales")
    period = sample_rows().period
    assert result.rows == [[period.first_day.isoformat(), period.last_day.isoformat()]]


def test_passes_percent_signs_and_colons_to_the_database_verbatim(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT '100%', 'a:b', ':name', COUNT(*) FROM customers WHERE email LIKE '%@%'")
    assert result.rows == [["100%", "a:b", ":name", 600]]


def test_an_empty_result_keeps_its_column_names(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT product_name, price FROM products WHERE price < 0")
    assert result.columns == ["product_name", "price"]
    assert result.rows == []
    assert result.row_count == 0


def test_database_errors_carry_the_databases_own_words(executor: QueryExecutor) -> None:
    with pytest.raises(DatabaseError) as error:
        executor.execute("SELECT full_name FROM customers")
    assert error.value.message == "no such column: full_name"


def test_stops_a_query_at_the_time_limit_and_keeps_working(executor: QueryExecutor) -> None:
    with pytest.raises(DatabaseError) as error:
        executor.execute(SLOW)
    assert error.value.message.startswith("Timed out: ")
    assert "0.5 s statement time limit" in error.value.message
    assert error.value.context["reason"] == "timeout"
    assert executor.execute("SELECT COUNT(*) FROM products").rows == [[18]]


@pytest.mark.parametrize(("sql", "reason"), REFUSED_EVERYWHERE + REFUSED_SQLITE)
def test_refuses_before_touching_the_database_and_nothing_changes(
    executor: QueryExecutor, sqlite_db: Path, sql: str, reason: str
) -> None:
    before = file_digest(sqlite_db)
    with pytest.raises(UnsafeQueryError, match=r"^Refused: "):
        executor.execute(sql)
    assert file_digest(sqlite_db) == before


def test_refuses_a_row_cap_below_one(sample_db: Path) -> None:
    with pytest.raises(ValueError, match="max_rows"):
        QueryExecutor(create_readonly_engine(str(sample_db)), max_rows=0, statement_timeout_seconds=1)


@pytest.fixture(scope="module")
def pg_executor(postgres_sample: PostgresServer) -> Iterator[QueryExecutor]:
    engine = create_readonly_engine(postgres_sample.reader_url, statement_timeout_seconds=0.5)
    yield QueryExecutor(engine, max_rows=50, statement_timeout_seconds=0.5)
    engine.dispose()


@pytest.mark.postgres
class TestOnPostgres:
    def test_returns_the_same_answer_as_sqlite(self, pg_executor: QueryExecutor, executor: QueryExecutor) -> None:
        assert pg_executor.execute(REVENUE_BY_REGION).rows == executor.execute(REVENUE_BY_REGION).rows

    def test_turns_decimals_into_numbers_and_dates_into_strings(self, pg_executor: QueryExecutor) -> None:
        result = pg_executor.execute("SELECT price, launch_date FROM products WHERE product_id = 123")
        assert result.rows == [[49.99, sample_rows().period.launch_day(123).isoformat()]]

    def test_caps_rows_with_a_server_side_cursor(self, pg_executor: QueryExecutor) -> None:
        result = pg_executor.execute("SELECT sale_id FROM sales ORDER BY sale_id")
        assert (result.row_count, result.truncated, result.rows[-1]) == (50, True, [50])

    def test_passes_percent_signs_through(self, pg_executor: QueryExecutor) -> None:
        result = pg_executor.execute("SELECT COUNT(*) FROM products WHERE product_name LIKE 'M%'")
        assert result.rows == [[2]]

    def test_database_errors_carry_the_databases_own_words(self, pg_executor: QueryExecutor) -> None:
        with pytest.raises(DatabaseError) as error:
            pg_executor.execute("SELECT full_name FROM customers")
        assert error.value.message == 'column "full_name" does not exist'

    def test_includes_the_databases_hint_when_it_gives_one(self, pg_executor: QueryExecutor) -> None:
        with pytest.raises(DatabaseError) as error:
            pg_executor.execute("SELECT total_amount FROM sales WHERE sale_date > 5")
        assert error.value.message.startswith("operator does not exist: date > integer")
        assert "HINT:  No operator matches" in error.value.message

    def test_backslashes_in_strings_are_plain_text_whatever_the_server_default(
        self, postgres_sample: PostgresServer
    ) -> None:
        # With standard_conforming_strings off, the server would read 'x\\'' otherwise than the guard does.
        url = f"{postgres_sample.reader_url}?options=-c%20standard_conforming_strings%3Doff"
        engine = create_readonly_engine(url, statement_timeout_seconds=5)
        try:
            executor = QueryExecutor(engine, max_rows=5, statement_timeout_seconds=5)
            with engine.connect() as conn:  # current_setting() is not for queries from outside
                assert conn.exec_driver_sql("SHOW standard_conforming_strings").scalar_one() == "on"
            assert executor.execute("SELECT 'a\\b' AS s").rows == [["a\\b"]]
        finally:
            engine.dispose()

    def test_stops_a_query_at_the_statement_timeout_and_keeps_working(self, pg_executor: QueryExecutor) -> None:
        with pytest.raises(DatabaseError, match=r"^Timed out: "):
            pg_executor.execute(SLOW)
        assert pg_executor.execute("SELECT COUNT(*) FROM products").rows == [[18]]


def test_no_single_value_can_grow_past_the_sqlite_length_limit(executor: QueryExecutor) -> None:
    with pytest.raises(DatabaseError, match="too big"):
        executor.execute("SELECT printf('%.*c', 6000000, 'x') || printf('%.*c', 6000000, 'x')")


def test_long_text_is_cut_and_the_result_says_truncated(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT printf('%.*c', 50000, 'x') AS s")
    assert len(result.rows[0][0]) == MAX_CELL_CHARS + 1  # the cut text ends with an ellipsis
    assert result.truncated is True


def test_a_result_stops_growing_past_its_size_budget(executor: QueryExecutor) -> None:
    result = executor.execute("SELECT printf('%.*c', 9000, 'x') AS s FROM sales LIMIT 900")
    assert result.truncated is True
    assert 0 < result.row_count < 900
    assert sum(len(row[0]) for row in result.rows) <= MAX_RESULT_CHARS


def test_a_like_pattern_too_long_to_interrupt_fails_at_once(executor: QueryExecutor) -> None:
    # Matched inside one step of SQLite's virtual machine, where the time limit cannot stop it: minutes, not 2 s.
    with pytest.raises(DatabaseError, match="pattern too complex"):
        executor.execute("SELECT printf('%.*c', 1000000, 'a') LIKE '%' || printf('%.*c', 20000, 'a') || 'b'")
    assert executor.execute("SELECT COUNT(*) FROM customers WHERE email LIKE '%@%'").rows[0][0] > 0


class _EndlessRows:
    """A result of endless rows of 20 cells of 9,000 characters (each under the cell cut), counting fetches."""

    def __init__(self) -> None:
        self.fetched = 0

    def fetchone(self) -> tuple[str, ...]:
        self.fetched += 1
        return ("x" * 9_000,) * 20


def test_fetching_stops_once_the_rows_are_over_the_size_budget_not_at_the_row_cap() -> None:
    result = _EndlessRows()
    rows, cut = fetch_within_budget(result, 1001, time.monotonic() + 60)
    assert cut is True
    assert len(rows) == MAX_RESULT_CHARS // (20 * len(json.dumps("x" * 9_000))) > 0
    assert result.fetched == len(rows) + 1  # the row that went over the budget, and not one more


def test_fetching_stops_at_the_deadline_between_rows() -> None:
    # PostgreSQL's statement_timeout bounds each FETCH of a server-side cursor, not the whole result.
    result = _EndlessRows()
    with pytest.raises(TimeoutError):
        fetch_within_budget(result, 1001, time.monotonic() - 1)
    assert result.fetched == 0


def test_rows_of_megabytes_are_cut_to_a_readable_size_not_dropped(executor: QueryExecutor) -> None:
    result = executor.execute(
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 15) "
        "SELECT n, printf('%.*c', 9999999, 'z') AS z FROM r"
    )
    assert result.truncated is True
    assert result.row_count == 15
    assert {len(row[1]) for row in result.rows} == {MAX_CELL_CHARS + 1}


@pytest.mark.postgres
def test_postgres_arrays_and_json_count_against_the_budget_and_are_cut(pg_executor: QueryExecutor) -> None:
    result = pg_executor.execute(
        "WITH long AS (SELECT string_agg('x', '') AS x FROM generate_series(1, 50000)) "
        "SELECT ARRAY[long.x] AS a, jsonb_build_object('k', long.x) AS j FROM long, generate_series(1, 3)"
    )
    assert result.truncated is True
    assert result.row_count == 3
    for array, document in result.rows:
        assert (len(array), len(document)) == (MAX_CELL_CHARS + 1, MAX_CELL_CHARS + 1)
        assert array.startswith('["xxx')
        assert document.startswith('{"k": "xxx')
