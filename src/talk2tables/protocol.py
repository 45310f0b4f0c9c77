"""The MCP names every component agrees on: resource URIs, the tool, and the tool-error marker.

The orchestrator and the generator talk to the servers over MCP only, never by import; these strings
are the contract between them (docs/database-mcp.md, docs/product-metadata.md)."""

from __future__ import annotations

# Database MCP
SCHEMA_URI = "database://schema"
METADATA_URI = "database://metadata"
EXECUTE_QUERY = "execute_query"
UNAVAILABLE_PREFIX = "Unavailable:"  # the database itself failed (down, locked): not worth another query
BUSY_PREFIX = "Busy:"  # the Database MCP is at its limit of concurrent queries: try again later, not another query

# Product Metadata MCP
PRODUCT_ALIASES_URI = "resource://product_aliases"
COLUMN_MAPPINGS_URI = "resource://column_mappings"
METADATA_SUMMARY_URI = "resource://metadata_summary"
