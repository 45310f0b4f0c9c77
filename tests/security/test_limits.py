"""Inputs that once stalled or crashed the checks: SQL nested past the parser's stack, and SQL so long that
checking its columns took seconds on the event loop. Both are refused with a message the LLM can act on."""

from __future__ import annotations

import pytest

from talk2tables.errors import SQLValidationError, UnsafeQueryError
from talk2tables.sql_generation.validator import MAX_SQL_CHARS, SQLValidator
from talk2tables.sql_guard.guard import check_read_only
from tests.security.corpus import _nested_select

SCHEMA = {"tables": [{"name": "sales", "columns": [{"name": "sale_id", "type": "INTEGER"}]}]}


@pytest.mark.parametrize("dialect", ["sqlite", "postgres"])
@pytest.mark.parametrize(
    "sql",
    ["SELECT " + "(" * 3_000 + "1" + ")" * 3_000, _nested_select(300), "SELECT " + "(" * 50_000],
    ids=["parentheses", "subqueries", "unbalanced"],
)
def test_the_guard_refuses_sql_nested_too_deeply_instead_of_crashing(dialect: str, sql: str) -> None:
    with pytest.raises(UnsafeQueryError, match="nested too deeply"):
        check_read_only(sql, dialect, None)


def test_the_validator_refuses_nesting_too_deep_as_a_validation_error_the_llm_can_read() -> None:
    with pytest.raises(SQLValidationError, match="nested too deeply"):
        SQLValidator(SCHEMA, "sqlite").validate(_nested_select(300))


def test_modest_nesting_still_passes() -> None:
    SQLValidator(SCHEMA, "sqlite").validate(_nested_select(10))


def test_the_validator_refuses_sql_longer_than_the_limit_saying_how_to_shorten_it() -> None:
    sql = "SELECT COUNT(*) FROM sales WHERE " + " OR ".join(f"sale_id = {i}" for i in range(5_000))
    assert len(sql) > MAX_SQL_CHARS
    with pytest.raises(SQLValidationError, match=f"the limit is {MAX_SQL_CHARS:,}") as refused:
        SQLValidator(SCHEMA, "sqlite").validate(sql)
    assert refused.value.context["reason"] == "too_long"
    assert "instead of listing thousands of values" in refused.value.message


def test_sql_just_under_the_limit_is_checked_normally() -> None:
    sql = "SELECT sale_id FROM sales WHERE sale_id = 1" + " " * (MAX_SQL_CHARS - 60)
    assert len(sql) <= MAX_SQL_CHARS
    SQLValidator(SCHEMA, "sqlite").validate(sql)
