// The API token: kept in localStorage, asked for when the API answers 401, then retried.
import { useCallback, useMemo, useRef, useState } from "react";
import { createApiClient, type ApiClient } from "../api/client";
import { clearToken, loadToken, saveToken } from "../api/token";

export interface TokenRequest {
  message: string;
  /** True when a token was sent and refused, false when none was stored yet. */
  rejected: boolean;
}

export interface TokenState {
  client: ApiClient;
  hasToken: boolean;
  request: TokenRequest | null;
  /** Hand to the hooks that call the API: they report a 401 with what to run again. */
  onUnauthorized: (message: string, retry: () => void) => void;
  submit: (token: string) => void;
  cancel: () => void;
  forget: () => void;
}

export function useTokenPrompt(fetchImpl?: typeof fetch): TokenState {
  const [hasToken, setHasToken] = useState(() => loadToken() !== null);
  const [request, setRequest] = useState<TokenRequest | null>(null);
  const retries = useRef<(() => void)[]>([]);

  // The token is read on every request, so a newly saved one applies at once.
  const client = useMemo(() => createApiClient({ getToken: () => loadToken(), fetchImpl }), [fetchImpl]);

  const onUnauthorized = useCallback((message: string, retry: () => void) => {
    retries.current.push(retry);
    const rejected = loadToken() !== null;
    setRequest((current) => current ?? { message, rejected });
  }, []);

  const submit = useCallback((value: string) => {
    saveToken(value);
    setHasToken(true);
    setRequest(null);
    const pending = retries.current;
    retries.current = [];
    pending.forEach((retry) => retry());
  }, []);

  const cancel = useCallback(() => {
    retries.current = [];
    setRequest(null);
  }, []);

  const forget = useCallback(() => {
    clearToken();
    setHasToken(false);
  }, []);

  return { client, hasToken, request, onUnauthorized, submit, cancel, forget };
}
