"""Routing the LLM's answer: where it runs is the LLM's word, checked; a mistake is a message it can act on."""

from __future__ import annotations

from typing import Any

import pytest

from talk2tables.errors import SQLValidationError
from talk2tables.models import ResourceData
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.output import GeneratedSQL, QueryPart, RoutedSQL
from talk2tables.workflow.routing import MAX_PARTS, checked_plan, plan_query, validate_plan
from tests.sql_generation.resources import database_server, metadata_server


def database(key: str, name: str, priority: int, dialect: str, tables: dict[str, list[str]]) -> ResourceData:
    schema = {
        "dialect": dialect,
        "tables": [{"name": t, "columns": [{"name": c, "type": "TEXT"} for c in cols]} for t, cols in tables.items()],
    }
    return ResourceData(
        name=name,
        server_key=key,
        url=f"http://127.0.0.1/{key}",
        priority=priority,
        capabilities=["execute_query", "list_resources"],
        resources={"database://schema": schema},
    )


SHOP = database("database", "Shop", 10, "postgres", {"sales": ["product_id", "amount"], "customers": ["name"]})
DESK = database("support", "Desk", 20, "sqlite", {"tickets": ["product_id", "status"], "customers": ["tier"]})
BOTH = GenerationContext.from_servers([DESK, SHOP])


def routed(sql: str, server: str = "", parts: list[dict[str, Any]] | None = None) -> RoutedSQL:
    return RoutedSQL(
        server=server, parts=[QueryPart(**p) for p in parts or []], sql=sql, resolved_entities=[], explanation="",
        confidence=0.5,
    )  # fmt: skip


def test_one_database_needs_no_routing_and_keeps_todays_answer_shape() -> None:
    only = GenerationContext.from_servers([SHOP])
    plan = plan_query(GeneratedSQL(sql="SELECT 1", resolved_entities=[], explanation="", confidence=1), only)
    assert (plan.server, plan.combined, plan.display_sql()) == ("database", False, "SELECT 1")


def test_databases_are_ordered_by_priority_and_each_keeps_its_dialect() -> None:
    assert [(d.key, d.dialect) for d in BOTH.databases] == [("database", "postgres"), ("support", "sqlite")]
    assert BOTH.several


def test_the_server_may_be_named_by_key_or_by_name_in_any_case() -> None:
    assert plan_query(routed("SELECT 1", "SUPPORT"), BOTH).server == "support"
    assert plan_query(routed("SELECT 1", "desk"), BOTH).server == "support"


def test_each_query_is_validated_in_its_own_databases_dialect() -> None:
    # date_trunc is PostgreSQL's; the support desk is SQLite.
    sql = "SELECT date_trunc('month', status) AS m FROM tickets"
    with pytest.raises(SQLValidationError, match="date_trunc"):
        validate_plan(plan_query(routed(sql, "support"), BOTH), BOTH)
    validate_plan(plan_query(routed("SELECT date_trunc('month', now()) AS m FROM sales", "database"), BOTH), BOTH)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (routed("SELECT 1", "combine"), "server is 'combine' but parts is empty"),
        (routed("SELECT 1", parts=[{"name": "a b", "server": "support", "sql": "SELECT 1"}]), "is not a table name"),
        (
            routed("SELECT 1", parts=[{"name": "a", "server": "support", "sql": "SELECT 1"}] * 2),
            "Two parts are named 'a'",
        ),
        (
            routed("SELECT 1", parts=[{"name": f"p{n}", "server": "support", "sql": "SELECT 1"} for n in range(9)]),
            f"at most {MAX_PARTS}",
        ),
        (routed("SELECT 1", parts=[{"name": "a", "server": "nowhere", "sql": "SELECT 1"}]), "Part 'a': There is no"),
        (routed("SELECT 1", parts=[{"name": "a", "server": "support", "sql": " "}]), "Part 'a' has no sql"),
    ],
)
def test_parts_that_cannot_be_run_are_refused_with_what_to_fix(answer: RoutedSQL, message: str) -> None:
    with pytest.raises(SQLValidationError, match=message):
        plan_query(answer, BOTH)


def test_a_part_that_does_not_fit_its_schema_is_named_with_its_server() -> None:
    plan = plan_query(
        routed("SELECT 1", parts=[{"name": "t", "server": "database", "sql": "SELECT status FROM tickets"}]), BOTH
    )
    with pytest.raises(SQLValidationError) as caught:
        validate_plan(plan, BOTH)
    message = caught.value.message
    assert message.startswith("Part 't' (server database): Unknown table 'tickets'")
    assert "is on server support (Desk), not on database" in message
    assert caught.value.context["server"] == "database"


def test_a_business_terms_name_written_as_a_column_is_mended_from_the_gathered_metadata() -> None:
    context = GenerationContext.from_servers([metadata_server(), database_server()])
    sql = "SELECT SUM(sales_amount) FROM sales"  # the metadata's "sales amount" is sales.total_amount
    plan, fixes = checked_plan(plan_query(GeneratedSQL(sql=sql), context), context)
    assert plan.queries[0].sql == "SELECT SUM(sales.total_amount) FROM sales"
    assert [fix.describe() for fix in fixes] == ["sales_amount -> sales.total_amount"]
    # Without the metadata the schema has no reading of it, and with repair off nothing is mended.
    bare = GenerationContext.from_servers([database_server()])
    with pytest.raises(SQLValidationError, match="sales_amount"):
        checked_plan(plan_query(GeneratedSQL(sql=sql), bare), bare)
    with pytest.raises(SQLValidationError, match="sales_amount"):
        checked_plan(plan_query(GeneratedSQL(sql=sql), context), context, repair=False)
