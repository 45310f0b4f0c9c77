"""Execution-guided self-consistency: of several candidate queries that ran, keep the result most of them return.

Results are compared as sets of rows, the way the accuracy benchmark scores them: column order and row order
ignored, floats rounded. Two queries that agree on the rows agree on the answer, however differently written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from talk2tables.models import QueryRows

FLOAT_DIGITS = 6


def result_signature(rows: QueryRows) -> tuple[tuple[str, ...], ...]:
    """The rows as a comparable value: each row's values sorted, the rows sorted."""
    return tuple(sorted(tuple(sorted(_value(v) for v in row)) for row in rows.rows))


def majority(results: Sequence[QueryRows | None]) -> tuple[int, int] | None:
    """`(index, votes)`: the first candidate of the largest group of candidates whose results agree (a tie goes to
    the group with the earliest candidate: the one at temperature 0). None when no candidate has a result."""
    groups: dict[tuple[tuple[str, ...], ...], list[int]] = {}
    for index, rows in enumerate(results):
        if rows is not None:
            groups.setdefault(result_signature(rows), []).append(index)
    if not groups:
        return None
    best = max(groups.values(), key=lambda members: (len(members), -members[0]))
    return best[0], len(best)


def _value(value: Any) -> str:
    if isinstance(value, float):
        value = round(value, FLOAT_DIGITS)
        if value.is_integer():
            value = int(value)
    return repr(value)
