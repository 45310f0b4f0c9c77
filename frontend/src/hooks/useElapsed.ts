// Milliseconds since `since` (an ISO time or epoch ms), updated every `intervalMs` while mounted.
import { useEffect, useState } from "react";

export function useElapsed(since: string | number, intervalMs = 200): number {
  const start = typeof since === "number" ? since : Date.parse(since);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return Number.isFinite(start) ? Math.max(0, now - start) : 0;
}
