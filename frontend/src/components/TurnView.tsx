// One exchange of the conversation: the question, then its progress, answer or failure.
import type { Turn } from "../lib/history";
import { AnswerView } from "./AnswerView";
import { FailurePanel } from "./FailurePanel";
import { ProgressView } from "./ProgressView";

interface TurnViewProps {
  turn: Turn;
  onCancel: () => void;
  onRetry: (turnId: string) => void;
  canRetry: boolean;
}

export function TurnView({ turn, onCancel, onRetry, canRetry }: TurnViewProps) {
  const asked = new Date(turn.askedAt);
  return (
    <article className="turn" aria-label={`Question: ${turn.question}`} data-testid="turn" data-state={turn.state}>
      <div className="question">
        <p className="question-text">{turn.question}</p>
        {!Number.isNaN(asked.getTime()) && (
          <time className="muted small" dateTime={turn.askedAt}>
            {asked.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" })}
          </time>
        )}
      </div>
      <div className="reply">
        {turn.state === "pending" && turn.early && (
          <AnswerView result={turn.early} question={turn.question} explaining />
        )}
        {turn.state === "pending" && <ProgressView events={turn.progress} askedAt={turn.askedAt} onCancel={onCancel} />}
        {turn.state === "answered" && turn.result && (
          <AnswerView result={turn.result} question={turn.question} storedRowsFrom={turn.storedRowsFrom} />
        )}
        {turn.state === "failed" && <FailurePanel turn={turn} onRetry={canRetry ? () => onRetry(turn.id) : undefined} />}
      </div>
    </article>
  );
}
