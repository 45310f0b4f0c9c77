"""When two result sets are the same answer: the scoring of `talk2tables eval` and the accuracy benchmark, and the
vote of self-consistency (voting.py).

Column order and names are ignored; row order counts only when asked (the gold SQL orders its result); numbers
are compared to 10 significant digits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

SIGNIFICANT_DIGITS = 10
MAX_PERMUTED_COLUMNS = 6


def compare_results(gold: list[list[Any]], answer: list[list[Any]], *, ordered: bool) -> tuple[bool, str]:
    """Whether two result sets are equal, with the reason when they are not."""
    gold_rows = [_normalize_row(r) for r in gold]
    answer_rows = [_normalize_row(r) for r in answer]
    if len(gold_rows) != len(answer_rows):
        return False, f"{len(answer_rows)} rows, expected {len(gold_rows)}"
    gold_width = len(gold_rows[0]) if gold_rows else 0
    answer_width = len(answer_rows[0]) if answer_rows else 0
    if gold_rows and gold_width != answer_width:
        return False, f"{answer_width} columns, expected {gold_width}"
    if _equal(gold_rows, answer_rows, ordered):
        return True, "match"
    if 1 < gold_width <= MAX_PERMUTED_COLUMNS:
        for order in itertools.permutations(range(gold_width)):
            permuted = [tuple(row[i] for i in order) for row in answer_rows]
            if _equal(gold_rows, permuted, ordered):
                return True, "match (columns in another order)"
    if ordered and _equal(gold_rows, answer_rows, ordered=False):
        return False, "same rows in a different order (the gold SQL orders its result)"
    return False, "different values"


def _equal(gold: list[tuple[Any, ...]], answer: list[tuple[Any, ...]], ordered: bool) -> bool:
    if ordered:
        return gold == answer
    return sorted(gold, key=_row_key) == sorted(answer, key=_row_key)


def _normalize(value: Any) -> Any:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return str(number)
        return float(f"{number:.{SIGNIFICANT_DIGITS}g}") + 0.0  # + 0.0 folds -0.0 into 0.0
    return value


def _normalize_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(_normalize(v) for v in row)


def _row_key(row: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    # Mixed types (None, numbers, text) must sort without comparing across types.
    return tuple((0, 0) if v is None else (1, v) if isinstance(v, float) else (2, str(v)) for v in row)
