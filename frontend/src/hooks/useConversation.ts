// The chat's state: ask a question over the stream, follow its progress, keep the history saved.
import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { ApiClient } from "../api/client";
import type { QueryResult } from "../api/types";
import { ApiError, isAbortError } from "../api/errors";
import type { TransportFailure } from "../lib/failure";
import { clearHistory, loadHistory, pendingTurn, saveHistory, type Turn } from "../lib/history";

export const CANCELLED_MESSAGE = "You stopped this question before it was answered.";

export interface Conversation {
  turns: Turn[];
  busy: boolean;
  ask: (question: string) => void;
  retry: (turnId: string) => void;
  cancel: () => void;
  clear: () => void;
}

interface RunContext {
  client: ApiClient;
  update: (id: string, change: (turn: Turn) => Turn) => void;
  onUnauthorized: (message: string, retry: () => void) => void;
  controller: RefObject<AbortController | null>;
}

function asFailure(reason: unknown): TransportFailure {
  if (reason instanceof ApiError) return { kind: reason.kind, message: reason.message, status: reason.status };
  return { kind: "stream", message: reason instanceof Error ? reason.message : String(reason), status: null };
}

/** Streams one question's answer into its turn; on a 401, asks for the token and runs again. */
function runTurn(turn: Turn, context: RunContext): void {
  const { client, update, onUnauthorized, controller } = context;
  controller.current?.abort();
  const current = new AbortController();
  controller.current = current;
  const onProgress = (event: Turn["progress"][number]) => update(turn.id, (t) => ({ ...t, progress: [...t.progress, event] }));
  const onRows = (early: QueryResult) => update(turn.id, (t) => ({ ...t, early }));
  client
    .streamQuery(turn.question, onProgress, current.signal, onRows)
    .then(({ result, status }) =>
      update(turn.id, (t) => ({
        ...t, state: result.success ? "answered" : "failed", result, status, transport: null, early: null,
      })),
    )
    .catch((reason: unknown) => {
      const failure = isAbortError(reason)
        ? { kind: "stream" as const, message: CANCELLED_MESSAGE, status: null }
        : asFailure(reason);
      update(turn.id, (t) => ({ ...t, state: "failed", transport: failure, early: null }));
      if (failure.kind === "unauthorized") {
        onUnauthorized(failure.message, () => {
          update(turn.id, (t) => ({ ...t, state: "pending", progress: [], transport: null, result: null }));
          runTurn(turn, context);
        });
      }
    })
    .finally(() => {
      if (controller.current === current) controller.current = null;
    });
}

export function useConversation(
  client: ApiClient,
  onUnauthorized: (message: string, retry: () => void) => void,
): Conversation {
  const [turns, setTurns] = useState<Turn[]>(() => loadHistory());
  const controller = useRef<AbortController | null>(null);
  const savedSignature = useRef<string>("");

  const update = useCallback((id: string, change: (turn: Turn) => Turn) => {
    setTurns((current) => current.map((turn) => (turn.id === id ? change(turn) : turn)));
  }, []);

  const ask = useCallback(
    (question: string) => {
      const text = question.trim();
      if (!text) return;
      const turn = pendingTurn(text);
      setTurns((current) => [...current, turn]);
      runTurn(turn, { client, update, onUnauthorized, controller });
    },
    [client, onUnauthorized, update],
  );

  const retry = useCallback(
    (turnId: string) => {
      const turn = turns.find((t) => t.id === turnId);
      if (turn) ask(turn.question);
    },
    [ask, turns],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);

  const clear = useCallback(() => {
    controller.current?.abort();
    controller.current = null;
    setTurns([]);
    clearHistory();
  }, []);

  useEffect(() => () => controller.current?.abort(), []);

  useEffect(() => {
    // Progress events change nothing worth saving; write only when a turn appears or settles.
    const signature = turns.map((turn) => `${turn.id}:${turn.state}`).join(",");
    if (signature === savedSignature.current) return;
    savedSignature.current = signature;
    if (turns.length === 0) clearHistory();
    else saveHistory(turns);
  }, [turns]);

  return { turns, busy: turns.some((turn) => turn.state === "pending"), ask, retry, cancel, clear };
}
