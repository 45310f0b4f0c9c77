// A one-line summary for screen readers when an answer arrives or fails.
import { useMemo } from "react";
import { describeFailure } from "../lib/failure";
import { plural } from "../lib/format";
import type { Turn } from "../lib/history";

export function useAnnouncement(turns: Turn[]): string {
  const last = turns.at(-1);
  return useMemo(() => {
    if (!last || last.state === "pending") return last ? "Answering…" : "";
    if (last.state === "answered" && last.result) {
      return `Answer ready: ${plural(last.result.result.rows.length, "row")}.`;
    }
    return `Could not answer: ${describeFailure({ result: last.result, status: last.status, transport: last.transport }).title}.`;
  }, [last]);
}
