// Server keys → display names, from GET /api/servers; errors name servers by key.
import { createContext, useContext } from "react";

export const ServerNamesContext = createContext<Readonly<Record<string, string>>>({});

export function useServerNames(): Readonly<Record<string, string>> {
  return useContext(ServerNamesContext);
}
