"""The question's metadata terms: a short LLM step that names, from the product metadata's own keys, the product
names and business terms the question uses; their meanings then stand next to the question.

Small models read a long alias list and still filter on the user's word (`WHERE name = 'abra'`). Choosing from
a closed list is easy for them: the reply is held to the list by the JSON schema (an enum; llama.cpp turns it
into a grammar), and it is short. Understanding stays with the LLM: this module only lists the keys the
metadata has and, for the keys the LLM chose, copies what the metadata says they mean.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, create_model

from talk2tables.protocol import COLUMN_MAPPINGS_URI, PRODUCT_ALIASES_URI
from talk2tables.sql_generation.context import GenerationContext
from talk2tables.sql_generation.prompt import sql_literal

# Generic words ("total", "how many") are not worth a step; the business terms and the product names are.
TERM_KINDS = ("user_friendly_terms",)


@dataclass(frozen=True)
class Term:
    name: str  # what the user may write: a product alias or a business term
    meaning: str  # what the metadata says it is, as one line
    kind: str  # product | column
    source_server: str


def metadata_terms(context: GenerationContext) -> dict[str, Term]:
    """Every product name and business term the gathered metadata defines, by the name a user may write."""
    terms: dict[str, Term] = {}
    for server in context.servers:
        aliases = server.resources.get(PRODUCT_ALIASES_URI)
        if isinstance(aliases, dict):
            for key, product in aliases.items():
                if not isinstance(product, dict):
                    continue
                meaning = _product_meaning(product)
                for name in [key, str(product.get("canonical_name") or ""), *(product.get("aliases") or [])]:
                    if isinstance(name, str) and name.strip():
                        terms.setdefault(name.strip().lower(), Term(name.strip(), meaning, "product", server.name))
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
    refs = product.get("database_references") or {}
    where = " AND ".join(f"{col} = {sql_literal(val)}" for col, val in refs.items())
    return f"the product {product.get('canonical_name', '?')}: {where}" if where else str(product.get("canonical_name"))


def mentions_model(terms: dict[str, Term]) -> type[BaseModel]:
    """`{"mentions": [...]}` where each entry must be one of the terms' names (an enum in the JSON schema)."""
    return _mentions_model(tuple(sorted({t.name for t in terms.values()})))


@functools.lru_cache(maxsize=16)  # one class per set of names: the generator keeps one agent per class
def _mentions_model(names: tuple[str, ...]) -> type[BaseModel]:
    choice = Literal[names]  # type: ignore[valid-type]
    return create_model(
        "QuestionTerms",
        __config__=ConfigDict(extra="ignore"),
        mentions=(list[choice], []),
    )


def mentions_message(question: str) -> str:
    """The step's own message: the question and one line. What to answer is in the system message (prompt._TERMS),
    which the server has already read and cached; on a local model every token here is read before the reply."""
    return f"Question: {question}\nWhich product names and business terms of the metadata does it use?"


def term_hints(chosen: list[str], terms: dict[str, Term]) -> str:
    """The meanings of the terms the LLM chose, one line each, to stand next to the question."""
    lines = []
    for name in dict.fromkeys(chosen):
        term = terms.get(name.lower())
        if term is not None:
            lines.append(f'- "{term.name}" is {term.meaning}')
    if not lines:
        return ""
    return "What the question's names and terms mean, from the product metadata:\n" + "\n".join(lines)
