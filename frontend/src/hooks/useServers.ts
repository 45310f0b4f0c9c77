// Loads GET /api/servers on mount and on demand: the MCP servers, reachability, the LLM's status.
import { useCallback, useEffect, useState } from "react";
import type { ApiClient } from "../api/client";
import { ApiError, isAbortError } from "../api/errors";
import type { ServersResponse } from "../api/types";

export interface ServersState {
  data: ServersResponse | null;
  error: string | null;
  loading: boolean;
  refresh: () => void;
}

interface Loaded {
  version: number;
  data: ServersResponse | null;
  error: string | null;
}

export function useServers(
  client: ApiClient,
  onUnauthorized: (message: string, retry: () => void) => void,
): ServersState {
  // Each refresh asks for a new version; loading lasts until that version has settled.
  const [version, setVersion] = useState(0);
  const [loaded, setLoaded] = useState<Loaded>({ version: -1, data: null, error: null });
  const refresh = useCallback(() => setVersion((v) => v + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    client
      .getServers(controller.signal)
      .then((data) => setLoaded({ version, data, error: null }))
      .catch((reason: unknown) => {
        if (isAbortError(reason)) return;
        const unauthorized = reason instanceof ApiError && reason.kind === "unauthorized";
        const error = unauthorized
          ? "The server list needs the API token."
          : reason instanceof Error
            ? reason.message
            : String(reason);
        setLoaded((current) => ({ version, data: current.data, error }));
        if (unauthorized) onUnauthorized(reason.message, refresh);
      });
    return () => controller.abort();
  }, [client, onUnauthorized, refresh, version]);

  return { data: loaded.data, error: loaded.error, loading: loaded.version !== version, refresh };
}
