// Types of the Talk 2 Tables HTTP API (docs/api.md); hand-written to match the backend contract.

/** A cell as the API sends it: JSON scalars (dates arrive as ISO strings). */
export type Cell = string | number | boolean | null;

export interface ResultTable {
  columns: string[];
  rows: Cell[][];
}

export type EntityKind = "product" | "column" | "aggregation" | "time" | "other";

/** One term of the question and what it was understood to mean. */
export interface ResolvedEntity {
  term: string;
  resolved_to: string;
  kind: EntityKind;
  source_server?: string | null;
}

/** The documented shape; older servers may send a plain {term: value} mapping instead. */
export type ResolvedEntities =
  | { entities: ResolvedEntity[]; confidence?: number | null }
  | Record<string, unknown>;

export interface Attempt {
  sql: string | null;
  error: string | null;
}

export interface ServerUsed {
  name: string;
  priority: number;
}

export interface StageTimings {
  gather?: number;
  generate?: number;
  validate?: number;
  execute?: number;
  total?: number;
}

/** The machine-readable side of a failure; `message` says what failed and what to do. */
export interface ErrorInfo {
  type: string;
  stage: string;
  status_code?: number;
  message: string;
  server?: string;
  [context: string]: unknown;
}

/** One database's share of an answer that spans several (metadata.parts). */
export interface QueryPartInfo {
  name: string;
  server: string;
  server_name?: string;
  sql: string;
  row_count: number;
}

export interface QueryMetadata {
  request_id?: string;
  /** The registry key of the database that answered, or "combine" when parts were combined. */
  server?: string;
  server_name?: string;
  parts?: QueryPartInfo[];
  attempts?: Attempt[];
  attempts_count?: number;
  recovered?: boolean;
  servers?: ServerUsed[];
  timings_ms?: StageTimings;
  error?: ErrorInfo;
  row_count?: number;
  truncated?: boolean;
  [key: string]: unknown;
}

/** The plan's QueryResult: exactly these keys, on success and on failure. */
export interface QueryResult {
  success: boolean;
  query: string;
  sql: string | null;
  result: ResultTable;
  error: string | null;
  explanation: string | null;
  resolved_entities: ResolvedEntities;
  metadata: QueryMetadata;
}

export interface QueryRequest {
  query: string;
}

export type ProgressStage =
  | "gathering"
  | "generating"
  | "validating"
  | "executing"
  | "retrying"
  | "explaining"
  | "done"
  | "failed";

/** One `event: progress` of /api/query/stream. */
export interface ProgressEvent {
  stage: ProgressStage;
  message: string;
  attempt?: number | null;
  max_attempts?: number | null;
  elapsed_ms?: number;
}

export interface ServerStatus {
  name: string;
  key: string;
  url: string;
  priority: number;
  domains: string[];
  capabilities: string[];
  reachable: boolean;
  resources: string[];
  tools: string[];
  latency_ms: number | null;
  error: string | null;
}

export interface LLMStatus {
  configured: boolean;
  model: string | null;
}

/** GET /api/servers */
export interface ServersResponse {
  servers: ServerStatus[];
  llm: LLMStatus;
}

/** FastAPI's error body for 401 and other non-QueryResult errors. */
export interface DetailBody {
  detail: unknown;
}
