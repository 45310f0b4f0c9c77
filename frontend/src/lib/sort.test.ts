// @vitest-environment node
import { describe, expect, it } from "vitest";
import { nextSort, sortRows } from "./sort";

const rows = [
  ["b", 10, "2025-02-01"],
  ["a", null, "2025-01-15"],
  ["c", 2, null],
  ["item 10", 2, "2024-12-31"],
  ["item 9", 30, "2025-03-01"],
];

describe("sortRows", () => {
  it("sorts numbers by value, not as text, with empty cells last", () => {
    const sorted = sortRows(rows, { column: 1, direction: "ascending" });
    expect(sorted.map((row) => row[1])).toEqual([2, 2, 10, 30, null]);
  });

  it("keeps empty cells last when descending too", () => {
    const sorted = sortRows(rows, { column: 1, direction: "descending" });
    expect(sorted.map((row) => row[1])).toEqual([30, 10, 2, 2, null]);
  });

  it("keeps the original order of ties (stable)", () => {
    const sorted = sortRows(rows, { column: 1, direction: "ascending" });
    expect(sorted.slice(0, 2).map((row) => row[0])).toEqual(["c", "item 10"]);
  });

  it("sorts ISO dates chronologically", () => {
    const sorted = sortRows(rows, { column: 2, direction: "ascending" });
    expect(sorted.map((row) => row[2])).toEqual(["2024-12-31", "2025-01-15", "2025-02-01", "2025-03-01", null]);
  });

  it("sorts text naturally (item 9 before item 10)", () => {
    const sorted = sortRows(rows, { column: 0, direction: "ascending" });
    expect(sorted.map((row) => row[0])).toEqual(["a", "b", "c", "item 9", "item 10"]);
  });

  it("leaves rows untouched without a sort", () => {
    expect(sortRows(rows, null)).toBe(rows);
  });
});

describe("nextSort", () => {
  it("sorts a new column ascending and flips the same column", () => {
    const first = nextSort(null, 2);
    expect(first).toEqual({ column: 2, direction: "ascending" });
    expect(nextSort(first, 2)).toEqual({ column: 2, direction: "descending" });
    expect(nextSort({ column: 2, direction: "descending" }, 0)).toEqual({ column: 0, direction: "ascending" });
  });
});
