// What the question's words were understood to mean, as chips: "abracadabra → Magic Wand Pro · Product Metadata MCP".
import type { ResolvedEntities } from "../api/types";
import { normalizeEntities } from "../lib/entities";

interface EntityChipsProps {
  resolved: ResolvedEntities | null | undefined;
}

export function EntityChips({ resolved }: EntityChipsProps) {
  const { entities, confidence } = normalizeEntities(resolved);
  if (entities.length === 0) return null;
  return (
    <section className="entities" aria-label="Resolved entities" data-testid="entity-chips">
      <h3 className="section-title">Understood as</h3>
      <ul className="chips">
        {entities.map((entity) => {
          const source = entity.source_server ? ` · ${entity.source_server}` : "";
          const text = `${entity.term} → ${entity.resolved_to}${source}`;
          return (
            <li
              key={`${entity.term}-${entity.resolved_to}`}
              className={`chip chip-${entity.kind}`}
              data-kind={entity.kind}
              title={`${entity.kind}: ${text}`}
              aria-label={`${entity.term} means ${entity.resolved_to}${entity.source_server ? `, from ${entity.source_server}` : ""}`}
            >
              <span className="chip-term">{entity.term}</span>
              <span aria-hidden="true" className="chip-arrow">
                →
              </span>
              <span className="chip-value">{entity.resolved_to}</span>
              {entity.source_server && <span className="chip-source">· {entity.source_server}</span>}
            </li>
          );
        })}
      </ul>
      {confidence !== null && (
        <p className="muted small" data-testid="entity-confidence">
          Confidence {Math.round(confidence <= 1 ? confidence * 100 : confidence)}%
        </p>
      )}
    </section>
  );
}
