// A one-line summary for screen readers when an answer arrives or fails.
import { useMemo } from "react";
import { describeFailure } from "../lib/failure";
import { plural } from "../lib/format";
import type { Turn } from "../lib/history";

export function useAnnouncement(turns: Turn[], names: Readonly<Record<string, string>>): string {
  const last = turns.at(-1);
  return useMemo(() => {
    if (!last || last.state === "pending") return last ? "Answering…" : "";
    if (last.state === "answered" && last.result) {
      return `Answer ready: ${plural(last.result.result.rows.length, "row")}.`;
    }
    const view = describeFailure({ result: last.result, status: last.status, transport: last.transport }, names);
    return `Could not answer: ${view.title}.`;
  }, [last, names]);
}
