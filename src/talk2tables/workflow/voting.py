"""Execution-guided self-consistency: of several candidate queries that ran, keep the result most of them return.

Two results agree when the accuracy benchmark would score them equal (comparison.compare_results: same rows, in
any order, with the columns in any order, numbers to 10 significant digits): two queries that agree on the rows
agree on the answer, however differently written. An empty result (no rows, or only NULLs) votes only when no
candidate returned anything else: queries that filter on a word the data does not hold all return nothing, and
agreeing on nothing must not outvote an answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from talk2tables.models import QueryRows
from talk2tables.workflow.comparison import compare_results


def is_empty(rows: QueryRows) -> bool:
    """No rows, or rows of NULLs only (`SELECT SUM(x) ... WHERE nothing matches`)."""
    return all(value is None for row in rows.rows for value in row)


def majority(results: Sequence[QueryRows | None]) -> tuple[int, int] | None:
    """`(index, votes)`: the first candidate of the largest group of candidates whose results agree (a tie goes to
    the group whose first candidate came first: the one at temperature 0 when it ran). None when no candidate has a
    result."""
    ran = [(index, rows) for index, rows in enumerate(results) if rows is not None]
    answered = [(index, rows) for index, rows in ran if not is_empty(rows)]
    groups: list[list[int]] = []
    for index, rows in answered or ran:
        group = next((g for g in groups if _agree(results[g[0]], rows)), None)
        if group is None:
            groups.append([index])
        else:
            group.append(index)
    if not groups:
        return None
    best = max(groups, key=lambda members: (len(members), -members[0]))
    return best[0], len(best)


def decided(results: Sequence[QueryRows | None], winner: tuple[int, int], candidates: int) -> bool:
    """Whether the queries not yet written can no longer change the vote: more than half of all `candidates` agree
    on an answer. (Agreeing on nothing is not decided: one answer from a later query would outvote it.)"""
    rows = results[winner[0]]
    return winner[1] * 2 > candidates and rows is not None and not is_empty(rows)


def _agree(first: QueryRows | None, second: QueryRows) -> bool:
    if first is None:
        return False
    if is_empty(first) and is_empty(second):
        return True  # no rows and a row of NULLs are the same nothing
    return compare_results(first.rows, second.rows, ordered=False)[0]
