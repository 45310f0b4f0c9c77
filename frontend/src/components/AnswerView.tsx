// A successful answer: explanation, resolved entities, the rows (table and chart), the SQL.
import type { QueryResult } from "../api/types";
import { plural } from "../lib/format";
import { AnswerMeta } from "./AnswerMeta";
import { EntityChips } from "./EntityChips";
import { ResultView } from "./ResultView";
import { SqlBlock } from "./SqlBlock";

interface AnswerViewProps {
  result: QueryResult;
  question: string;
  storedRowsFrom?: number;
  /** The rows have come, the LLM's explanation of them has not yet. */
  explaining?: boolean;
}

export function AnswerView({ result, question, storedRowsFrom, explaining = false }: AnswerViewProps) {
  const { columns, rows } = result.result;
  return (
    <div className="answer" data-testid={explaining ? "early-answer" : "answer"}>
      {explaining && (
        <p className="explanation muted" data-testid="explaining">
          Explaining the answer…
        </p>
      )}
      {result.explanation && <p className="explanation" data-testid="explanation">{result.explanation}</p>}
      <EntityChips resolved={result.resolved_entities} />
      {columns.length === 0 || rows.length === 0 ? (
        <p className="empty-result" data-testid="empty-result">
          The query ran and returned no rows.
        </p>
      ) : (
        <ResultView table={result.result} question={question} />
      )}
      {storedRowsFrom !== undefined && (
        <p className="muted small">
          Only the first {plural(rows.length, "row")} of {storedRowsFrom} were kept in this browser's history; ask again to see them all.
        </p>
      )}
      {result.sql && <SqlBlock sql={result.sql} />}
      {!explaining && <AnswerMeta result={result} />}
    </div>
  );
}
