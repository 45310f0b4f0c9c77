// @vitest-environment node
import { describe, expect, it } from "vitest";
import { normalizeEntities } from "./entities";

describe("normalizeEntities", () => {
  it("reads the documented shape with confidence", () => {
    const list = normalizeEntities({
      entities: [{ term: "abracadabra", resolved_to: "Magic Wand Pro", kind: "product", source_server: "Product Metadata MCP" }],
      confidence: 0.8,
    });
    expect(list).toEqual({
      entities: [{ term: "abracadabra", resolved_to: "Magic Wand Pro", kind: "product", source_server: "Product Metadata MCP" }],
      confidence: 0.8,
    });
  });

  it("accepts a plain term → value mapping", () => {
    const list = normalizeEntities({ abracadabra: "Magic Wand Pro", "this year": { resolved_to: "2025", source_server: "LLM" } });
    expect(list.entities).toEqual([
      { term: "abracadabra", resolved_to: "Magic Wand Pro", kind: "other", source_server: null },
      { term: "this year", resolved_to: "2025", kind: "other", source_server: "LLM" },
    ]);
    expect(list.confidence).toBeNull();
  });

  it("drops malformed items and unknown kinds become 'other'", () => {
    const list = normalizeEntities({ entities: [{ resolved_to: "x" }, { term: "total", resolved_to: "SUM", kind: "weird" }] });
    expect(list.entities).toEqual([{ term: "total", resolved_to: "SUM", kind: "other", source_server: null }]);
  });

  it("gives nothing for an empty or missing value", () => {
    expect(normalizeEntities({}).entities).toEqual([]);
    expect(normalizeEntities(null).entities).toEqual([]);
  });
});
