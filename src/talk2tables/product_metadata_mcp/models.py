"""Pydantic models of the product metadata JSON file: what users call products and columns.

The format is documented field by field in docs/product-metadata.md. Checks that span several
products (a name used by two products, a canonical id used twice) report each clash with its own
location in the error's context under "problems", so the store can name the exact field.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    SerializerFunctionWrapHandler,
    StrictStr,
    StringConstraints,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

# SQL aggregate functions an aggregation term may stand for (upper case in the model).
AGGREGATE_FUNCTIONS: tuple[str, ...] = ("SUM", "AVG", "COUNT", "MIN", "MAX", "COUNT DISTINCT")

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
TABLE_COLUMN = re.compile(rf"^({_IDENTIFIER})\.({_IDENTIFIER})$")
# A registry key, as mcp_config.yaml spells them (e.g. database, support).
SERVER_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
# The registry key whose database holds the products and the column terms `term_servers` ties to no server.
MAIN_SERVER = "database"


def _reference_value(value: Any) -> str | int | float:
    # bool is an int in Python, but `true` is never a product name or id.
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return value
    raise PydanticCustomError("reference_value", "must be a string or a number (the value stored in that column)")


def _table_column(key: str) -> str:
    if not TABLE_COLUMN.match(key):
        raise PydanticCustomError(
            "reference_key", "must be written table.column (for example products.product_name)", {}
        )
    return key


def _aggregate_function(function: str) -> str:
    upper = " ".join(function.upper().split())
    if upper not in AGGREGATE_FUNCTIONS:
        raise PydanticCustomError(
            "aggregate_function",
            "'{function}' is not a SQL aggregate; use one of {allowed}",
            {"function": function, "allowed": ", ".join(AGGREGATE_FUNCTIONS)},
        )
    return upper


def _server_key(key: str) -> str:
    if not SERVER_KEY.match(key):
        raise PydanticCustomError(
            "server_key",
            "'{key}' is not a registry key; use the key of a server in mcp_config.yaml, such as database or support",
            {"key": key},
        )
    return key


NonEmptyStr = Annotated[StrictStr, StringConstraints(strip_whitespace=True, min_length=1)]
ReferenceValue = Annotated[str | int | float, PlainValidator(_reference_value)]
TableColumn = Annotated[StrictStr, AfterValidator(_table_column)]
AggregateFunction = Annotated[StrictStr, AfterValidator(_aggregate_function)]
ServerKey = Annotated[StrictStr, AfterValidator(_server_key)]


class ProductAlias(BaseModel):
    """One product: its canonical identity, the names people use for it, where it lives in the database."""

    model_config = ConfigDict(extra="forbid")

    canonical_id: NonEmptyStr
    canonical_name: NonEmptyStr
    aliases: list[NonEmptyStr] = Field(default_factory=list)
    database_references: dict[TableColumn, ReferenceValue] = Field(min_length=1)
    categories: list[NonEmptyStr] = Field(default_factory=list)

    @field_validator("aliases")
    @classmethod
    def _aliases_distinct(cls, aliases: list[str]) -> list[str]:
        seen: set[str] = set()
        for alias in aliases:
            if alias.casefold() in seen:
                raise PydanticCustomError("duplicate_alias", "alias '{alias}' is listed twice", {"alias": alias})
            seen.add(alias.casefold())
        return aliases


class ColumnMappings(BaseModel):
    """User-friendly terms and the columns or SQL hints they mean; words for aggregate functions; and, optionally,
    the registry key of the database server each term belongs to (`term_servers`)."""

    model_config = ConfigDict(extra="forbid")

    user_friendly_terms: dict[NonEmptyStr, NonEmptyStr]
    aggregation_terms: dict[NonEmptyStr, AggregateFunction]
    term_servers: dict[NonEmptyStr, ServerKey] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _term_servers_name_defined_terms(self) -> ColumnMappings:
        defined = set(self.user_friendly_terms) | set(self.aggregation_terms)
        problems = [
            {
                "loc": f"column_mappings.term_servers.{term}",
                "msg": f"{term!r} is not a term of user_friendly_terms or aggregation_terms; define it there first",
            }
            for term in self.term_servers
            if term not in defined
        ]
        if problems:
            raise PydanticCustomError(
                "unknown_terms",
                "{summary}",
                {"summary": "; ".join(f"{p['loc']}: {p['msg']}" for p in problems), "problems": problems},
            )
        return self

    @model_serializer(mode="wrap")
    def _omit_empty_term_servers(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A file without term_servers is served exactly as it was written.
        data = handler(self)
        if not self.term_servers and isinstance(data, dict):
            data.pop("term_servers", None)
        return data

    def server_of(self, term: str) -> str | None:
        """The registry key of the server `term` belongs to, or None when the file does not tie it to one."""
        return self.term_servers.get(term)


class ProductMetadata(BaseModel):
    """The whole product metadata file."""

    model_config = ConfigDict(extra="forbid")

    last_updated: datetime
    product_aliases: dict[NonEmptyStr, ProductAlias]
    column_mappings: ColumnMappings

    @field_validator("last_updated", mode="before")
    @classmethod
    def _last_updated_is_text(cls, value: Any) -> Any:
        # Pydantic would read a bare number as a Unix timestamp; the format asks for ISO 8601 text.
        if not isinstance(value, str):
            raise PydanticCustomError(
                "datetime_text", "must be an ISO 8601 date-time string such as 2025-01-15T10:00:00Z", {}
            )
        return value

    @field_validator("product_aliases")
    @classmethod
    def _names_identify_one_product(cls, products: dict[str, ProductAlias]) -> dict[str, ProductAlias]:
        problems = _name_clashes(products) + _canonical_id_clashes(products)
        if problems:
            raise PydanticCustomError(
                "ambiguous_products",
                "{summary}",
                {"summary": "; ".join(f"{p['loc']}: {p['msg']}" for p in problems), "problems": problems},
            )
        return products


def _name_clashes(products: dict[str, ProductAlias]) -> list[dict[str, str]]:
    """Every name a person may use (key, canonical name, alias) must point at exactly one product."""
    owner: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    for key, product in products.items():
        names = [(key, f"product_aliases.{key}")]
        names.append((product.canonical_name, f"product_aliases.{key}.canonical_name"))
        names += [(alias, f"product_aliases.{key}.aliases") for alias in product.aliases]
        for name, loc in names:
            folded = name.casefold()
            first = owner.setdefault(folded, key)
            if first != key:
                problems.append({"loc": loc, "msg": f"{name!r} already names product {first!r}; names must be unique"})
    return problems


def _canonical_id_clashes(products: dict[str, ProductAlias]) -> list[dict[str, str]]:
    owner: dict[str, str] = {}
    problems: list[dict[str, str]] = []
    for key, product in products.items():
        first = owner.setdefault(product.canonical_id, key)
        if first != key:
            problems.append(
                {
                    "loc": f"product_aliases.{key}.canonical_id",
                    "msg": f"{product.canonical_id!r} is already the canonical_id of product {first!r}",
                }
            )
    return problems


def table_column_references(text: str) -> list[tuple[str, str]]:
    """The `table.column` tokens inside a column-mapping hint (a bare reference or a SQL-ish phrase)."""
    return [(m.group(1), m.group(2)) for m in re.finditer(rf"\b({_IDENTIFIER})\.({_IDENTIFIER})\b", text)]
