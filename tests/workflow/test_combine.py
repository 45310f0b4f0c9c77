"""Combining parts in memory: the caps on rows and time, the guard on the combining query, values of any shape."""

from __future__ import annotations

import time

import pytest

from talk2tables.errors import SQLValidationError
from talk2tables.models import QueryRows
from talk2tables.workflow.combine import CombineError, CombineLimits, combine


def rows(columns: list[str], data: list[list[object]], *, truncated: bool = False) -> QueryRows:
    return QueryRows(columns=columns, rows=data, row_count=len(data), truncated=truncated)


PARTS = {
    "revenue": rows(["product_id", "revenue"], [[1, 10.5], [2, 20.0], [3, 7.25]]),
    "open_tickets": rows(["product_id", "n"], [[2, 4], [3, 1], [9, 2]]),
}


def test_joins_the_parts_and_returns_only_the_combining_querys_rows() -> None:
    sql = (
        "SELECT r.product_id, r.revenue * t.n AS weighted FROM revenue AS r "
        "JOIN open_tickets AS t ON t.product_id = r.product_id ORDER BY 1"
    )
    result = combine(sql, PARTS, CombineLimits())
    assert result.columns == ["product_id", "weighted"]
    assert result.rows == [[2, 80.0], [3, 7.25]]
    assert (result.row_count, result.truncated) == (2, False)


def test_values_of_any_shape_are_combined_as_text_and_nulls_stay_null() -> None:
    parts = {"p": rows(["id", "tags", "missing"], [[1, ["a", "b"], None], [2, {"k": 1}, None]])}
    result = combine("SELECT id, tags, missing FROM p ORDER BY id", parts, CombineLimits())
    assert result.rows == [[1, '["a", "b"]', None], [2, '{"k": 1}', None]]


@pytest.mark.parametrize(
    ("parts", "limits", "message"),
    [
        ({"big": rows(["x"], [[1], [2], [3]])}, CombineLimits(max_part_rows=2), "Part 'big' returned more than 2 rows"),
        ({"cut": rows(["x"], [[1]], truncated=True)}, CombineLimits(), "Part 'cut' returned more than 1000 rows"),
        (
            {"a": rows(["x"], [[1], [2]]), "b": rows(["x"], [[1], [2]])},
            CombineLimits(max_total_rows=3),
            "The parts returned 4 rows together; the limit is 3",
        ),
    ],
)
def test_a_part_over_a_cap_is_refused_before_anything_is_combined(
    parts: dict[str, QueryRows], limits: CombineLimits, message: str
) -> None:
    with pytest.raises(CombineError, match=message) as caught:
        combine("SELECT 1 AS one", parts, limits)
    assert "Trino" in caught.value.message


def test_a_combined_result_over_the_total_cap_fails_whole() -> None:
    parts = {"a": rows(["x"], [[n] for n in range(3)]), "b": rows(["y"], [[n] for n in range(3)])}
    # 6 rows in, within the cap of 8; 9 rows out, past it.
    with pytest.raises(CombineError, match=r"more than 8 rows \(T2T_COMBINE_MAX_TOTAL_ROWS\)"):
        combine("SELECT a.x, b.y FROM a CROSS JOIN b", parts, CombineLimits(max_total_rows=8))


def test_a_combining_query_that_runs_too_long_is_stopped_at_its_time_limit() -> None:
    endless = (
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) "
        "SELECT COUNT(*) AS c FROM r JOIN revenue AS v ON v.product_id = r.n"
    )
    started = time.monotonic()
    with pytest.raises(CombineError, match=r"longer than 0.3 s \(T2T_COMBINE_TIMEOUT\)"):
        combine(endless, PARTS, CombineLimits(timeout_seconds=0.3))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM revenue", "DELETE"),
        ("SELECT * FROM revenue; DROP TABLE revenue", "one statement"),
        ("SELECT load_extension('x') AS e FROM revenue", "load_extension"),
        ("SELECT * FROM sqlite_master", "sqlite_master"),
        ("SELECT nope FROM revenue", "Unknown column 'nope'"),
        ("SELECT * FROM sales", "Unknown table 'sales'"),
    ],
)
def test_the_combining_query_passes_the_read_only_guard_and_the_parts_schema(sql: str, message: str) -> None:
    with pytest.raises(SQLValidationError, match=message):
        combine(sql, PARTS, CombineLimits())


def test_a_part_with_two_columns_of_one_name_is_refused_with_the_fix() -> None:
    parts = {"p": rows(["id", "ID"], [[1, 2]])}
    with pytest.raises(CombineError, match="two columns with the same name"):
        combine("SELECT * FROM p", parts, CombineLimits())


def test_a_combined_result_too_large_in_bytes_fails_whole_before_it_is_all_held() -> None:
    parts = {"a": rows(["x"], [[n] for n in range(100)])}
    huge = "SELECT printf('%.*c', 900000, 'x') AS big FROM a"  # 100 values of 0.9 MB: 90 MB in all
    with pytest.raises(CombineError, match="larger than 16 MB"):
        combine(huge, parts, CombineLimits())


def test_no_value_grows_past_sqlites_length_limit() -> None:
    parts = {"a": rows(["x"], [[1]])}
    with pytest.raises(CombineError, match="too big"):
        combine("SELECT replace(printf('%.*c', 600000, 'x'), 'x', 'xy') AS big FROM a", parts, CombineLimits())
    # printf gives up (NULL) rather than build a value past the limit.
    assert combine("SELECT printf('%.*c', 2000000, 'x') AS big FROM a", parts, CombineLimits()).rows == [[None]]
