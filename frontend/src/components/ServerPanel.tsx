// The side panel from GET /api/servers: each MCP server and the language model.
import type { ServersState } from "../hooks/useServers";
import { LlmStatus } from "./LlmStatus";
import { ServerCard } from "./ServerCard";

interface ServerPanelProps {
  state: ServersState;
  id?: string;
}

export function ServerPanel({ state, id }: ServerPanelProps) {
  const { data, error, loading, refresh } = state;
  const servers = [...(data?.servers ?? [])].sort((a, b) => a.priority - b.priority);
  const down = servers.filter((server) => !server.reachable).length;
  return (
    <aside id={id} className="server-panel" aria-labelledby="servers-title" data-testid="server-panel">
      <div className="panel-head">
        <h2 id="servers-title">Servers</h2>
        <button type="button" className="button button-small" onClick={refresh} disabled={loading} aria-label="Refresh server status">
          {loading ? "Checking…" : "Refresh"}
        </button>
      </div>
      {error && (
        <p className="panel-error" role="alert">
          Could not load the server list: {error}
        </p>
      )}
      {data && (
        <>
          <p className="muted small" role="status">
            {servers.length === 0
              ? "No MCP servers are configured in mcp_config.yaml."
              : down === 0
                ? `All ${servers.length} servers reachable.`
                : `${down} of ${servers.length} servers not reachable: questions will fail until they are.`}
          </p>
          <ul className="server-list" aria-label="MCP servers">
            {servers.map((server) => (
              <ServerCard key={server.key} server={server} />
            ))}
          </ul>
          <LlmStatus llm={data.llm} />
        </>
      )}
      {!data && !error && loading && <p className="muted">Checking the servers…</p>}
    </aside>
  );
}
