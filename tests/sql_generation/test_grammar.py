"""The schema a server's grammar holds the SQL reply to: with several databases, only their keys may route."""

from __future__ import annotations

from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.generator import grammar_schema
from talk2tables.sql_generation.output import AnswerNotes, GeneratedSQL, RoutedSQL

from .resources import database_server, metadata_server


def two_databases() -> GenerationContext:
    warehouse = database_server("postgres", priority=20).model_copy(update={"server_key": "warehouse"})
    return GenerationContext.from_servers([database_server(), warehouse, metadata_server()])


def test_routing_may_name_only_a_database_key_or_combine_never_the_metadata_server() -> None:
    schema = grammar_schema(RoutedSQL, two_databases())
    assert schema["properties"]["server"]["enum"] == ["database", "warehouse", "combine"]
    assert schema["$defs"]["QueryPart"]["properties"]["server"]["enum"] == ["database", "warehouse"]
    assert schema["properties"]["server"]["type"] == "string"  # the rest of the schema is the model's own


def test_the_models_own_schema_is_left_untouched() -> None:
    grammar_schema(RoutedSQL, two_databases())
    assert "enum" not in RoutedSQL.model_json_schema()["properties"]["server"]


def test_other_replies_keep_their_schema() -> None:
    context = two_databases()
    assert grammar_schema(GeneratedSQL, context) == GeneratedSQL.model_json_schema()
    assert grammar_schema(AnswerNotes, context) == AnswerNotes.model_json_schema()
