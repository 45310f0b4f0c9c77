"""The Database MCP server: a database's schema and read-only queries over SSE."""
