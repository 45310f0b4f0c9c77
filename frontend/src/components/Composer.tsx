// The question box: Enter sends, Shift+Enter starts a new line.
import { useState, type FormEvent, type KeyboardEvent, type Ref } from "react";

export const MAX_QUESTION_LENGTH = 2000;

interface ComposerProps {
  onAsk: (question: string) => void;
  busy: boolean;
  ref?: Ref<HTMLTextAreaElement>;
}

export function Composer({ onAsk, busy, ref }: ComposerProps) {
  const [text, setText] = useState("");
  const canSend = !busy && text.trim().length > 0;

  const send = () => {
    if (!canSend) return;
    onAsk(text.trim());
    setText("");
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // While an input method composes (Japanese, Chinese…), Enter confirms the word, not the question.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  const rows = Math.min(6, Math.max(1, text.split("\n").length));
  return (
    <form className="composer" onSubmit={onSubmit} aria-label="Ask a question" data-testid="composer">
      <label htmlFor="question" className="visually-hidden">
        Your question
      </label>
      <textarea
        id="question"
        ref={ref}
        value={text}
        rows={rows}
        maxLength={MAX_QUESTION_LENGTH}
        placeholder="Ask about your data, e.g. “What are the sales by category?”"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        aria-describedby="composer-hint"
        autoComplete="off"
      />
      <button type="submit" className="button button-primary" disabled={!canSend}>
        {busy ? "Answering…" : "Send"}
      </button>
      <p id="composer-hint" className="composer-hint muted small">
        Enter sends · Shift+Enter adds a line
      </p>
    </form>
  );
}
