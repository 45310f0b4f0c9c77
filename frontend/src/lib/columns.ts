// Works out what each result column holds (numbers, dates, text) from its values.
import type { Cell, ResultTable } from "../api/types";

export type ColumnKind = "number" | "date" | "boolean" | "text" | "empty";

// ISO dates as the Database MCP sends them: 2025-03-01, 2025-03, 2025-03-01T10:00:00(.123)(Z|+01:00).
const ISO_DATE =
  /^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$/;

export function isDateString(value: unknown): value is string {
  return typeof value === "string" && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value.length === 7 ? `${value}-01` : value));
}

export function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function kindOf(value: Cell): ColumnKind {
  if (value === null || value === undefined) return "empty";
  if (isNumber(value)) return "number";
  if (typeof value === "boolean") return "boolean";
  if (isDateString(value)) return "date";
  return "text";
}

/** The kind shared by every non-empty value of the column; "text" when they disagree. */
export function columnKind(rows: Cell[][], index: number): ColumnKind {
  let kind: ColumnKind = "empty";
  for (const row of rows) {
    const current = kindOf(row[index] ?? null);
    if (current === "empty") continue;
    if (kind === "empty") kind = current;
    else if (kind !== current) return "text";
  }
  return kind;
}

export function columnKinds(columns: string[], rows: Cell[][]): ColumnKind[] {
  return columns.map((_, index) => columnKind(rows, index));
}

/** Identifiers and years are numbers that must not be summed, charted or digit-grouped. */
export function isIdentifierLike(name: string): boolean {
  return /(^|_)(id|key|code|zip|postcode|postal_code|year|phone)$/i.test(name) || /Id$/.test(name);
}

/** Column names that are time buckets even when the database returns them as integers. */
export function isTimeBucketName(name: string): boolean {
  return /(^|_)(year|quarter|month|week|day|date|hour)(_|$)/i.test(name);
}

/** A result of exactly one row and one column: a single number or word. */
export function isSingleValue(table: ResultTable): boolean {
  return table.columns.length === 1 && table.rows.length === 1;
}
