"""The question's metadata terms: a short LLM step that names, from the product metadata's own keys, the product
names and business terms the question uses; their meanings then stand next to the question.

Small models read a long alias list and still filter on the user's word (`WHERE name = 'abra'`). Choosing from
a closed list is easy for them: the reply is held to the list by the JSON schema (an enum; llama.cpp turns it
into a grammar), and it is short. Understanding stays with the LLM: this module only lists the keys the
metadata has and, for the keys the LLM chose, copies what the metadata says they mean.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from talk2tables.protocol import COLUMN_MAPPINGS_URI, PRODUCT_ALIASES_URI
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.prompt import sql_literal

# Generic words ("total", "how many") are not worth a step; the business terms and the product names are.
TERM_KINDS = ("user_friendly_terms",)
# Names one question uses: more than a few is a loop, not a question.
MAX_MENTIONS = 4


@dataclass(frozen=True)
class Term:
    name: str  # what the user may write: a product alias or a business term
    meaning: str  # what the metadata says it is, as one line
    kind: str  # product | column
    source_server: str
    sql: str = ""  # what it is in SQL: the product's filter (`products.product_name = 'Magic Wand Pro'`), or the term's

    @property
    def key(self) -> str:
        """The name as the grammar offers it: in lower case, the way `metadata_terms` keys it."""
        return self.name.lower()

    @property
    def choice(self) -> str:
        """The term as the SQL answer lists it in `uses`: `abra -> products.product_name = 'Magic Wand Pro'`. The
        model chooses it by the name the question uses; the rest, held by the grammar, is the SQL it means.

        The name is in lower case. A grammar takes the model's first token and holds it to the choices that begin
        so: offered "Magic Wand Pro" beside "magic hat", the bundled model began "Magic" for "the magic hat" and
        was held to the wand (and began "M" for "the mouse", and "M" for "the x1"). In lower case only, its first
        token is the start of the user's own word."""
        return f"{self.key} -> {self.sql or self.meaning}"


def metadata_terms(context: GenerationContext) -> dict[str, Term]:
    """Every product name and business term the gathered metadata defines, by the name a user may write."""
    terms: dict[str, Term] = {}
    for server in context.servers:
        aliases = server.resources.get(PRODUCT_ALIASES_URI)
        if isinstance(aliases, dict):
            for key, product in aliases.items():
                if not isinstance(product, dict):
                    continue
                meaning, where = _product_meaning(product), _product_choice(product)
                for name in [key, str(product.get("canonical_name") or ""), *(product.get("aliases") or [])]:
                    if isinstance(name, str) and name.strip():
                        term = Term(name.strip(), meaning, "product", server.name, where)
                        terms.setdefault(name.strip().lower(), term)
        mappings = server.resources.get(COLUMN_MAPPINGS_URI)
        if isinstance(mappings, dict):
            for kind in TERM_KINDS:
                block = mappings.get(kind)
                if isinstance(block, dict):
                    for term, meaning in block.items():
                        terms.setdefault(str(term).lower(), Term(str(term), str(meaning), "column", server.name))
    return terms


def _product_meaning(product: dict[str, Any]) -> str:
    """`the product Chef's Cast Iron Skillet: products.product_name = 'Chef''s Cast Iron Skillet' AND ...`: the
    values as SQL literals, quotes doubled, ready to be copied into a query."""
    where = _product_filter(product)
    return f"the product {product.get('canonical_name', '?')}: {where}" if where else str(product.get("canonical_name"))


def _product_filter(product: dict[str, Any]) -> str:
    refs = product.get("database_references") or {}
    return " AND ".join(f"{col} = {sql_literal(val)}" for col, val in refs.items()) if isinstance(refs, dict) else ""


def _product_choice(product: dict[str, Any]) -> str:
    """The product's filter as the SQL answer lists it: one condition (on the reference holding its canonical
    name, else the first), each token of it one more the model writes."""
    refs = product.get("database_references") or {}
    if not isinstance(refs, dict) or not refs:
        return ""
    named = [col for col, val in refs.items() if val == product.get("canonical_name")]
    column = named[0] if named else next(iter(refs))
    return f"{column} = {sql_literal(refs[column])}"


def uses_choices(terms: Mapping[str, Term]) -> dict[str, Term]:
    """What the SQL answer's `uses` may list (grammar.py), each the term it stands for."""
    return {term.choice: term for term in terms.values()}


def used_terms(uses: list[str], terms: Mapping[str, Term]) -> list[Term]:
    """The terms an answer's `uses` lists: as the grammar holds them, or (from a provider without a grammar) in
    another case."""
    choices = {choice.lower(): term for choice, term in uses_choices(terms).items()}
    return [term for entry in uses if (term := choices.get(entry.lower())) is not None]


def mentions_model(terms: dict[str, Term]) -> type[BaseModel]:
    """`{"mentions": [...]}` where each entry must be one of the terms' names, in lower case as `Term.choice` says
    why (an enum in the JSON schema)."""
    return _mentions_model(tuple(sorted({t.key for t in terms.values()})))


@functools.lru_cache(maxsize=16)  # one class per set of names: the generator keeps one agent per class
def _mentions_model(names: tuple[str, ...]) -> type[BaseModel]:
    # The grammar holds a local model to the lower-case names; a provider without one may still write "Magic Wand Pro".
    choice = Annotated[Literal[names], BeforeValidator(_lower)]  # type: ignore[valid-type]
    return create_model(
        "QuestionTerms",
        __config__=ConfigDict(extra="ignore"),
        # Bounded in the schema only (a grammar holds it; any provider's longer list still parses): asked to list
        # names, the bundled model once went on listing until its 1,024-token cap, 147 s.
        mentions=(list[choice], Field(default=[], json_schema_extra={"maxItems": MAX_MENTIONS})),
    )


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def mentions_message(question: str) -> str:
    """The step's own message: the question and one line. What to answer is in the system message (prompt._TERMS),
    which the server has already read and cached; on a local model every token here is read before the reply."""
    return f"Question: {question}\nWhich product names and business terms of the metadata does it use?"


def term_hints(chosen: list[str], terms: Mapping[str, Term]) -> str:
    """The meanings of the terms the LLM chose, one line each, to stand next to the question."""
    lines = []
    for name in dict.fromkeys(chosen):
        term = terms.get(name.lower())
        if term is not None:
            lines.append(f'- "{term.name}" is {term.meaning}')
    if not lines:
        return ""
    return "What the question's names and terms mean, from the product metadata:\n" + "\n".join(lines)
