"""The read-only SQL guard, shared by the Database MCP (which enforces it) and the SQL validator (which checks
the LLM's SQL with it before anything is sent): one definition of what a read-only query is."""

from talk2tables.sql_guard.guard import TOO_DEEP, check_read_only

__all__ = ["TOO_DEEP", "check_read_only"]
