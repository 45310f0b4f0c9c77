// The conversation: its turns, and keeping them in this browser's localStorage across reloads.
import type { ProgressEvent, QueryResult } from "../api/types";
import type { TransportFailure } from "./failure";

export type TurnState = "pending" | "answered" | "failed";

export interface Turn {
  id: string;
  question: string;
  /** ISO time the question was asked. */
  askedAt: string;
  state: TurnState;
  /** Progress events of this answer so far (not kept across reloads). */
  progress: ProgressEvent[];
  result: QueryResult | null;
  /** The SQL and rows while the LLM is still explaining them (the stream's `rows` event). */
  early?: QueryResult | null;
  status: number | null;
  transport: TransportFailure | null;
  /** Set when rows were dropped to fit the browser's storage: the original row count. */
  storedRowsFrom?: number;
}

export const HISTORY_KEY = "t2t.history.v1";
export const MAX_TURNS = 50;
export const MAX_STORED_ROWS = 500;

export const INTERRUPTED_MESSAGE =
  "This question was interrupted: the page was closed or reloaded before the answer arrived. Ask it again.";

export function newTurnId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function pendingTurn(question: string, now: Date = new Date()): Turn {
  return {
    id: newTurnId(),
    question,
    askedAt: now.toISOString(),
    state: "pending",
    progress: [],
    result: null,
    status: null,
    transport: null,
  };
}

function forStorage(turn: Turn, maxRows: number): Turn {
  const rows = turn.result?.result.rows ?? [];
  const trimmed = turn.result && rows.length > maxRows;
  return {
    ...turn,
    progress: [],
    early: null, // rows still being explained are not an answer to keep
    ...(trimmed && turn.result
      ? {
          result: { ...turn.result, result: { ...turn.result.result, rows: rows.slice(0, maxRows) } },
          storedRowsFrom: turn.storedRowsFrom ?? rows.length,
        }
      : {}),
  };
}

function isTurn(value: unknown): value is Turn {
  if (!value || typeof value !== "object") return false;
  const turn = value as Partial<Turn>;
  return typeof turn.id === "string" && typeof turn.question === "string" && typeof turn.state === "string";
}

/** The saved conversation; a question still pending when the page closed comes back as failed. */
export function loadHistory(storage: Storage = localStorage): Turn[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(storage.getItem(HISTORY_KEY) ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isTurn).map((turn) =>
    turn.state === "pending"
      ? { ...turn, state: "failed", progress: [], transport: { kind: "stream", message: INTERRUPTED_MESSAGE, status: null } }
      : { ...turn, progress: [] },
  );
}

/**
 * Saves the latest turns. When the browser's quota is full, keeps fewer rows and then fewer
 * turns rather than losing the whole history. Returns the number of turns saved.
 */
export function saveHistory(turns: Turn[], storage: Storage = localStorage): number {
  let keep = turns.slice(-MAX_TURNS);
  let maxRows = MAX_STORED_ROWS;
  for (;;) {
    try {
      storage.setItem(HISTORY_KEY, JSON.stringify(keep.map((turn) => forStorage(turn, maxRows))));
      return keep.length;
    } catch {
      if (maxRows > 50) maxRows = Math.floor(maxRows / 4);
      else if (keep.length > 1) keep = keep.slice(Math.ceil(keep.length / 2));
      else return 0;
    }
  }
}

export function clearHistory(storage: Storage = localStorage): void {
  try {
    storage.removeItem(HISTORY_KEY);
  } catch {
    // Storage unavailable: nothing was saved either.
  }
}
