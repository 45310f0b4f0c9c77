"""A tiny MCP server for connection tests: one JSON resource, an echo tool and a slow tool.

Run: python -m tests.orchestrator.tiny_server --port P [--name NAME]. It exists so connection
behaviour (slow calls, many sessions) can be exercised without depending on the real servers' data.
"""

from __future__ import annotations

import argparse
import asyncio
import json

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError


def create_server(name: str) -> MCPServer:
    server: MCPServer = MCPServer(name=name)

    @server.resource("tiny://info", mime_type="application/json")
    def info() -> str:
        return json.dumps({"server": name, "tables": [{"name": "widgets", "columns": [{"name": "id"}]}]})

    @server.tool()
    async def execute_query(query: str) -> dict[str, object]:
        """Echo the query as one row; `fail` raises a tool error; `sleep:N` waits N seconds first."""
        if query == "fail":
            raise ToolError("no such column: full_name")
        if query.startswith("sleep:"):
            await asyncio.sleep(float(query.removeprefix("sleep:")))
        return {"columns": ["query"], "rows": [[query]], "row_count": 1, "truncated": False}

    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="tiny")
    args = parser.parse_args()
    uvicorn.run(create_server(args.name).sse_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
