// @vitest-environment node
import { describe, expect, it } from "vitest";
import { columnKind, isDateString } from "./columns";
import { formatCell, formatDate, formatDuration, formatNumber } from "./format";

const money = { kind: "number" as const, name: "total_sales", fractional: true };
const count = { kind: "number" as const, name: "orders", fractional: false };

describe("formatting", () => {
  it("groups digits and shows two decimals in a column with fractions", () => {
    expect(formatCell(1234567.5, money, "en-US")).toBe("1,234,567.50");
    expect(formatCell(3, money, "en-US")).toBe("3.00");
  });

  it("shows whole numbers without decimals", () => {
    expect(formatCell(15000, count, "en-US")).toBe("15,000");
  });

  it("never groups identifiers or years", () => {
    expect(formatNumber(2025, { name: "year", fractional: false }, "en-US")).toBe("2025");
    expect(formatNumber(10423, { name: "customer_id", fractional: false }, "en-US")).toBe("10423");
  });

  it("formats calendar dates without shifting the day, and months as month year", () => {
    expect(formatDate("2025-01-01", "en-US")).toBe("Jan 1, 2025");
    expect(formatDate("2025-03", "en-US")).toBe("Mar 2025");
  });

  it("shows empty cells as a dash and booleans as Yes/No", () => {
    expect(formatCell(null, count)).toBe("—");
    expect(formatCell(true, { kind: "boolean", name: "active", fractional: false })).toBe("Yes");
  });

  it("formats durations in ms below a second and seconds above", () => {
    expect(formatDuration(330.4)).toBe("330 ms");
    expect(formatDuration(2500)).toBe("2.5 s");
    expect(formatDuration(null)).toBeNull();
  });
});

describe("column kinds", () => {
  it("recognises ISO dates and datetimes but not other text", () => {
    expect(isDateString("2025-03-01")).toBe(true);
    expect(isDateString("2025-03-01T10:20:30Z")).toBe(true);
    expect(isDateString("2025-13-01")).toBe(false);
    expect(isDateString("Magic Wand Pro")).toBe(false);
  });

  it("calls a column of mixed values text", () => {
    expect(columnKind([[1], ["a"]], 0)).toBe("text");
    expect(columnKind([[null], [2]], 0)).toBe("number");
  });
});
