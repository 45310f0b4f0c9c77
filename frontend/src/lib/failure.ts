// Turns a failed answer into what a person needs: what failed, why, and what to do next.
import type { ApiErrorKind } from "../api/errors";
import type { Attempt, ErrorInfo, QueryResult } from "../api/types";

/** A failure that never produced a QueryResult (no network, a broken stream, an odd HTTP answer). */
export interface TransportFailure {
  kind: ApiErrorKind;
  message: string;
  status: number | null;
}

export interface FailureInput {
  result?: QueryResult | null;
  status?: number | null;
  transport?: TransportFailure | null;
}

export interface FailureView {
  /** One line: what failed. */
  title: string;
  /** The server's own message (it says what failed and what to do). */
  detail: string | null;
  /** What the user can do, in order. */
  steps: string[];
  /** The MCP server that failed, when one did. */
  server: string | null;
  /** Each attempt's SQL and error, when the question was tried more than once. */
  attempts: Attempt[];
  type: string | null;
  stage: string | null;
  status: number | null;
}

const START_SERVERS =
  "Start it: `talk2tables up` starts every server; `talk2tables db-server` or `talk2tables metadata-server` starts one.";
const CHECK_CONFIG =
  "Check its url in mcp_config.yaml (or the T2T_MCP_<KEY>_URL override), then run `talk2tables validate-config mcp_config.yaml --check-connections`.";
const REPHRASE = "Rephrase the question, naming the table or column you mean (the example questions show the style).";

type Advice = Pick<FailureView, "title" | "steps">;

function mcpAdvice(info: ErrorInfo | null, server: string | null): Advice {
  const who = server ? `The ${server} server` : "An MCP server";
  if (info?.type === "MCPTimeoutError") {
    return {
      title: `${who} did not answer in time`,
      steps: [
        "Check that it is running and not overloaded, then ask again.",
        "If it is just slow, raise orchestration.timeouts in mcp_config.yaml.",
      ],
    };
  }
  if (info?.type === "NoMCPAvailableError") {
    return {
      title: "No MCP server can run queries",
      steps: [
        "Add the Database MCP (capability execute_query) to mcp_config.yaml, or set ENABLE_MULTI_MCP=true.",
        START_SERVERS,
      ],
    };
  }
  if (info?.type === "ToolExecutionError" || info?.stage === "executing") {
    return {
      title: "The database could not run the query",
      steps: [REPHRASE, "If the query looks right, check that the database file or DATABASE_URL is the one you expect."],
    };
  }
  return {
    title: `${who} is not reachable`,
    steps: [START_SERVERS, CHECK_CONFIG, "Answers need every configured server: none are given from part of the data."],
  };
}

function llmAdvice(info: ErrorInfo | null): Advice {
  switch (info?.type) {
    case "LLMNotConfiguredError":
      return {
        title: "No language model is configured",
        steps: [
          "Set T2T_LLM_MODEL in .env (for example `T2T_LLM_MODEL=openai:gpt-4o-mini`) with the provider's key, then restart the API.",
          "Or leave it unset and run `talk2tables up`, which starts the bundled local model.",
        ],
      };
    case "LLMTimeoutError":
      return {
        title: "The language model did not answer in time",
        steps: ["Ask again; if it keeps happening, choose a faster model in T2T_LLM_MODEL."],
      };
    default:
      return {
        title: "The language model could not be reached",
        steps: [
          "Check T2T_LLM_MODEL, the provider's API key and OPENAI_BASE_URL in .env.",
          "For the bundled local model, check that `talk2tables llm-server` is running.",
        ],
      };
  }
}

function adviceFor(info: ErrorInfo | null, status: number | null, attempts: Attempt[], server: string | null): Advice {
  const type = info?.type ?? "";
  const stage = info?.stage ?? "";
  if (type === "QueryNotAnsweredError" || (attempts.length > 1 && status === 422)) {
    return {
      title: `The question could not be answered after ${Math.max(attempts.length, 1)} attempt${attempts.length === 1 ? "" : "s"}`,
      steps: [REPHRASE, "Each attempt's SQL and error are below: they show what the model misunderstood."],
    };
  }
  if (type.startsWith("MCP") || type === "ResourceFetchError" || type === "NoMCPAvailableError" || type === "ToolExecutionError") {
    return mcpAdvice(info, server);
  }
  if (type.startsWith("LLM")) return llmAdvice(info);
  switch (type) {
    case "UnsafeQueryError":
    case "SQLValidationError":
      return { title: "The generated SQL was refused", steps: [REPHRASE, "Only single read-only SELECT queries are run."] };
    case "DatabaseError":
      return mcpAdvice(info && { ...info, type: "ToolExecutionError" }, server);
    case "InvalidQuestionError":
      return { title: "The question was not accepted", steps: ["Type a question in plain words (not empty, not too long)."] };
    case "RequestTimeoutError":
      return { title: "Answering took too long", steps: ["Ask a narrower question, or ask again when the servers are less busy."] };
    case "ConfigurationError":
    case "MetadataError":
      return {
        title: "The configuration has a problem",
        steps: ["Run `talk2tables validate-config mcp_config.yaml` and fix what it lists, then restart."],
      };
  }
  // No type (an older or unexpected server): decide from the stage, then the HTTP status.
  if (stage === "mcp" || stage === "gathering" || status === 502) return mcpAdvice(info, server);
  if (stage === "generating" || status === 503) return llmAdvice(info);
  if (status === 504) return { title: "Answering took too long", steps: ["Ask again, or ask a narrower question."] };
  if (status === 422) return { title: "The question could not be answered", steps: [REPHRASE] };
  return { title: "The question could not be answered", steps: ["Ask again; if it keeps failing, check the API's log for this request id."] };
}

function transportView(failure: TransportFailure): FailureView {
  const base = { detail: failure.message, server: null, attempts: [], type: null, stage: null, status: failure.status };
  switch (failure.kind) {
    case "network":
      return {
        ...base,
        title: "The Talk 2 Tables API is not reachable",
        steps: ["Start it with `talk2tables up` (or `talk2tables api`), then ask again.", "Check your network connection."],
      };
    case "unauthorized":
      return {
        ...base,
        title: "The API needs a token",
        steps: ["Ask again and enter the token the API was started with (T2T_API_TOKEN) when asked."],
      };
    case "stream":
      return { ...base, title: "The answer was interrupted", steps: ["Ask again."] };
    default:
      return { ...base, title: "The API answered with an error", steps: ["Ask again; if it keeps failing, check the API's log."] };
  }
}

/**
 * `names` maps server keys to display names: errors name a server by its registry key
 * ("product_metadata"), a person knows it as "Product Metadata MCP".
 */
export function describeFailure(input: FailureInput, names: Readonly<Record<string, string>> = {}): FailureView {
  if (input.transport) return transportView(input.transport);
  const result = input.result ?? null;
  const info = result?.metadata.error ?? null;
  const status = info?.status_code ?? input.status ?? null;
  const attempts = (result?.metadata.attempts ?? []).filter((a) => a && (a.sql || a.error));
  const key = typeof info?.server === "string" && info.server ? info.server : null;
  const server = key ? (names[key] ?? (typeof info?.server_name === "string" ? info.server_name : key)) : null;
  const advice = adviceFor(info, status, attempts, server);
  return {
    ...advice,
    detail: result?.error ?? info?.message ?? null,
    server,
    attempts: attempts.length > 1 || advice.title.includes("attempt") ? attempts : [],
    type: info?.type ?? null,
    stage: info?.stage ?? null,
    status,
  };
}
