"""The schema a server's grammar holds a reply to: only database keys may route, the explanation stays short."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError

from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.grammar import (
    ENTITY_MAX_CHARS,
    EXPLANATION_MAX_CHARS,
    MAX_ENTITIES,
    MAX_USES,
    finish_explanation,
    grammar_schema,
)
from talk2tables.sql_generation.output import AnswerNotes, EntityKind, GeneratedSQL, RoutedSQL

from .resources import database_server, metadata_server


def two_databases() -> GenerationContext:
    warehouse = database_server("postgres", priority=20).model_copy(update={"server_key": "warehouse"})
    return GenerationContext.from_servers([database_server(), warehouse, metadata_server()])


def test_routing_may_name_only_a_database_key_or_combine_never_the_metadata_server() -> None:
    schema = grammar_schema(RoutedSQL, two_databases())
    assert schema["properties"]["server"]["enum"] == ["database", "warehouse", "combine"]
    assert schema["$defs"]["QueryPart"]["properties"]["server"]["enum"] == ["database", "warehouse"]
    assert schema["properties"]["server"]["type"] == "string"  # the rest of the schema is the model's own


def test_the_explanation_is_held_to_one_short_sentence_and_a_few_entities() -> None:
    schema = grammar_schema(AnswerNotes, two_databases())
    assert schema["properties"]["explanation"]["maxLength"] == EXPLANATION_MAX_CHARS
    assert schema["properties"]["resolved_entities"]["maxItems"] == MAX_ENTITIES
    facts = schema["properties"]["resolved_entities"]["items"]["prefixItems"]
    assert [fact.get("maxLength") for fact in facts] == [ENTITY_MAX_CHARS, ENTITY_MAX_CHARS, None, ENTITY_MAX_CHARS]


def test_each_entity_is_a_list_of_its_four_facts_on_the_wire_and_an_object_in_the_result() -> None:
    entity = grammar_schema(AnswerNotes, two_databases())["properties"]["resolved_entities"]["items"]
    assert [item.get("enum") for item in entity["prefixItems"]] == [None, None, list(get_args(EntityKind)), None]
    assert entity["minItems"] == entity["maxItems"] == 4
    reply = '{"resolved_entities": [["abracadabra", "Magic Wand Pro", "product", "Product Metadata MCP"]], '
    notes = AnswerNotes.model_validate_json(reply + '"explanation": "Sums it.", "confidence": 0.8}')
    assert [e.model_dump() for e in notes.entities()] == [
        {
            "term": "abracadabra",
            "resolved_to": "Magic Wand Pro",
            "kind": "product",
            "source_server": "Product Metadata MCP",
        }
    ]


def test_entities_written_as_objects_are_understood_and_a_wrong_one_is_refused() -> None:
    # A hosted model without a grammar may keep to the QueryResult's own shape.
    written = {
        "term": "revenue",
        "resolved_to": "SUM(sales.total_amount)",
        "kind": "aggregation",
        "source_server": "db",
    }
    notes = AnswerNotes.model_validate({"resolved_entities": [written], "explanation": "", "confidence": 1})
    assert notes.entities()[0].model_dump() == written
    with pytest.raises(ValidationError, match="resolved_entities"):
        AnswerNotes.model_validate(
            {"resolved_entities": [["revenue", "x", "money", "db"]], "explanation": "", "confidence": 1}
        )
    with pytest.raises(ValidationError, match="resolved_entities"):
        AnswerNotes.model_validate({"resolved_entities": [["revenue", "x"]], "explanation": "", "confidence": 1})


@pytest.mark.parametrize(("written", "read"), [(0.8, 0.8), (1, 1.0), (85, 0.85), (100, 1.0)])
def test_a_confidence_written_as_a_percentage_is_read_as_a_fraction(written: float, read: float) -> None:
    assert AnswerNotes(resolved_entities=[], explanation="", confidence=written).confidence == read


def test_a_confidence_beyond_a_percentage_is_refused() -> None:
    with pytest.raises(ValidationError, match="confidence"):
        AnswerNotes(resolved_entities=[], explanation="", confidence=250)


def test_the_models_own_schemas_are_left_untouched_so_replies_parse_leniently() -> None:
    grammar_schema(RoutedSQL, two_databases())
    grammar_schema(AnswerNotes, two_databases())
    assert "enum" not in RoutedSQL.model_json_schema()["properties"]["server"]
    assert "maxLength" not in AnswerNotes.model_json_schema()["properties"]["explanation"]
    long = AnswerNotes(resolved_entities=[], explanation="x" * 1000, confidence=1)
    assert len(long.explanation) == 1000


@pytest.mark.parametrize("output", [GeneratedSQL, RoutedSQL])
def test_the_sql_answer_first_lists_the_metadata_names_the_question_uses_held_to_the_metadatas_own(
    output: type[GeneratedSQL | RoutedSQL],
) -> None:
    schema = grammar_schema(output, two_databases())
    assert next(iter(schema["properties"])) == "uses"  # llama.cpp writes required properties in schema order
    assert schema["required"][0] == "uses"
    assert "sql" in schema["required"]
    choices = schema["properties"]["uses"]["items"]["enum"]
    # Each choice is a name the question may use, then what it is in SQL: writing it puts the value before the query.
    assert "abra -> products.product_name = 'Magic Wand Pro'" in choices
    assert "magic wand pro -> products.product_name = 'Magic Wand Pro'" in choices
    # Names in lower case only: a grammar holds the first token the model writes to the choices that begin so, and
    # "Magic" (for "the magic hat") then leads only to the wand.
    names = [choice.split(" -> ")[0] for choice in choices]
    assert all(name == name.lower() for name in names)
    assert "Magic Wand Pro -> products.product_name = 'Magic Wand Pro'" not in choices
    assert "sales amount -> sales.total_amount" in choices
    assert choices == sorted(set(choices))
    assert schema["properties"]["uses"]["maxItems"] == MAX_USES


def test_without_metadata_names_the_sql_answer_is_the_sql_alone() -> None:
    database_only = GenerationContext.from_servers([database_server()])
    expected = GeneratedSQL.model_json_schema()
    del expected["properties"]["uses"]
    assert grammar_schema(GeneratedSQL, database_only) == expected
    assert "uses" not in grammar_schema(RoutedSQL, database_only)["properties"]


@pytest.mark.parametrize(
    ("text", "finished"),
    [
        ("Counts the customers.", "Counts the customers."),
        ("Short and cut", "Short and cut"),  # under the limit: the model ended it there
        ("Sums sales. Then it " + "groups " * 40, "Sums sales."),
    ],
)
def test_an_explanation_cut_at_the_limit_ends_at_a_full_sentence_or_an_ellipsis(text: str, finished: str) -> None:
    assert finish_explanation(text[:EXPLANATION_MAX_CHARS]) == finished


def test_an_explanation_cut_mid_sentence_ends_at_a_whole_word_with_an_ellipsis() -> None:
    cut = ("It adds " + "amounts, " * 60)[:EXPLANATION_MAX_CHARS]
    finished = finish_explanation(cut)
    assert finished.endswith("amounts…")
    assert len(finished) < EXPLANATION_MAX_CHARS
