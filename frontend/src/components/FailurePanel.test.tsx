import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { QueryResult } from "../api/types";
import { pendingTurn, type Turn } from "../lib/history";
import { failedResult } from "../test/fixtures";
import { FailurePanel } from "./FailurePanel";

function failedTurn(result: QueryResult | null, transport: Turn["transport"] = null): Turn {
  return { ...pendingTurn(result?.query ?? "q"), state: "failed", result, status: result?.metadata.error?.status_code ?? null, transport };
}

describe("FailurePanel", () => {
  it("names the MCP server that is down and how to start it", () => {
    const result = failedResult({
      type: "MCPConnectionError",
      stage: "gathering",
      status_code: 502,
      message: "Could not connect to Product Metadata MCP at http://127.0.0.1:8002/sse: connection refused",
      server: "Product Metadata MCP",
    });
    render(<FailurePanel turn={failedTurn(result)} />);
    const alert = screen.getByRole("alert");
    expect(within(alert).getByRole("heading", { name: "The Product Metadata MCP server is not reachable" })).toBeInTheDocument();
    expect(screen.getByTestId("failed-server")).toHaveTextContent("Product Metadata MCP");
    expect(alert).toHaveTextContent("connection refused");
    expect(alert).toHaveTextContent("talk2tables up");
    expect(alert).toHaveTextContent("mcp_config.yaml");
    expect(alert).toHaveTextContent("HTTP 502");
    expect(alert).toHaveAttribute("data-error-type", "MCPConnectionError");
  });

  it("says to set T2T_LLM_MODEL when no language model is configured", () => {
    const result = failedResult({ type: "LLMNotConfiguredError", stage: "generating", status_code: 503, message: "No LLM is configured." });
    render(<FailurePanel turn={failedTurn(result)} />);
    expect(screen.getByRole("heading", { name: "No language model is configured" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("T2T_LLM_MODEL");
  });

  it("shows each of the 3 attempts with its error, SQL folded", async () => {
    const user = userEvent.setup();
    const result = failedResult({ type: "QueryNotAnsweredError", stage: "generating", status_code: 422, message: "Could not answer after 3 attempts." });
    result.metadata.attempts = [
      { sql: "SELECT full_name FROM customers", error: "no such column: full_name" },
      { sql: "SELECT name FROM customer", error: "no such table: customer" },
      { sql: "SELECT nme FROM customers", error: "no such column: nme" },
    ];
    render(<FailurePanel turn={failedTurn(result)} />);
    expect(screen.getByRole("heading", { name: "The question could not be answered after 3 attempts" })).toBeInTheDocument();
    const attempts = screen.getAllByTestId("attempt");
    expect(attempts).toHaveLength(3);
    expect(attempts[0]).toHaveTextContent("Attempt 1 of 3: no such column: full_name");
    expect(attempts[2]).toHaveTextContent("no such column: nme");
    const show = within(attempts[1]!).getByRole("button", { name: "Show SQL of attempt 2" });
    expect(show).toHaveAttribute("aria-expanded", "false");
    await user.click(show);
    expect(within(attempts[1]!).getByTestId("sql-code")).toHaveTextContent("SELECT name FROM customer");
  });

  it("explains that the API is not reachable on a network failure", () => {
    render(<FailurePanel turn={failedTurn(null, { kind: "network", message: "Could not reach the API", status: null })} />);
    expect(screen.getByRole("heading", { name: "The Talk 2 Tables API is not reachable" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("talk2tables up");
  });

  it("offers to ask again", async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    const result = failedResult({ type: "LLMTimeoutError", stage: "generating", status_code: 504, message: "timed out" });
    render(<FailurePanel turn={failedTurn(result)} onRetry={onRetry} />);
    await user.click(screen.getByRole("button", { name: "Ask again" }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it("shows something readable even for an error it does not know", () => {
    const result = failedResult({ type: "SomethingNewError", stage: "somewhere", message: "Odd failure." });
    render(<FailurePanel turn={failedTurn(result)} />);
    expect(screen.getByRole("heading", { name: "The question could not be answered" })).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Odd failure.");
  });
});
