// Sorting of result rows by one column: numbers by value, text by locale, empty cells last.
import type { Cell } from "../api/types";

export type SortDirection = "ascending" | "descending";

export interface SortState {
  column: number;
  direction: SortDirection;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compareCells(a: Cell | undefined, b: Cell | undefined): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  // ISO dates compare correctly as text; so do mixed columns, as a last resort.
  return collator.compare(String(a), String(b));
}

/** A sorted copy; rows that tie keep their original order. Empty cells always go last. */
export function sortRows(rows: Cell[][], sort: SortState | null): Cell[][] {
  if (!sort) return rows;
  const sign = sort.direction === "ascending" ? 1 : -1;
  return rows
    .map((row, position) => ({ row, position }))
    .sort((left, right) => {
      const a = left.row[sort.column];
      const b = right.row[sort.column];
      const aEmpty = a === null || a === undefined;
      const bEmpty = b === null || b === undefined;
      if (aEmpty || bEmpty) {
        return aEmpty === bEmpty ? left.position - right.position : aEmpty ? 1 : -1;
      }
      return sign * compareCells(a, b) || left.position - right.position;
    })
    .map(({ row }) => row);
}

/** Clicking a header: a new column sorts ascending, the same column flips direction. */
export function nextSort(current: SortState | null, column: number): SortState {
  if (current && current.column === column) {
    return { column, direction: current.direction === "ascending" ? "descending" : "ascending" };
  }
  return { column, direction: "ascending" };
}
