// The API bearer token, entered once by the user and kept in this browser's localStorage.

const TOKEN_KEY = "t2t.apiToken";

// Where storage is disabled (private mode, policies) the token lives for this page only.
let memoryToken: string | null = null;

export function loadToken(storage: Storage = localStorage): string | null {
  try {
    const value = storage.getItem(TOKEN_KEY);
    return value?.trim() ? value.trim() : null;
  } catch {
    return memoryToken;
  }
}

export function saveToken(token: string, storage: Storage = localStorage): void {
  memoryToken = token.trim();
  try {
    storage.setItem(TOKEN_KEY, token.trim());
  } catch {
    // Not fatal: memoryToken still holds it.
  }
}

export function clearToken(storage: Storage = localStorage): void {
  memoryToken = null;
  try {
    storage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing was stored either.
  }
}
