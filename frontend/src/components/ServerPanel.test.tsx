import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { ServersState } from "../hooks/useServers";
import { SERVERS } from "../test/fixtures";
import { ServerPanel } from "./ServerPanel";

function state(overrides: Partial<ServersState> = {}): ServersState {
  return { data: SERVERS, error: null, loading: false, refresh: vi.fn(), ...overrides };
}

describe("ServerPanel", () => {
  it("lists servers by priority with domains, reachability and latency", () => {
    render(<ServerPanel state={state()} />);
    const list = screen.getByRole("list", { name: "MCP servers" });
    const cards = within(list).getAllByRole("listitem", { name: /reachable/ });
    expect(cards.map((card) => card.getAttribute("aria-label"))).toEqual([
      "Database MCP: reachable",
      "Product Metadata MCP: not reachable",
    ]);
    const database = screen.getByTestId("server-database");
    expect(database).toHaveTextContent("priority 1");
    expect(database).toHaveTextContent("Reachable · 12 ms");
    expect(within(database).getByRole("list", { name: "Domains of Database MCP" })).toHaveTextContent("salescustomers");
  });

  it("says what to do about a server that is down", () => {
    render(<ServerPanel state={state()} />);
    const metadata = screen.getByTestId("server-product_metadata");
    expect(metadata).toHaveAttribute("data-reachable", "false");
    expect(metadata).toHaveTextContent("Connection refused");
    expect(screen.getByText(/1 of 2 servers not reachable/)).toBeInTheDocument();
  });

  it("says how to start a down server when the API gave no reason", () => {
    const [down, up] = SERVERS.servers;
    render(<ServerPanel state={state({ data: { ...SERVERS, servers: [{ ...down!, error: null }, up!] } })} />);
    expect(screen.getByTestId("server-product_metadata")).toHaveTextContent("It did not answer. Start it with talk2tables up");
  });

  it("shows the configured language model", () => {
    render(<ServerPanel state={state()} />);
    expect(screen.getByTestId("llm-status")).toHaveTextContent("Language model: openai:gpt-4o-mini");
  });

  it("says how to configure a language model when none is", () => {
    render(<ServerPanel state={state({ data: { ...SERVERS, llm: { configured: false, model: null } } })} />);
    expect(screen.getByTestId("llm-status")).toHaveTextContent("set T2T_LLM_MODEL");
  });

  it("reports a failure to load the list, and refreshes on request", async () => {
    const user = userEvent.setup();
    const refresh = vi.fn();
    render(<ServerPanel state={state({ data: null, error: "Could not reach the API", refresh })} />);
    expect(screen.getByRole("alert")).toHaveTextContent("Could not load the server list: Could not reach the API");
    await user.click(screen.getByRole("button", { name: "Refresh server status" }));
    expect(refresh).toHaveBeenCalledOnce();
  });
});
