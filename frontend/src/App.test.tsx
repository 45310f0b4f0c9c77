import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { HISTORY_KEY } from "./lib/history";
import {
  controlledSse,
  failedResult,
  fakeFetch,
  jsonResponse,
  PROGRESS,
  SERVERS,
  sseResponse,
  sseText,
  successResult,
  type RecordedRequest,
} from "./test/fixtures";

const abracadabra = successResult({
  query: "What are the total sales of abracadabra this year?",
  result: { columns: ["product_name", "total_sales"], rows: [["Magic Wand Pro", 4321.5]] },
  explanation: "Sales of Magic Wand Pro in 2025.",
  resolved_entities: {
    entities: [{ term: "abracadabra", resolved_to: "Magic Wand Pro", kind: "product", source_server: "Product Metadata MCP" }],
    confidence: 0.95,
  },
});

/** Renders the app, asks `question`, and returns the stream the test then writes the API's events to. */
async function askOverControlledStream(question: string) {
  const user = userEvent.setup();
  let stream: ReturnType<typeof controlledSse> | null = null;
  const { fetchImpl } = fakeFetch({
    "/api/servers": () => jsonResponse(SERVERS),
    "/api/query/stream": (request) => {
      stream = controlledSse(request.signal);
      return stream.response;
    },
  });
  render(<App fetchImpl={fetchImpl} />);
  await user.type(screen.getByRole("textbox", { name: "Your question" }), `${question}{Enter}`);
  await waitFor(() => expect(stream).not.toBeNull());
  return stream as unknown as ReturnType<typeof controlledSse>;
}

function answering(result = successResult()) {
  return fakeFetch({
    "/api/servers": () => jsonResponse(SERVERS),
    "/api/query/stream": () => sseResponse(sseText(PROGRESS, result)),
  });
}

function paths(requests: RecordedRequest[]): string[] {
  return requests.map((r) => new URL(r.url, "http://ui.test").pathname);
}

describe("App", () => {
  it("asks an example question and shows the answer: rows, chips, SQL, explanation", async () => {
    const user = userEvent.setup();
    const { fetchImpl } = answering(abracadabra);
    render(<App fetchImpl={fetchImpl} />);
    await user.click(screen.getByRole("button", { name: "What are the total sales of abracadabra this year?" }));
    const turn = await screen.findByRole("article", { name: "Question: What are the total sales of abracadabra this year?" });
    await within(turn).findByTestId("answer");
    expect(within(turn).getByRole("table")).toHaveTextContent("Magic Wand Pro");
    expect(within(turn).getByRole("listitem", { name: "abracadabra means Magic Wand Pro, from Product Metadata MCP" })).toBeInTheDocument();
    expect(within(turn).getByTestId("explanation")).toHaveTextContent("Sales of Magic Wand Pro in 2025.");
    expect(within(turn).getByTestId("sql-code")).toHaveTextContent("SELECT category");
    expect(screen.getByTestId("announcer")).toHaveTextContent("Answer ready: 1 row.");
    expect(screen.getByRole("textbox", { name: "Your question" })).toHaveFocus();
  });

  it("shows live progress while the answer streams", async () => {
    const stream = await askOverControlledStream("Sales by category");
    act(() => stream.send(sseText([{ stage: "retrying", message: "Trying again", attempt: 2, max_attempts: 3 }], null)));
    const progress = await screen.findByTestId("progress");
    await waitFor(() => expect(progress).toHaveAttribute("data-stage", "retrying"));
    expect(within(progress).getByRole("status")).toHaveTextContent("Attempt 2 of 3");
    expect(screen.getByRole("button", { name: "Answering…" })).toBeDisabled();
    act(() => {
      stream.send(sseText([], successResult()));
      stream.close();
    });
    expect(await screen.findByTestId("answer")).toBeInTheDocument();
  });

  it("shows the rows as soon as they stream in, then the explanation when it arrives", async () => {
    const stream = await askOverControlledStream("total sales of abracadabra");
    const rows = { query: abracadabra.query, sql: abracadabra.sql, result: abracadabra.result, metadata: { server_name: "Database MCP" } };
    act(() => {
      stream.send(`event: rows\ndata: ${JSON.stringify(rows)}\n\n`);
      stream.send(sseText([{ stage: "explaining", message: "Explaining the answer" }], null));
    });
    const early = await screen.findByTestId("early-answer");
    expect(within(early).getByText("Magic Wand Pro")).toBeInTheDocument();
    expect(within(early).getByTestId("explaining")).toHaveTextContent("Explaining the answer…");
    expect(screen.getByTestId("progress")).toHaveAttribute("data-stage", "explaining");
    expect(screen.queryByTestId("explanation")).toBeNull();
    act(() => {
      stream.send(sseText([], abracadabra));
      stream.close();
    });
    const answer = await screen.findByTestId("answer");
    expect(within(answer).getByTestId("explanation")).toHaveTextContent("Sales of Magic Wand Pro in 2025.");
    expect(screen.queryByTestId("early-answer")).toBeNull();
    expect(screen.queryByTestId("explaining")).toBeNull();
  });

  it("stops a running question on request", async () => {
    const user = userEvent.setup();
    const { fetchImpl } = fakeFetch({
      "/api/servers": () => jsonResponse(SERVERS),
      "/api/query/stream": (request) => controlledSse(request.signal).response,
    });
    render(<App fetchImpl={fetchImpl} />);
    await user.type(screen.getByRole("textbox", { name: "Your question" }), "Slow question{Enter}");
    await user.click(await screen.findByRole("button", { name: "Stop" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You stopped this question before it was answered.");
  });

  it("keeps the conversation across a reload and clears it on request", async () => {
    const user = userEvent.setup();
    const { fetchImpl } = answering();
    const first = render(<App fetchImpl={fetchImpl} />);
    await user.type(screen.getByRole("textbox", { name: "Your question" }), "Sales by category{Enter}");
    await screen.findByTestId("answer");
    first.unmount();

    render(<App fetchImpl={fetchImpl} />);
    const turn = screen.getByRole("article", { name: "Question: Sales by category" });
    expect(within(turn).getByRole("table")).toHaveTextContent("Electronics");
    await user.click(screen.getByRole("button", { name: "Clear conversation" }));
    expect(screen.queryByRole("article")).not.toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Ask about your data" })).toBeInTheDocument();
    expect(localStorage.getItem(HISTORY_KEY)).toBeNull();
  });

  it("asks for the API token on 401, stores it, and runs the question again with it", async () => {
    const user = userEvent.setup();
    const authorized = (request: RecordedRequest) => request.headers.get("Authorization") === "Bearer s3cret";
    const { fetchImpl, requests } = fakeFetch({
      "/api/servers": (request) => (authorized(request) ? jsonResponse(SERVERS) : jsonResponse({ detail: "API token required" }, 401)),
      "/api/query/stream": (request) =>
        authorized(request) ? sseResponse(sseText(PROGRESS, successResult())) : jsonResponse({ detail: "API token required" }, 401),
    });
    render(<App fetchImpl={fetchImpl} />);
    const dialog = await screen.findByRole("dialog", { name: "API token needed" });
    expect(dialog).toHaveTextContent("API token required");
    await user.type(within(dialog).getByLabelText("API token"), "s3cret{Enter}");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(localStorage.getItem("t2t.apiToken")).toBe("s3cret");
    expect(await screen.findByTestId("server-database")).toBeInTheDocument();

    await user.type(screen.getByRole("textbox", { name: "Your question" }), "Sales by category{Enter}");
    expect(await screen.findByTestId("answer")).toBeInTheDocument();
    const streamed = requests.filter((r) => r.url.endsWith("/api/query/stream"));
    expect(streamed.at(-1)?.headers.get("Authorization")).toBe("Bearer s3cret");
  });

  it("retries a question that met a 401 once the token is given", async () => {
    const user = userEvent.setup();
    let token: string | null = null;
    const { fetchImpl } = fakeFetch({
      "/api/servers": () => jsonResponse(SERVERS),
      "/api/query/stream": (request) => {
        token = request.headers.get("Authorization");
        return token ? sseResponse(sseText([], successResult())) : jsonResponse({ detail: "Missing token" }, 401);
      },
    });
    render(<App fetchImpl={fetchImpl} />);
    await user.type(screen.getByRole("textbox", { name: "Your question" }), "Sales by category{Enter}");
    await user.type(await screen.findByLabelText("API token"), "abc{Enter}");
    expect(await screen.findByTestId("answer")).toBeInTheDocument();
    expect(token).toBe("Bearer abc");
    expect(screen.getAllByRole("article")).toHaveLength(1);
  });

  it("explains a failure by the server that failed (by its name, not its key), and refreshes the server panel", async () => {
    const user = userEvent.setup();
    const failure = failedResult({
      type: "MCPConnectionError",
      stage: "gathering",
      status_code: 502,
      message: "Could not connect to Product Metadata MCP",
      server: "product_metadata",
    });
    const { fetchImpl, requests } = answering(failure);
    render(<App fetchImpl={fetchImpl} />);
    await screen.findByTestId("server-database");
    await user.type(screen.getByRole("textbox", { name: "Your question" }), "Top customers{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The Product Metadata MCP server is not reachable");
    expect(screen.getByTestId("announcer")).toHaveTextContent("Could not answer: The Product Metadata MCP server is not reachable.");
    await waitFor(() => expect(paths(requests).filter((p) => p === "/api/servers")).toHaveLength(2));
  });

  it("explains an API that cannot be reached instead of showing nothing", async () => {
    const user = userEvent.setup();
    const fetchImpl = (() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;
    render(<App fetchImpl={fetchImpl} />);
    await user.type(screen.getByRole("textbox", { name: "Your question" }), "Anything{Enter}");
    expect(await screen.findByRole("heading", { name: "The Talk 2 Tables API is not reachable" })).toBeInTheDocument();
    expect(await screen.findByText(/Could not load the server list/)).toBeInTheDocument();
  });

  it("switches between light and dark themes", async () => {
    const user = userEvent.setup();
    render(<App fetchImpl={answering().fetchImpl} />);
    const before = document.documentElement.dataset.theme;
    await user.click(screen.getByTestId("theme-toggle"));
    expect(document.documentElement.dataset.theme).not.toBe(before);
    expect(screen.getByTestId("theme-toggle")).toHaveAccessibleName(`Switch to ${before} theme`);
  });
});
