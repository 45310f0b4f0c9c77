// The small print under an answer: rows, the database that answered, time, attempts, servers used, request id.
import type { QueryResult } from "../api/types";
import { formatDuration, plural } from "../lib/format";

interface AnswerMetaProps {
  result: QueryResult;
}

export function AnswerMeta({ result }: AnswerMetaProps) {
  const { metadata } = result;
  const rows = result.result.rows.length;
  const total = formatDuration(metadata.timings_ms?.total);
  const attempts = metadata.attempts_count ?? metadata.attempts?.length ?? 0;
  const servers = (metadata.servers ?? []).map((s) => `${s.name} (priority ${s.priority})`).join(", ");
  const parts = [
    plural(rows, "row"),
    answeredFrom(result),
    metadata.truncated ? "more rows exist: only the first ones were returned" : null,
    total ? `answered in ${total}` : null,
    attempts > 1 ? `${attempts} attempts${metadata.recovered ? ", recovered" : ""}` : null,
    servers ? `servers: ${servers}` : null,
    metadata.request_id ? `request ${metadata.request_id}` : null,
  ].filter(Boolean);
  return (
    <p className="answer-meta muted small" data-testid="answer-meta">
      {parts.join(" · ")}
    </p>
  );
}

/** Which database answered: one, or each part of a question that spans several. */
function answeredFrom({ metadata }: QueryResult): string | null {
  if (metadata.parts?.length) {
    const where = metadata.parts.map((p) => `${p.name} from ${p.server_name ?? p.server}`).join(" + ");
    return `combined: ${where}`;
  }
  return metadata.server_name ? `from ${metadata.server_name}` : null;
}
