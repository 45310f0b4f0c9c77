"""Self-consistency's vote: results agree as the accuracy benchmark scores them, the largest group wins, ties go to
the first, and agreeing on nothing does not outvote an answer."""

from __future__ import annotations

from typing import Any

from talk2tables.models import QueryRows
from talk2tables.workflow.voting import decided, is_empty, majority


def rows(*values: list[Any]) -> QueryRows:
    width = len(values[0]) if values else 0
    return QueryRows(columns=[f"c{i}" for i in range(width)], rows=list(values), row_count=len(values))


def test_results_agree_whatever_the_column_order_row_order_and_float_noise() -> None:
    first = rows(["north", 10.0], ["south", 2.5])
    same = rows([2.5000000000001, "south"], [10, "north"])
    assert majority([first, same]) == (0, 2)
    assert majority([first, rows(["north", 10.0])]) == (0, 1)  # a row fewer is another answer
    assert majority([rows(["10"]), rows([10])]) == (0, 1)  # text is not a number


def test_values_swapped_within_one_row_only_are_another_answer() -> None:
    # Whole columns are matched, not each row's values: (1, 2), (3, 4) is not (1, 2), (4, 3).
    assert majority([rows([1, 2], [3, 4]), rows([1, 2], [4, 3])]) == (0, 1)


def test_the_largest_group_wins_even_against_the_first_candidate() -> None:
    assert majority([rows([1]), rows([2]), rows([2])]) == (1, 2)


def test_a_tie_goes_to_the_earliest_candidate() -> None:
    assert majority([rows([1]), rows([2])]) == (0, 1)
    assert majority([None, rows([2]), rows([3]), rows([3]), rows([2])]) == (1, 2)


def test_candidates_without_a_result_do_not_vote() -> None:
    assert majority([None, rows([5])]) == (1, 1)
    assert majority([None, None]) is None
    assert majority([]) is None


def test_agreeing_on_nothing_does_not_outvote_an_answer() -> None:
    # Two sampled queries that filter on the user's word ('abra') find nothing; the first one found the product.
    assert majority([rows([1250.0]), rows([None]), rows()]) == (0, 1)
    assert majority([rows([1250.0]), rows(), rows()]) == (0, 1)
    # When nothing else came back, nothing is the answer.
    assert majority([None, rows(), rows([None])]) == (1, 2)
    assert is_empty(rows())
    assert is_empty(rows([None, None]))
    assert not is_empty(rows([None, 0]))


def test_the_vote_is_decided_once_more_than_half_of_all_candidates_agree_on_an_answer() -> None:
    two_of_three = [rows([5]), rows([5])]
    assert decided(two_of_three, (0, 2), candidates=3)
    assert not decided(two_of_three, (0, 2), candidates=4)  # 2 of 4 is not more than half
    # Two empty results could still lose to one answer from the third query: not decided.
    assert not decided([rows(), rows([None])], (0, 2), candidates=3)
