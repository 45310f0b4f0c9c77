// Decides whether a result suits a chart, and which: bars over categories, a line over time.
import type { Cell, ResultTable } from "../api/types";
import { columnKinds, isIdentifierLike, isTimeBucketName, type ColumnKind } from "./columns";

export type ChartType = "bar" | "line";

export interface ChartSeries {
  index: number;
  name: string;
  /** A data key safe for the charting library (column names may contain dots). */
  key: string;
}

export interface ChartSpec {
  type: ChartType;
  x: { index: number; name: string; kind: ColumnKind };
  series: ChartSeries[];
}

/** Beyond these, a chart stops being readable; the table still shows everything. */
export const MAX_BAR_CATEGORIES = 50;
export const MAX_LINE_POINTS = 2000;
export const MAX_SERIES = 5;

function measures(columns: string[], kinds: ColumnKind[], exclude: number): ChartSeries[] {
  return columns
    .map((name, index) => ({ name, index, key: `c${index}` }))
    .filter(({ name, index }) => index !== exclude && kinds[index] === "number" && !isIdentifierLike(name))
    .slice(0, MAX_SERIES);
}

function pickX(columns: string[], kinds: ColumnKind[]): ChartSpec["x"] & { type: ChartType } | null {
  const dateIndex = kinds.indexOf("date");
  if (dateIndex >= 0) return { index: dateIndex, name: columns[dateIndex] ?? "", kind: "date", type: "line" };
  // A year or month returned as a number is still time ("monthly sales": month 1..12).
  const bucketIndex = columns.findIndex((name, index) => kinds[index] === "number" && isTimeBucketName(name));
  if (bucketIndex >= 0) return { index: bucketIndex, name: columns[bucketIndex] ?? "", kind: "number", type: "line" };
  const textIndex = kinds.indexOf("text");
  if (textIndex >= 0) return { index: textIndex, name: columns[textIndex] ?? "", kind: "text", type: "bar" };
  return null;
}

/** The chart this result suits, or null when a chart would not help. */
export function chartSpec(table: ResultTable): ChartSpec | null {
  const { columns, rows } = table;
  if (columns.length < 2 || rows.length < 2) return null;
  const kinds = columnKinds(columns, rows);
  const x = pickX(columns, kinds);
  if (!x) return null;
  const series = measures(columns, kinds, x.index);
  if (series.length === 0) return null;
  if (x.type === "bar" && rows.length > MAX_BAR_CATEGORIES) return null;
  if (x.type === "line" && rows.length > MAX_LINE_POINTS) return null;
  return { type: x.type, x: { index: x.index, name: x.name, kind: x.kind }, series };
}

export type ChartDatum = Record<string, string | number | null>;

/** Rows as the charting library wants them; a line runs in time order. */
export function chartData(spec: ChartSpec, rows: Cell[][]): ChartDatum[] {
  const data = rows.map((row) => {
    const datum: ChartDatum = { x: toChartValue(row[spec.x.index]) };
    for (const series of spec.series) {
      const value = row[series.index];
      datum[series.key] = typeof value === "number" ? value : null;
    }
    return datum;
  });
  if (spec.type === "line") {
    data.sort((a, b) => compareX(a.x ?? null, b.x ?? null));
  }
  return data;
}

function toChartValue(value: Cell | undefined): string | number | null {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value : String(value);
}

function compareX(a: string | number | null, b: string | number | null): number {
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b));
}
