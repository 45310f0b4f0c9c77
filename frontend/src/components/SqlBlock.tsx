// The SQL behind an answer: highlighted, copyable, and folded away for those who don't read SQL.
import { useId, useMemo, useState } from "react";
import { highlightSql } from "../lib/highlight";
import { CopyButton } from "./CopyButton";

interface SqlBlockProps {
  sql: string;
  title?: string;
  initiallyOpen?: boolean;
}

export function SqlBlock({ sql, title = "SQL", initiallyOpen = true }: SqlBlockProps) {
  const [open, setOpen] = useState(initiallyOpen);
  const id = useId();
  const html = useMemo(() => highlightSql(sql), [sql]);
  return (
    <section className="sql-block" aria-label={title} data-testid="sql-block">
      <div className="sql-header">
        <button
          type="button"
          className="disclosure"
          aria-expanded={open}
          aria-controls={`${id}-code`}
          onClick={() => setOpen((value) => !value)}
        >
          <span aria-hidden="true" className="disclosure-mark">
            {open ? "▾" : "▸"}
          </span>
          {open ? `Hide ${title}` : `Show ${title}`}
        </button>
        <CopyButton text={sql} label="Copy" ariaLabel={`Copy ${title}`} />
      </div>
      <pre id={`${id}-code`} hidden={!open} className="sql-code">
        <code className="hljs language-sql" data-testid="sql-code" dangerouslySetInnerHTML={{ __html: html }} />
      </pre>
    </section>
  );
}
