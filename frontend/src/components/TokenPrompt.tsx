// Asks for the API token when the API answers 401; the token is then kept in this browser.
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";

interface TokenPromptProps {
  /** The API's own words about why (its 401 detail). */
  message: string;
  /** True when a token was already sent and refused. */
  rejected: boolean;
  onSubmit: (token: string) => void;
  onCancel: () => void;
}

export function TokenPrompt({ message, rejected, onSubmit, onCancel }: TokenPromptProps) {
  const [token, setToken] = useState("");
  const input = useRef<HTMLInputElement>(null);
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    input.current?.focus();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) onSubmit(token.trim());
  };

  // Escape closes; Tab stays inside the dialog while it is open.
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === "Escape") {
      event.preventDefault();
      onCancel();
      return;
    }
    if (event.key !== "Tab" || !dialog.current) return;
    const focusable = Array.from(
      dialog.current.querySelectorAll<HTMLElement>("input, button:not([disabled])"),
    );
    const first = focusable[0];
    const last = focusable.at(-1);
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  };

  return (
    <div className="backdrop">
      <div
        ref={dialog}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="token-title"
        aria-describedby="token-description"
        onKeyDown={onKeyDown}
        data-testid="token-prompt"
      >
        <h2 id="token-title">API token needed</h2>
        <div id="token-description">
          <p>{rejected ? "The API did not accept that token." : "This Talk 2 Tables API asks for a token."}</p>
          {message && <p className="muted small">The API said: {message}</p>}
          <p className="muted small">
            Use the value of <code>T2T_API_TOKEN</code> that the API was started with. It is kept in this browser only.
          </p>
        </div>
        <form onSubmit={submit}>
          <label htmlFor="api-token">API token</label>
          <input
            id="api-token"
            ref={input}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(event) => setToken(event.target.value)}
          />
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onCancel}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={!token.trim()}>
              Save token
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
