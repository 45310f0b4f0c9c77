// A one-cell answer ("total sales: 57,838.29") shown as a headline number rather than a table.
import type { ResultTable } from "../api/types";
import { columnKinds } from "../lib/columns";
import { columnFormat, formatCell } from "../lib/format";

interface SingleValueProps {
  table: ResultTable;
}

export function SingleValue({ table }: SingleValueProps) {
  const name = table.columns[0] ?? "";
  const [kind] = columnKinds(table.columns, table.rows);
  const value = table.rows[0]?.[0] ?? null;
  const text = formatCell(value, columnFormat(name, kind ?? "text", table.rows, 0));
  return (
    <figure className="single-value" data-testid="single-value">
      <figcaption className="single-value-label">{name.replace(/_/g, " ")}</figcaption>
      <p className="single-value-number" title={value === null ? "empty" : String(value)}>
        {text}
      </p>
    </figure>
  );
}
