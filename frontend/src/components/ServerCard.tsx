// One MCP server in the server panel: priority, domains, reachable or not, latency.
import type { ServerStatus } from "../api/types";
import { formatDuration } from "../lib/format";

interface ServerCardProps {
  server: ServerStatus;
}

export function ServerCard({ server }: ServerCardProps) {
  const latency = formatDuration(server.latency_ms);
  return (
    <li
      className={`server-card ${server.reachable ? "is-up" : "is-down"}`}
      aria-label={`${server.name}: ${server.reachable ? "reachable" : "not reachable"}`}
      data-testid={`server-${server.key}`}
      data-reachable={server.reachable}
    >
      <div className="server-head">
        <span className={`status-dot ${server.reachable ? "up" : "down"}`} aria-hidden="true" />
        <strong className="server-name">{server.name}</strong>
        <span className="badge" title="Lower numbers win when servers disagree">
          priority {server.priority}
        </span>
      </div>
      <p className="server-status small">
        {server.reachable ? "Reachable" : "Not reachable"}
        {server.reachable && latency ? ` · ${latency}` : ""}
      </p>
      {!server.reachable && (
        <p className="server-error small">
          {/* The API's message already says what to do; without one, say it here. */}
          {server.error ?? (
            <>
              It did not answer. Start it with <code>talk2tables up</code> or check its url in <code>mcp_config.yaml</code>.
            </>
          )}
        </p>
      )}
      {server.domains.length > 0 && (
        <ul className="domains" aria-label={`Domains of ${server.name}`}>
          {server.domains.map((domain) => (
            <li key={domain} className="domain">
              {domain}
            </li>
          ))}
        </ul>
      )}
      <details className="server-details small">
        <summary>Details</summary>
        <dl>
          <dt>URL</dt>
          <dd>
            <code>{server.url}</code>
          </dd>
          <dt>Tools</dt>
          <dd>{server.tools.length > 0 ? server.tools.join(", ") : "none"}</dd>
          <dt>Resources</dt>
          <dd>{server.resources.length > 0 ? server.resources.join(", ") : "none"}</dd>
          {server.capabilities.length > 0 && (
            <>
              <dt>Capabilities</dt>
              <dd>{server.capabilities.join(", ")}</dd>
            </>
          )}
        </dl>
      </details>
    </li>
  );
}
