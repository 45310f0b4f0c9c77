// The rows of an answer as a table, a chart, or both side by side, with a switch between them.
import { lazy, Suspense, useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import type { ResultTable as Table } from "../api/types";
import { chartSpec } from "../lib/chart";
import { isSingleValue } from "../lib/columns";
import { CsvActions } from "./CsvActions";
import { ResultTable } from "./ResultTable";
import { SingleValue } from "./SingleValue";

// recharts is the largest dependency by far; only answers that suit a chart load it.
const ResultChart = lazy(() => import("./ResultChart"));

export type ResultMode = "both" | "table" | "chart";

const MODES: { mode: ResultMode; label: string }[] = [
  { mode: "both", label: "Both" },
  { mode: "table", label: "Table" },
  { mode: "chart", label: "Chart" },
];

interface ResultViewProps {
  table: Table;
  question: string;
}

export function ResultView({ table, question }: ResultViewProps) {
  const spec = useMemo(() => chartSpec(table), [table]);
  const [mode, setMode] = useState<ResultMode>("both");
  const id = useId();
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const effective: ResultMode = spec ? mode : "table";

  // Arrow keys move between the tabs, as the ARIA tabs pattern expects.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = MODES.findIndex((m) => m.mode === mode);
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = (index + step + MODES.length) % MODES.length;
    const target = MODES[next];
    if (target) setMode(target.mode);
    tabs.current[next]?.focus();
  };

  const caption = `Result of “${question}”`;
  if (isSingleValue(table)) {
    return (
      <section className="result" aria-label="Result">
        <div className="result-toolbar">
          <SingleValue table={table} />
          <CsvActions table={table} question={question} />
        </div>
      </section>
    );
  }
  const content = (
    <div className={`result-body result-${effective}`}>
      {effective !== "chart" && <ResultTable table={table} caption={caption} />}
      {spec && effective !== "table" && (
        <Suspense fallback={<p className="muted">Drawing the chart…</p>}>
          <ResultChart table={table} spec={spec} />
        </Suspense>
      )}
    </div>
  );

  return (
    <section className="result" aria-label="Result">
      <div className="result-toolbar">
        {spec ? (
          <div role="tablist" aria-label="Show the result as" className="segmented" onKeyDown={onKeyDown}>
            {MODES.map(({ mode: value, label }, index) => (
              <button
                key={value}
                ref={(element) => {
                  tabs.current[index] = element;
                }}
                type="button"
                role="tab"
                id={`${id}-${value}`}
                aria-selected={mode === value}
                aria-controls={`${id}-panel`}
                tabIndex={mode === value ? 0 : -1}
                onClick={() => setMode(value)}
              >
                {label}
              </button>
            ))}
          </div>
        ) : (
          <span />
        )}
        <CsvActions table={table} question={question} />
      </div>
      {spec ? (
        <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-${mode}`}>
          {content}
        </div>
      ) : (
        content
      )}
    </section>
  );
}
