"""Talk 2 Tables: ask questions of your data in plain language through specialised MCP servers."""

__version__ = "0.1.0"
