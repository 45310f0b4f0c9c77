"""The read-only SQL guard, shared by the Database MCP (which enforces it) and the SQL validator (which checks
the LLM's SQL with it before anything is sent): one definition of what a read-only query is."""

from talk2tables.sql_guard.guard import MAX_QUERY_CHARS, TOO_DEEP, ApprovedQuery, check_read_only
from talk2tables.sql_guard.relations import Catalog, StaticCatalog

__all__ = ["MAX_QUERY_CHARS", "TOO_DEEP", "ApprovedQuery", "Catalog", "StaticCatalog", "check_read_only"]
