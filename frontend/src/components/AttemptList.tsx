// Each attempt at a question that failed: the SQL tried and why it failed.
import type { Attempt } from "../api/types";
import { SqlBlock } from "./SqlBlock";

interface AttemptListProps {
  attempts: Attempt[];
}

export function AttemptList({ attempts }: AttemptListProps) {
  if (attempts.length === 0) return null;
  return (
    <ol className="attempts" aria-label="Attempts">
      {attempts.map((attempt, index) => (
        <li key={index} className="attempt" data-testid="attempt">
          <p className="attempt-title">
            Attempt {index + 1} of {attempts.length}
            {attempt.error ? ": " : ""}
            {attempt.error && <span className="attempt-error">{attempt.error}</span>}
          </p>
          {attempt.sql && <SqlBlock sql={attempt.sql} title={`SQL of attempt ${index + 1}`} initiallyOpen={false} />}
        </li>
      ))}
    </ol>
  );
}
