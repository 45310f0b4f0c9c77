// The HTTP client of the UI: /api/query, /api/query/stream and /api/servers, with the bearer token.
import { ApiError, detailMessage, isAbortError } from "./errors";
import { readEventStream } from "./stream";
import type { ProgressEvent, QueryResult, ServersResponse } from "./types";

export interface ApiClientOptions {
  /** Prefix of every path; "" when the UI is served by the API itself. */
  baseUrl?: string;
  getToken: () => string | null;
  fetchImpl?: typeof fetch;
}

/** A QueryResult and the HTTP status it came with (failures carry 422/502/503/504). */
export interface QueryResponse {
  result: QueryResult;
  status: number;
}

export interface ApiClient {
  getServers(signal?: AbortSignal): Promise<ServersResponse>;
  query(question: string, signal?: AbortSignal): Promise<QueryResponse>;
  streamQuery(
    question: string,
    onProgress: (event: ProgressEvent) => void,
    signal?: AbortSignal,
    onRows?: (early: QueryResult) => void,
  ): Promise<QueryResponse>;
}

export function isQueryResult(value: unknown): value is QueryResult {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { success?: unknown }).success === "boolean" &&
    "query" in value
  );
}

function normalizeResult(raw: QueryResult): QueryResult {
  // Fill what a partial body may leave out so the views never meet `undefined`.
  return {
    ...raw,
    sql: raw.sql ?? null,
    error: raw.error ?? null,
    explanation: raw.explanation ?? null,
    result: {
      columns: raw.result?.columns ?? [],
      rows: raw.result?.rows ?? [],
    },
    resolved_entities: raw.resolved_entities ?? {},
    metadata: raw.metadata ?? {},
  };
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function failureFromBody(status: number, body: unknown, statusText: string): ApiError {
  const detail =
    body && typeof body === "object" && "detail" in body
      ? detailMessage(body.detail)
      : typeof body === "string" && body.trim()
        ? body.trim().slice(0, 500)
        : null;
  if (status === 401) {
    return new ApiError("unauthorized", detail ?? "The API requires a token.", 401);
  }
  const what = detail ?? (statusText || "no details");
  return new ApiError("http", `The API answered ${status}: ${what}`, status);
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  const doFetch = options.fetchImpl ?? ((input, init) => fetch(input, init));

  async function send(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = options.getToken();
    if (token) headers.set("Authorization", `Bearer ${token}`);
    try {
      return await doFetch(`${baseUrl}${path}`, { ...init, headers });
    } catch (error) {
      if (isAbortError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ApiError(
        "network",
        `Could not reach the Talk 2 Tables API (${reason}). Is it running? Start everything with \`talk2tables up\`.`,
      );
    }
  }

  async function resultOrThrow(response: Response): Promise<QueryResponse> {
    const body = await readJson(response);
    if (response.status !== 401 && isQueryResult(body)) {
      return { result: normalizeResult(body), status: response.status };
    }
    throw failureFromBody(response.status, body, response.statusText);
  }

  function postQuery(path: string, question: string, accept: string, signal?: AbortSignal) {
    return send(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: accept },
      body: JSON.stringify({ query: question }),
      signal,
    });
  }

  async function query(question: string, signal?: AbortSignal): Promise<QueryResponse> {
    return resultOrThrow(await postQuery("/api/query", question, "application/json", signal));
  }

  async function streamQuery(
    question: string,
    onProgress: (event: ProgressEvent) => void,
    signal?: AbortSignal,
    onRows?: (early: QueryResult) => void,
  ): Promise<QueryResponse> {
    const response = await postQuery("/api/query/stream", question, "text/event-stream", signal);
    if (response.status === 404 || response.status === 405) {
      // An API without the streaming endpoint still answers the plain one.
      return query(question, signal);
    }
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || !type.includes("text/event-stream") || !response.body) {
      return resultOrThrow(response);
    }
    for await (const message of readEventStream(response.body)) {
      if (message.event === "progress") {
        const progress = parseJson(message.data);
        if (progress && typeof progress === "object") onProgress(progress as ProgressEvent);
      } else if (message.event === "rows") {
        // The SQL and rows before the LLM's explanation: shown at once, replaced by the result event.
        const rows = parseJson(message.data);
        if (onRows && rows && typeof rows === "object" && "sql" in rows) {
          onRows(normalizeResult({ ...(rows as QueryResult), success: true, explanation: null }));
        }
      } else if (message.event === "result") {
        const result = parseJson(message.data);
        if (!isQueryResult(result)) {
          throw new ApiError("stream", "The API sent an answer this page cannot read.");
        }
        const normalized = normalizeResult(result);
        const status = normalized.success ? 200 : (normalized.metadata.error?.status_code ?? 500);
        return { result: normalized, status };
      } else if (message.event === "error") {
        const body = parseJson(message.data);
        const text =
          body && typeof body === "object" && "message" in body && typeof body.message === "string"
            ? body.message
            : message.data;
        throw new ApiError("stream", `The API reported an error while answering: ${text}`);
      }
    }
    throw new ApiError(
      "stream",
      "The connection closed before the answer arrived. Check that the API is still running, then ask again.",
    );
  }

  async function getServers(signal?: AbortSignal): Promise<ServersResponse> {
    const response = await send("/api/servers", { headers: { Accept: "application/json" }, signal });
    const body = await readJson(response);
    if (!response.ok) throw failureFromBody(response.status, body, response.statusText);
    const servers = body as Partial<ServersResponse> | null;
    return {
      servers: Array.isArray(servers?.servers) ? servers.servers : [],
      llm: servers?.llm ?? { configured: false, model: null },
    };
  }

  return { getServers, query, streamQuery };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
