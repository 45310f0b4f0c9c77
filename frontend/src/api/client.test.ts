// @vitest-environment node
import { describe, expect, it } from "vitest";
import { failedResult, fakeFetch, jsonResponse, PROGRESS, SERVERS, sseResponse, sseText, successResult } from "../test/fixtures";
import { createApiClient } from "./client";
import { ApiError } from "./errors";
import type { ProgressEvent } from "./types";

function client(routes: Parameters<typeof fakeFetch>[0], token: string | null = null) {
  const fake = fakeFetch(routes);
  return { api: createApiClient({ getToken: () => token, fetchImpl: fake.fetchImpl }), requests: fake.requests };
}

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("streamQuery", () => {
  it("reports each progress event, then returns the result with status 200", async () => {
    const result = successResult();
    const { api, requests } = client({ "/api/query/stream": () => sseResponse(sseText(PROGRESS, result), 7) });
    const seen: ProgressEvent[] = [];
    const answer = await api.streamQuery("What are the sales by category?", (event) => seen.push(event));
    expect(seen.map((event) => event.stage)).toEqual(["gathering", "generating", "executing"]);
    expect(answer.status).toBe(200);
    expect(answer.result.result.rows).toHaveLength(3);
    expect(requests[0]?.method).toBe("POST");
    expect(JSON.parse(requests[0]?.body ?? "")).toEqual({ query: "What are the sales by category?" });
    expect(requests[0]?.headers.get("Accept")).toBe("text/event-stream");
  });

  it("takes a failed result's status from its error metadata", async () => {
    const failed = failedResult({ type: "MCPConnectionError", stage: "gathering", status_code: 502, message: "down", server: "Database MCP" });
    const { api } = client({ "/api/query/stream": () => sseResponse(sseText([], failed)) });
    const answer = await api.streamQuery("q", () => undefined);
    expect(answer.status).toBe(502);
    expect(answer.result.success).toBe(false);
  });

  it("returns the QueryResult of an error answered before streaming (422 with a JSON body)", async () => {
    const failed = failedResult({ type: "InvalidQuestionError", stage: "request", status_code: 422, message: "The question is empty." });
    const { api } = client({ "/api/query/stream": () => jsonResponse(failed, 422) });
    const answer = await api.streamQuery(" ", () => undefined);
    expect(answer.status).toBe(422);
    expect(answer.result.error).toBe("The question is empty.");
  });

  it("sends the bearer token when one is stored", async () => {
    const { api, requests } = client({ "/api/query/stream": () => sseResponse(sseText([], successResult())) }, "s3cret");
    await api.streamQuery("q", () => undefined);
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer s3cret");
  });

  it("raises 'unauthorized' with the API's detail on 401", async () => {
    const { api } = client({ "/api/query/stream": () => jsonResponse({ detail: "Missing or invalid API token" }, 401) });
    const error = await caught(api.streamQuery("q", () => undefined));
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toBe("Missing or invalid API token");
  });

  it("raises a 'network' error that says to start the API when nothing answers", async () => {
    const api = createApiClient({
      getToken: () => null,
      fetchImpl: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    const error = await caught(api.streamQuery("q", () => undefined));
    expect(error.kind).toBe("network");
    expect(error.message).toContain("talk2tables up");
  });

  it("raises a 'stream' error when the stream ends without a result", async () => {
    const { api } = client({ "/api/query/stream": () => sseResponse(sseText(PROGRESS, null)) });
    const error = await caught(api.streamQuery("q", () => undefined));
    expect(error.kind).toBe("stream");
    expect(error.message).toMatch(/closed before the answer arrived/);
  });

  it("falls back to POST /api/query when the API has no streaming endpoint", async () => {
    const { api, requests } = client({ "/api/query": () => jsonResponse(successResult()) });
    const answer = await api.streamQuery("q", () => undefined);
    expect(answer.result.success).toBe(true);
    expect(requests.map((r) => new URL(r.url, "http://x").pathname)).toEqual(["/api/query/stream", "/api/query"]);
  });

  it("fills what a sparse result leaves out, so views never meet undefined", async () => {
    const { api } = client({
      "/api/query/stream": () => sseResponse('event: result\ndata: {"success":true,"query":"q"}\n\n'),
    });
    const { result } = await api.streamQuery("q", () => undefined);
    expect(result.result).toEqual({ columns: [], rows: [] });
    expect(result.metadata).toEqual({});
    expect(result.resolved_entities).toEqual({});
  });
});

describe("getServers", () => {
  it("returns the servers and the LLM status", async () => {
    const { api } = client({ "/api/servers": () => jsonResponse(SERVERS) });
    const servers = await api.getServers();
    expect(servers.servers.map((s) => s.key)).toEqual(["product_metadata", "database"]);
    expect(servers.llm.model).toBe("openai:gpt-4o-mini");
  });

  it("reports an unexpected status with the API's words", async () => {
    const { api } = client({ "/api/servers": () => jsonResponse({ detail: "registry unreadable" }, 500) });
    const error = await caught(api.getServers());
    expect(error.kind).toBe("http");
    expect(error.message).toBe("The API answered 500: registry unreadable");
  });
});
