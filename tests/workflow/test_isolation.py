"""The combination in a process of its own: what escapes SQLite's time checks is killed at its deadline, what
builds too much is stopped by its memory limit, and the API process neither waits nor grows."""

from __future__ import annotations

import time

import psutil
import pytest

from talk2tables.errors import SQLValidationError
from talk2tables.models import QueryRows
from talk2tables.workflow.combine import CombineError, CombineLimits
from talk2tables.workflow.isolation import combine_isolated

PARTS = {"a": QueryRows(columns=["x"], rows=[[1], [2], [3]], row_count=3)}
# One call of instr() over near-1 MB values: one step of SQLite's machine, which no progress handler interrupts.
STEP = "instr(printf('%.*c', 999999, 'a'), printf('%.*c', 450000, 'a') || 'b')"


def test_answers_like_the_combination_in_process() -> None:
    rows = combine_isolated("SELECT SUM(x) AS total FROM a", PARTS, CombineLimits())
    assert (rows.columns, rows.rows) == (["total"], [[6]])


def test_a_refused_combining_query_comes_back_as_the_validation_error_it_is() -> None:
    with pytest.raises(SQLValidationError, match="Unknown column 'nope'"):
        combine_isolated("SELECT nope FROM a", PARTS, CombineLimits())
    with pytest.raises(SQLValidationError, match="DELETE"):
        combine_isolated("DELETE FROM a", PARTS, CombineLimits())


def test_a_query_that_escapes_the_time_checks_is_killed_at_its_deadline() -> None:
    started = time.monotonic()
    with pytest.raises(CombineError, match=r"longer than 0.5 s \(T2T_COMBINE_TIMEOUT\)"):
        combine_isolated(f"SELECT {' + '.join([STEP] * 200)} AS n FROM a", PARTS, CombineLimits(timeout_seconds=0.5),
                         grace_seconds=5)  # fmt: skip
    assert time.monotonic() - started < 15
    alive = [c for c in psutil.Process().children() if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not [c for c in alive if "multiprocessing.spawn" in " ".join(c.cmdline())]


def test_a_query_building_more_than_its_memory_fails_whole_and_the_api_process_does_not_grow() -> None:
    before = psutil.Process().memory_info().rss
    columns = ", ".join(f"s AS c{n}" for n in range(90))
    huge = (
        "WITH RECURSIVE v(s, i) AS (SELECT printf('%.*c', 990000, 'x'), 1 UNION ALL SELECT s, i + 1 FROM v "
        f"WHERE i < 300) SELECT {columns} FROM v"
    )
    with pytest.raises(CombineError, match=r"(?i)memory|larger than 16 MB"):
        combine_isolated(huge, PARTS, CombineLimits(timeout_seconds=20))
    assert psutil.Process().memory_info().rss - before < 100 * 2**20
