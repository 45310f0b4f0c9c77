"""The JSON schema a server's grammar holds a reply to (llama.cpp turns `response_format`'s schema into one).

It is the reply model's own schema, tightened where a small model goes astray and a grammar can stop it at no
cost: where SQL may run, and how long the explanation may be. Replies are still parsed with the lenient model,
so a provider without a grammar (or one that ignores it) is never refused for these limits."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.output import COMBINE, AnswerNotes, GeneratedSQL, RoutedSQL
from talk2tables.sql_generation.terms import MAX_MENTIONS, metadata_terms, uses_choices

# One sentence: the bundled model otherwise narrates the query clause by clause, 100+ tokens at ~12 tokens/s.
EXPLANATION_MAX_CHARS = 120
MAX_ENTITIES = 2
MAX_USES = MAX_MENTIONS  # the SQL answer's `uses`: as many as the terms step may name
# Each fact of an entity (the user's words, what they became, the server): a name or a short expression. Without a
# bound, a repetition loop inside one string ran to the 1,024-token cap (45 s) and lost an answer whose rows had come.
ENTITY_MAX_CHARS = 80
ELLIPSIS = "…"


def grammar_schema(output: type[BaseModel], context: GenerationContext) -> dict[str, Any]:
    """`output`'s JSON schema, with RoutedSQL's `server` (and each part's) held to this request's database keys
    or "combine" (a small model otherwise writes the name of a server that only describes data, such as the
    product metadata), the SQL answer's `uses` held to the metadata's own names and written first (or left out
    where the metadata defines none), and AnswerNotes held to one short explanation and a few short entities."""
    schema = copy.deepcopy(output.model_json_schema())
    properties = schema["properties"]
    if issubclass(output, GeneratedSQL | RoutedSQL):
        names = sorted(uses_choices(metadata_terms(context)))
        if names:
            properties["uses"]["items"]["enum"] = names
            properties["uses"]["maxItems"] = MAX_USES
            schema["required"] = ["uses", *schema.get("required", [])]
        else:
            del properties["uses"]
    if issubclass(output, RoutedSQL):
        keys = [database.key for database in context.databases]
        properties["server"]["enum"] = [*keys, COMBINE]
        part = schema.get("$defs", {}).get("QueryPart")
        if part is not None:
            part["properties"]["server"]["enum"] = keys
    if issubclass(output, AnswerNotes):
        properties["explanation"]["maxLength"] = EXPLANATION_MAX_CHARS
        properties["resolved_entities"]["maxItems"] = MAX_ENTITIES
        for fact in properties["resolved_entities"]["items"]["prefixItems"]:
            if fact.get("type") == "string" and "enum" not in fact:
                fact["maxLength"] = ENTITY_MAX_CHARS
    return schema


def finish_explanation(text: str) -> str:
    """An explanation the grammar cut at its length limit ends at its last full sentence, or with an ellipsis."""
    cut = len(text) >= EXPLANATION_MAX_CHARS  # before stripping: a cut may end in a space
    text = text.strip()
    if not cut or text.endswith((".", "!", "?")):
        return text
    end = max(text.rfind(". "), text.rfind("! "), text.rfind("? "))
    if end > 0:
        return text[: end + 1]
    return text.rsplit(" ", 1)[0].rstrip(",;:") + ELLIPSIS
