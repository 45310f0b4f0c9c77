// The top bar: the product's name and the page-wide actions.
import type { Theme } from "../hooks/useTheme";
import { ThemeToggle } from "./ThemeToggle";

interface HeaderProps {
  theme: Theme;
  onToggleTheme: () => void;
  canClear: boolean;
  onClear: () => void;
  hasToken: boolean;
  onForgetToken: () => void;
  serversOpen: boolean;
  onToggleServers: () => void;
  serversDown: number;
}

export function Header(props: HeaderProps) {
  return (
    <header className="app-header">
      <div className="brand">
        <h1>Talk 2 Tables</h1>
        <p className="tagline hide-narrow">Ask your data in plain words; see the SQL, the rows and why.</p>
      </div>
      <div className="header-actions">
        <button
          type="button"
          className="button button-ghost servers-toggle"
          aria-expanded={props.serversOpen}
          aria-controls="server-panel"
          onClick={props.onToggleServers}
        >
          Servers
          {props.serversDown > 0 && (
            <span className="badge badge-bad" aria-label={`${props.serversDown} not reachable`}>
              {props.serversDown}
            </span>
          )}
        </button>
        {props.hasToken && (
          <button type="button" className="button button-ghost" onClick={props.onForgetToken}>
            Forget token
          </button>
        )}
        <button type="button" className="button button-ghost" onClick={props.onClear} disabled={!props.canClear}>
          Clear conversation
        </button>
        <ThemeToggle theme={props.theme} onToggle={props.onToggleTheme} />
      </div>
    </header>
  );
}
