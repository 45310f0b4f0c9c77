// Vitest setup: jest-dom matchers, a clean DOM and storage per test, and what jsdom lacks.
import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";

// The chart is loaded on demand; on a busy machine the first import takes seconds. Generous
// deadlines keep findBy*/waitFor about behaviour, not speed.
configure({ asyncUtilTimeout: 10_000 });

// recharts measures its container; jsdom has no layout, so observers report nothing.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;

beforeEach(() => {
  // Pure-logic test files run in the node environment, which has no storage.
  if (typeof localStorage !== "undefined") localStorage.clear();
});

afterEach(() => {
  cleanup();
});
