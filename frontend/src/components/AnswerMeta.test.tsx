import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { successResult } from "../test/fixtures";
import { AnswerMeta } from "./AnswerMeta";

describe("AnswerMeta", () => {
  it("names the database that answered", () => {
    const result = successResult();
    result.metadata = { ...result.metadata, server: "support", server_name: "Support Desk MCP" };
    render(<AnswerMeta result={result} />);
    expect(screen.getByTestId("answer-meta")).toHaveTextContent("from Support Desk MCP");
  });

  it("names each part of an answer combined from several databases", () => {
    const result = successResult();
    result.metadata = {
      ...result.metadata,
      server: "combine",
      server_name: "combined in memory",
      parts: [
        { name: "open_tickets", server: "support", server_name: "Support Desk MCP", sql: "SELECT 1", row_count: 3 },
        { name: "revenue", server: "database", server_name: "Database MCP", sql: "SELECT 2", row_count: 18 },
      ],
    };
    render(<AnswerMeta result={result} />);
    const meta = screen.getByTestId("answer-meta");
    expect(meta).toHaveTextContent("combined: open_tickets from Support Desk MCP + revenue from Database MCP");
    expect(meta).not.toHaveTextContent("combined in memory");
  });

  it("says nothing of a database when the answer does not name one", () => {
    render(<AnswerMeta result={successResult()} />);
    expect(screen.getByTestId("answer-meta")).not.toHaveTextContent(/from |combined/);
  });
});
