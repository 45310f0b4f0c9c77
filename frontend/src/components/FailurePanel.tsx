// A failed answer, explained: what failed, the server's message, what to do, each attempt.
import { useServerNames } from "../hooks/serverNames";
import type { Turn } from "../lib/history";
import { describeFailure } from "../lib/failure";
import { AttemptList } from "./AttemptList";
import { SqlBlock } from "./SqlBlock";

interface FailurePanelProps {
  turn: Turn;
  onRetry?: () => void;
}

/** Renders `code` spans for `backticked` command names inside advice text. */
function withCode(text: string) {
  return text.split(/(`[^`]+`)/g).map((part, index) =>
    part.startsWith("`") && part.endsWith("`") ? <code key={index}>{part.slice(1, -1)}</code> : part,
  );
}

export function FailurePanel({ turn, onRetry }: FailurePanelProps) {
  const names = useServerNames();
  const view = describeFailure({ result: turn.result, status: turn.status, transport: turn.transport }, names);
  const lastSql = turn.result?.sql;
  return (
    <div className="failure" role="alert" data-testid="failure" data-error-type={view.type ?? turn.transport?.kind ?? "unknown"}>
      <h3 className="failure-title">{view.title}</h3>
      {view.server && (
        <p className="failure-server">
          Server: <strong data-testid="failed-server">{view.server}</strong>
        </p>
      )}
      {view.detail && <p className="failure-detail">{view.detail}</p>}
      <h4 className="section-title">What to do</h4>
      <ul className="failure-steps">
        {view.steps.map((step) => (
          <li key={step}>{withCode(step)}</li>
        ))}
      </ul>
      <AttemptList attempts={view.attempts} />
      {view.attempts.length === 0 && lastSql && <SqlBlock sql={lastSql} title="SQL that failed" initiallyOpen={false} />}
      <p className="failure-meta muted small">
        {[
          view.status ? `HTTP ${view.status}` : null,
          view.type,
          view.stage ? `stage: ${view.stage}` : null,
          turn.result?.metadata.request_id ? `request ${turn.result.metadata.request_id}` : null,
        ]
          .filter(Boolean)
          .join(" · ")}
      </p>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Ask again
        </button>
      )}
    </div>
  );
}
