"""Product Metadata MCP server: product aliases and user-friendly column terms as MCP resources over SSE."""
