// Test data shaped like the API's answers, and fetch doubles that answer like the API does.
import type { ProgressEvent, QueryResult, ServersResponse } from "../api/types";

export function successResult(overrides: Partial<QueryResult> = {}): QueryResult {
  return {
    success: true,
    query: "What are the sales by category?",
    sql: "SELECT category, SUM(total_amount) AS total_sales FROM sales GROUP BY category",
    result: {
      columns: ["category", "total_sales"],
      rows: [
        ["Electronics", 1234.5],
        ["Magic", 980],
        ["Books", 120.25],
      ],
    },
    error: null,
    explanation: "Total sales per product category.",
    resolved_entities: {
      entities: [
        { term: "sales", resolved_to: "sales.total_amount", kind: "column", source_server: "Product Metadata MCP" },
      ],
      confidence: 0.9,
    },
    metadata: {
      request_id: "req-123",
      attempts: [{ sql: "SELECT 1", error: null }],
      attempts_count: 1,
      recovered: false,
      servers: [
        { name: "Database MCP", priority: 1 },
        { name: "Product Metadata MCP", priority: 10 },
      ],
      timings_ms: { gather: 20, generate: 300, validate: 2, execute: 5, total: 330 },
    },
    ...overrides,
  };
}

export function failedResult(error: QueryResult["metadata"]["error"], overrides: Partial<QueryResult> = {}): QueryResult {
  return {
    success: false,
    query: "Who are the top 5 customers by revenue?",
    sql: null,
    result: { columns: [], rows: [] },
    error: error?.message ?? "failed",
    explanation: null,
    resolved_entities: {},
    metadata: { request_id: "req-err", attempts: [], attempts_count: 0, recovered: false, servers: [], error },
    ...overrides,
  };
}

export const SERVERS: ServersResponse = {
  servers: [
    {
      name: "Product Metadata MCP",
      key: "product_metadata",
      url: "http://127.0.0.1:8002/sse",
      priority: 10,
      domains: ["products", "aliases"],
      capabilities: ["list_resources"],
      reachable: false,
      resources: [],
      tools: [],
      latency_ms: null,
      error: "Connection refused",
    },
    {
      name: "Database MCP",
      key: "database",
      url: "http://127.0.0.1:8000/sse",
      priority: 1,
      domains: ["sales", "customers"],
      capabilities: ["execute_query", "list_resources"],
      reachable: true,
      resources: ["database://schema", "database://metadata"],
      tools: ["execute_query"],
      latency_ms: 12.4,
      error: null,
    },
  ],
  llm: { configured: true, model: "openai:gpt-4o-mini" },
};

/** A text/event-stream body, cut into chunks of `chunkSize` bytes to exercise reassembly. */
export function sseBody(text: string, chunkSize = 0): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = chunkSize > 0 ? chunkSize : bytes.length;
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

export function sseText(progress: ProgressEvent[], result: QueryResult | null): string {
  const events = progress.map((event) => `event: progress\ndata: ${JSON.stringify(event)}\n\n`);
  if (result) events.push(`event: result\ndata: ${JSON.stringify(result)}\n\n`);
  return events.join("");
}

export function sseResponse(text: string, chunkSize = 0): Response {
  return new Response(sseBody(text, chunkSize), {
    status: 200,
    headers: { "Content-Type": "text/event-stream; charset=utf-8" },
  });
}

export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export const PROGRESS: ProgressEvent[] = [
  { stage: "gathering", message: "Reading 2 servers", attempt: 1, max_attempts: 3, elapsed_ms: 5 },
  { stage: "generating", message: "Writing SQL", attempt: 1, max_attempts: 3, elapsed_ms: 40 },
  { stage: "executing", message: "Running the query", attempt: 1, max_attempts: 3, elapsed_ms: 300 },
];

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
  signal: AbortSignal | null;
}

type Handler = (request: RecordedRequest) => Response | Promise<Response>;

/** A fetch that routes by path, and records every request it was given. */
export function fakeFetch(routes: Record<string, Handler>) {
  const requests: RecordedRequest[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const request: RecordedRequest = {
      url,
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      body: typeof init?.body === "string" ? init.body : null,
      signal: init?.signal ?? null,
    };
    requests.push(request);
    if (init?.signal?.aborted) throw new DOMException("aborted", "AbortError");
    const path = new URL(url, "http://ui.test").pathname;
    const handler = routes[path];
    if (!handler) return jsonResponse({ detail: "Not Found" }, 404);
    return handler(request);
  };
  return { fetchImpl: fetchImpl satisfies typeof fetch, requests };
}

/** An event stream the test writes to as it goes; aborting the request errors it, as fetch does. */
export function controlledSse(signal: AbortSignal | null) {
  let stream!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      stream = controller;
    },
  });
  signal?.addEventListener("abort", () => stream.error(new DOMException("aborted", "AbortError")));
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } }),
    send: (text: string) => stream.enqueue(encoder.encode(text)),
    close: () => stream.close(),
  };
}
