// SQL syntax highlighting with highlight.js core and only its SQL grammar (a few kB).
import hljs from "highlight.js/lib/core";
import sql from "highlight.js/lib/languages/sql";

hljs.registerLanguage("sql", sql);

/** HTML with highlight spans; highlight.js escapes the text itself, so the markup is safe. */
export function highlightSql(code: string): string {
  return hljs.highlight(code, { language: "sql", ignoreIllegals: true }).value;
}
