// @vitest-environment node
import { describe, expect, it } from "vitest";
import { failedResult } from "../test/fixtures";
import { describeFailure } from "./failure";

describe("describeFailure", () => {
  it("names the MCP server that is down and says to start it and check mcp_config.yaml", () => {
    const view = describeFailure({
      result: failedResult({
        type: "MCPConnectionError",
        stage: "gathering",
        status_code: 502,
        message: "Could not connect to Product Metadata MCP at http://127.0.0.1:8002/sse",
        server: "Product Metadata MCP",
      }),
      status: 502,
    });
    expect(view.title).toBe("The Product Metadata MCP server is not reachable");
    expect(view.server).toBe("Product Metadata MCP");
    expect(view.steps.join(" ")).toContain("talk2tables up");
    expect(view.steps.join(" ")).toContain("mcp_config.yaml");
  });

  it("names a server by its display name when the error gives its registry key", () => {
    const result = failedResult({ type: "MCPConnectionError", stage: "gathering", status_code: 502, message: "down", server: "product_metadata" });
    expect(describeFailure({ result }, { product_metadata: "Product Metadata MCP" }).server).toBe("Product Metadata MCP");
    expect(describeFailure({ result }).server).toBe("product_metadata");
  });

  it("tells to set T2T_LLM_MODEL when no language model is configured", () => {
    const view = describeFailure({
      result: failedResult({ type: "LLMNotConfiguredError", stage: "generating", status_code: 503, message: "No LLM" }),
    });
    expect(view.title).toBe("No language model is configured");
    expect(view.steps[0]).toContain("T2T_LLM_MODEL");
  });

  it("lists each attempt's SQL and error when the question could not be answered after 3 attempts", () => {
    const attempts = [
      { sql: "SELECT full_name FROM customers", error: "no such column: full_name" },
      { sql: "SELECT name FROM customer", error: "no such table: customer" },
      { sql: "SELECT nme FROM customers", error: "no such column: nme" },
    ];
    const result = failedResult(
      { type: "QueryNotAnsweredError", stage: "generating", status_code: 422, message: "Could not answer after 3 attempts" },
      { sql: "SELECT nme FROM customers" },
    );
    result.metadata.attempts = attempts;
    const view = describeFailure({ result, status: 422 });
    expect(view.title).toBe("The question could not be answered after 3 attempts");
    expect(view.attempts).toEqual(attempts);
  });

  it("explains a timeout of one server separately from a server that is down", () => {
    const view = describeFailure({
      result: failedResult({ type: "MCPTimeoutError", stage: "mcp", status_code: 504, message: "timed out", server: "Database MCP" }),
    });
    expect(view.title).toBe("The Database MCP server did not answer in time");
    expect(view.status).toBe(504);
  });

  it("falls back on the HTTP status when the error has no type", () => {
    const result = failedResult(undefined, { error: "Bad gateway" });
    expect(describeFailure({ result, status: 502 }).title).toBe("An MCP server is not reachable");
    expect(describeFailure({ result, status: 503 }).title).toBe("The language model could not be reached");
    expect(describeFailure({ result, status: 504 }).title).toBe("Answering took too long");
  });

  it("says the API is not reachable when the network fails", () => {
    const view = describeFailure({ transport: { kind: "network", message: "Could not reach", status: null } });
    expect(view.title).toBe("The Talk 2 Tables API is not reachable");
    expect(view.detail).toBe("Could not reach");
  });

  it("keeps the server's own message as the detail", () => {
    const view = describeFailure({
      result: failedResult({ type: "ToolExecutionError", stage: "executing", status_code: 502, message: "no such column: x", server: "Database MCP" }),
    });
    expect(view.title).toBe("The database could not run the query");
    expect(view.detail).toBe("no such column: x");
  });
});
