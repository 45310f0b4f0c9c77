// @vitest-environment node
import { describe, expect, it } from "vitest";
import { csvFileName, toCsv } from "./csv";

describe("toCsv", () => {
  it("writes a header line, then one CRLF-terminated line per row", () => {
    expect(toCsv(["name", "total"], [["Magic Wand Pro", 12.5], ["Crystal Ball", 3]])).toBe(
      "name,total\r\nMagic Wand Pro,12.5\r\nCrystal Ball,3\r\n",
    );
  });

  it("quotes fields with commas, quotes or line breaks, doubling inner quotes", () => {
    expect(toCsv(["a"], [['Say "hi", then\nleave']])).toBe('a\r\n"Say ""hi"", then\nleave"\r\n');
  });

  it("writes empty cells as nothing and booleans as true/false", () => {
    expect(toCsv(["a", "b", "c"], [[null, true, false]])).toBe("a,b,c\r\n,true,false\r\n");
  });

  it("keeps text that would run as a spreadsheet formula as text", () => {
    expect(toCsv(["a"], [["=HYPERLINK(\"x\")"], ["@SUM(A1)"], ["-12.5"]])).toBe(
      "a\r\n\"'=HYPERLINK(\"\"x\"\")\"\r\n'@SUM(A1)\r\n-12.5\r\n",
    );
  });

  it("writes raw values, not the formatted ones shown on screen", () => {
    expect(toCsv(["amount", "day"], [[1234567.891, "2025-03-01"]])).toBe("amount,day\r\n1234567.891,2025-03-01\r\n");
  });
});

describe("csvFileName", () => {
  it("turns the question into a short file name", () => {
    expect(csvFileName("Who are the top 5 customers by revenue?")).toBe("who-are-the-top-5-customers-by-revenue.csv");
  });

  it("has a fallback for questions with no letters or digits", () => {
    expect(csvFileName("???")).toBe("talk2tables-result.csv");
  });
});
