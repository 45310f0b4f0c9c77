// Live progress of a question being answered: which stage, which attempt, how long so far (ticking).
import type { ProgressEvent, ProgressStage } from "../api/types";
import { useElapsed } from "../hooks/useElapsed";
import { formatDuration } from "../lib/format";

const STEPS: { stage: ProgressStage; label: string }[] = [
  { stage: "gathering", label: "Reading the servers" },
  { stage: "generating", label: "Writing SQL" },
  { stage: "validating", label: "Checking SQL" },
  { stage: "executing", label: "Running the query" },
  { stage: "explaining", label: "Explaining" },
];

interface ProgressViewProps {
  events: ProgressEvent[];
  /** When the question was asked (ISO time): the elapsed time counts from here, every fraction of a second. */
  askedAt: string;
  onCancel?: () => void;
}

export function ProgressView({ events, askedAt, onCancel }: ProgressViewProps) {
  const latest = events.at(-1);
  // A retry goes back to writing SQL; the step list shows where the current attempt is.
  const stage = latest?.stage === "retrying" ? "generating" : latest?.stage;
  const currentIndex = STEPS.findIndex((step) => step.stage === stage);
  const attempt = latest?.attempt && latest.max_attempts && latest.attempt > 1 ? `Attempt ${latest.attempt} of ${latest.max_attempts}` : null;
  const elapsed = formatDuration(useElapsed(askedAt));
  return (
    <div className="progress" data-testid="progress" data-stage={latest?.stage ?? "waiting"}>
      <div role="status" aria-live="polite" className="progress-message">
        <span className="spinner" aria-hidden="true" />
        <span>{latest?.message ?? "Sending the question…"}</span>
        {attempt && <span className="badge badge-warn">{attempt}</span>}
        {/* A timer ticks without asking screen readers to announce every tick. */}
        <span role="timer" aria-live="off" aria-label="Elapsed time" className="muted small" data-testid="progress-elapsed">
          {elapsed}
        </span>
      </div>
      <ol className="steps" aria-label="Progress">
        {STEPS.map((step, index) => {
          const state = currentIndex < 0 ? "todo" : index < currentIndex ? "done" : index === currentIndex ? "current" : "todo";
          return (
            <li key={step.stage} className={`step step-${state}`} aria-current={state === "current" ? "step" : undefined}>
              {step.label}
            </li>
          );
        })}
      </ol>
      {onCancel && (
        <button type="button" className="button button-small button-ghost" onClick={onCancel}>
          Stop
        </button>
      )}
    </div>
  );
}
