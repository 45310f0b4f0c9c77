// Turns cells into readable text: grouped numbers, localized dates, an em dash for empty.
import type { Cell } from "../api/types";
import { isIdentifierLike, type ColumnKind } from "./columns";

export interface ColumnFormat {
  kind: ColumnKind;
  name: string;
  /** True when some value has a fractional part: then every value shows two decimals. */
  fractional: boolean;
}

export function columnFormat(name: string, kind: ColumnKind, rows: Cell[][], index: number): ColumnFormat {
  const fractional =
    kind === "number" && rows.some((row) => typeof row[index] === "number" && !Number.isInteger(row[index]));
  return { kind, name, fractional };
}

export const EMPTY_CELL = "—";

export function formatNumber(value: number, format: Pick<ColumnFormat, "name" | "fractional">, locale?: string): string {
  if (isIdentifierLike(format.name) && Number.isInteger(value)) return String(value);
  const digits = format.fractional ? 2 : 0;
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: Math.max(digits, Number.isInteger(value) ? 0 : 2),
  }).format(value);
}

export function formatDate(value: string, locale?: string): string {
  // Dates without a time are calendar dates: format them in UTC so no time zone shifts the day.
  if (/^\d{4}-\d{2}$/.test(value)) {
    return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" }).format(
      new Date(`${value}-01T00:00:00Z`),
    );
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(
      new Date(`${value}T00:00:00Z`),
    );
  }
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
  const date = new Date(hasZone ? value : value.replace(" ", "T"));
  if (Number.isNaN(date.getTime())) return value;
  // A time without a zone is the database's wall-clock time: shown as is, in local terms.
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatCell(value: Cell | undefined, format: ColumnFormat, locale?: string): string {
  if (value === null || value === undefined) return EMPTY_CELL;
  if (typeof value === "number") return formatNumber(value, format, locale);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (format.kind === "date") return formatDate(value, locale);
  return value;
}

/** "1 row", "12 rows". */
export function plural(count: number, one: string, many = `${one}s`, locale?: string): string {
  return `${new Intl.NumberFormat(locale).format(count)} ${count === 1 ? one : many}`;
}

export function formatDuration(ms: number | undefined | null): string | null {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return null;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
