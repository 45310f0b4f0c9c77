// @vitest-environment node
import { describe, expect, it } from "vitest";
import { chartData, chartSpec, MAX_BAR_CATEGORIES } from "./chart";

describe("chartSpec", () => {
  it("suits a bar chart for a category column with a number column", () => {
    const spec = chartSpec({ columns: ["category", "total_sales"], rows: [["Magic", 10], ["Books", 4]] });
    expect(spec?.type).toBe("bar");
    expect(spec?.x.name).toBe("category");
    expect(spec?.series.map((s) => s.name)).toEqual(["total_sales"]);
  });

  it("suits a line chart for a date column, with every numeric column as a series", () => {
    const spec = chartSpec({
      columns: ["month", "revenue", "orders"],
      rows: [["2025-01", 100, 3], ["2025-02", 140, 5]],
    });
    expect(spec?.type).toBe("line");
    expect(spec?.x).toMatchObject({ name: "month", kind: "date" });
    expect(spec?.series.map((s) => s.name)).toEqual(["revenue", "orders"]);
  });

  it("treats a month returned as a number as time", () => {
    const spec = chartSpec({ columns: ["month", "total"], rows: [[1, 10], [2, 12], [3, 9]] });
    expect(spec?.type).toBe("line");
    expect(spec?.x.name).toBe("month");
  });

  it("does not chart identifiers as measures", () => {
    const spec = chartSpec({ columns: ["customer_id", "name", "revenue"], rows: [[1, "Ann", 50], [2, "Bo", 40]] });
    expect(spec?.series.map((s) => s.name)).toEqual(["revenue"]);
    expect(chartSpec({ columns: ["customer_id", "name"], rows: [[1, "Ann"], [2, "Bo"]] })).toBeNull();
  });

  it("declines a single value, a single row, or text only", () => {
    expect(chartSpec({ columns: ["total_sales"], rows: [[1234.5]] })).toBeNull();
    expect(chartSpec({ columns: ["product", "total"], rows: [["Magic Wand Pro", 99]] })).toBeNull();
    expect(chartSpec({ columns: ["first", "last"], rows: [["Ann", "Lee"], ["Bo", "Chen"]] })).toBeNull();
  });

  it("declines a bar chart with more categories than can be read", () => {
    const rows = Array.from({ length: MAX_BAR_CATEGORIES + 1 }, (_, i) => [`c${i}`, i]);
    expect(chartSpec({ columns: ["name", "value"], rows })).toBeNull();
  });

  it("ignores empty cells when deciding a column's kind", () => {
    const spec = chartSpec({ columns: ["country", "avg"], rows: [["FR", null], ["DE", 12.5], [null, 3]] });
    expect(spec?.type).toBe("bar");
  });
});

describe("chartData", () => {
  it("puts a line's points in time order and keys series safely", () => {
    const table = { columns: ["day", "sales.total"], rows: [["2025-03-02", 5], ["2025-03-01", 7]] };
    const spec = chartSpec(table)!;
    expect(chartData(spec, table.rows)).toEqual([
      { x: "2025-03-01", c1: 7 },
      { x: "2025-03-02", c1: 5 },
    ]);
  });

  it("keeps a bar chart in the result's own order", () => {
    const table = { columns: ["category", "n"], rows: [["B", 1], ["A", 2]] };
    expect(chartData(chartSpec(table)!, table.rows).map((d) => d.x)).toEqual(["B", "A"]);
  });
});
