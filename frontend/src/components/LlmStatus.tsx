// Whether a language model is configured, and which.
import type { LLMStatus } from "../api/types";

interface LlmStatusProps {
  llm: LLMStatus;
}

export function LlmStatus({ llm }: LlmStatusProps) {
  return (
    <div className={`llm-status ${llm.configured ? "is-up" : "is-down"}`} data-testid="llm-status" data-configured={llm.configured}>
      <span className={`status-dot ${llm.configured ? "up" : "down"}`} aria-hidden="true" />
      {llm.configured ? (
        <span>
          Language model: <code>{llm.model ?? "configured"}</code>
        </span>
      ) : (
        <span>
          No language model configured: set <code>T2T_LLM_MODEL</code> in <code>.env</code>, or run <code>talk2tables up</code> for the
          bundled local model.
        </span>
      )}
    </div>
  );
}
