import { describe, expect, it } from "vitest";
import { successResult } from "../test/fixtures";
import { clearHistory, HISTORY_KEY, INTERRUPTED_MESSAGE, loadHistory, MAX_STORED_ROWS, MAX_TURNS, pendingTurn, saveHistory, type Turn } from "./history";

function answered(question: string, rows = 3): Turn {
  const result = successResult();
  result.result.rows = Array.from({ length: rows }, (_, i) => [`c${i}`, i]);
  return { ...pendingTurn(question), state: "answered", result, status: 200 };
}

describe("conversation history", () => {
  it("survives a reload: what is saved is what is loaded", () => {
    const turns = [answered("one"), answered("two")];
    saveHistory(turns);
    expect(loadHistory().map((t) => [t.question, t.state, t.result?.result.rows.length])).toEqual([
      ["one", "answered", 3],
      ["two", "answered", 3],
    ]);
  });

  it("brings back a question still pending at reload as failed, saying it was interrupted", () => {
    saveHistory([pendingTurn("unfinished")]);
    const [turn] = loadHistory();
    expect(turn?.state).toBe("failed");
    expect(turn?.transport?.message).toBe(INTERRUPTED_MESSAGE);
  });

  it("does not keep progress events", () => {
    const turn = { ...answered("q"), progress: [{ stage: "done" as const, message: "done" }] };
    saveHistory([turn]);
    expect(loadHistory()[0]?.progress).toEqual([]);
  });

  it("keeps only the latest turns and trims long results, remembering how many rows there were", () => {
    const turns = Array.from({ length: MAX_TURNS + 5 }, (_, i) => answered(`q${i}`));
    turns[turns.length - 1] = answered("big", MAX_STORED_ROWS + 100);
    saveHistory(turns);
    const loaded = loadHistory();
    expect(loaded).toHaveLength(MAX_TURNS);
    expect(loaded[0]?.question).toBe("q5");
    expect(loaded.at(-1)?.result?.result.rows).toHaveLength(MAX_STORED_ROWS);
    expect(loaded.at(-1)?.storedRowsFrom).toBe(MAX_STORED_ROWS + 100);
  });

  it("saves less rather than nothing when the storage quota is full", () => {
    const store = new Map<string, string>();
    const limited = {
      getItem: (key: string) => store.get(key) ?? null,
      setItem: (key: string, value: string) => {
        if (value.length > 20_000) throw new DOMException("full", "QuotaExceededError");
        store.set(key, value);
      },
      removeItem: (key: string) => store.delete(key),
    } as unknown as Storage;
    const turns = Array.from({ length: 10 }, (_, i) => answered(`q${i}`, 400));
    const saved = saveHistory(turns, limited);
    expect(saved).toBeGreaterThan(0);
    expect(loadHistory(limited).at(-1)?.question).toBe("q9");
  });

  it("reads a corrupt or foreign value as an empty history", () => {
    localStorage.setItem(HISTORY_KEY, "{not json");
    expect(loadHistory()).toEqual([]);
    localStorage.setItem(HISTORY_KEY, JSON.stringify([{ nope: 1 }, "x"]));
    expect(loadHistory()).toEqual([]);
  });

  it("clears everything", () => {
    saveHistory([answered("q")]);
    clearHistory();
    expect(localStorage.getItem(HISTORY_KEY)).toBeNull();
    expect(loadHistory()).toEqual([]);
  });
});
