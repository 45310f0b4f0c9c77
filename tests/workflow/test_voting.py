"""Self-consistency's vote: results compared as sets of rows, the largest group wins, ties go to the first."""

from __future__ import annotations

from typing import Any

from talk2tables.models import QueryRows
from talk2tables.workflow.voting import majority, result_signature


def rows(*values: list[Any], columns: list[str] | None = None) -> QueryRows:
    return QueryRows(columns=columns or [f"c{i}" for i in range(len(values[0]) if values else 0)],
                     rows=list(values), row_count=len(values))  # fmt: skip


def test_results_agree_whatever_the_column_order_row_order_and_float_noise() -> None:
    first = rows(["north", 10.0], ["south", 2.5])
    second = rows([2.5000000001, "south"], [10, "north"], columns=["total", "region"])
    assert result_signature(first) == result_signature(second)
    assert result_signature(first) != result_signature(rows(["north", 10.0]))
    assert result_signature(rows(["10"])) != result_signature(rows([10]))  # text is not a number


def test_the_largest_group_wins_even_against_the_first_candidate() -> None:
    assert majority([rows([1]), rows([2]), rows([2])]) == (1, 2)


def test_a_tie_goes_to_the_earliest_candidate() -> None:
    assert majority([rows([1]), rows([2])]) == (0, 1)
    assert majority([None, rows([2]), rows([3]), rows([3]), rows([2])]) == (1, 2)


def test_candidates_without_a_result_do_not_vote() -> None:
    assert majority([None, rows([5])]) == (1, 1)
    assert majority([None, None]) is None
    assert majority([]) is None
