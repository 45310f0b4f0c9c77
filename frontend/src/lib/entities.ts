// Reads resolved_entities in either shape: the documented {entities, confidence} or a plain mapping.
import type { EntityKind, ResolvedEntities, ResolvedEntity } from "../api/types";

export interface EntityList {
  entities: ResolvedEntity[];
  confidence: number | null;
}

const KINDS: readonly EntityKind[] = ["product", "column", "aggregation", "time", "other"];

function asKind(value: unknown): EntityKind {
  return KINDS.includes(value as EntityKind) ? (value as EntityKind) : "other";
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") {
    const named = value as Record<string, unknown>;
    for (const key of ["resolved_to", "canonical_name", "name", "value", "column"]) {
      if (typeof named[key] === "string") return named[key];
    }
  }
  return JSON.stringify(value) ?? "";
}

function fromItem(item: unknown): ResolvedEntity | null {
  if (!item || typeof item !== "object") return null;
  const raw = item as Record<string, unknown>;
  const term = typeof raw.term === "string" ? raw.term : null;
  if (!term) return null;
  return {
    term,
    resolved_to: describeValue(raw.resolved_to),
    kind: asKind(raw.kind),
    source_server: typeof raw.source_server === "string" ? raw.source_server : null,
  };
}

export function normalizeEntities(resolved: ResolvedEntities | null | undefined): EntityList {
  if (!resolved || typeof resolved !== "object") return { entities: [], confidence: null };
  const confidence =
    typeof resolved.confidence === "number" && Number.isFinite(resolved.confidence) ? resolved.confidence : null;
  if (Array.isArray(resolved.entities)) {
    const entities = (resolved.entities as unknown[]).map(fromItem).filter((e): e is ResolvedEntity => e !== null);
    return { entities, confidence };
  }
  const entities = Object.entries(resolved)
    .filter(([term]) => term !== "confidence")
    .map(([term, value]): ResolvedEntity => {
      const source =
        value && typeof value === "object" && typeof (value as { source_server?: unknown }).source_server === "string"
          ? (value as { source_server: string }).source_server
          : null;
      return { term, resolved_to: describeValue(value), kind: "other", source_server: source };
    });
  return { entities, confidence };
}
