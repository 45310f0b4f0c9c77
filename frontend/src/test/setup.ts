// Vitest setup: jest-dom matchers, a clean DOM and storage per test, and what jsdom lacks.
import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";

// recharts measures its container; jsdom has no layout, so observers report nothing.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoopResizeObserver as unknown as typeof ResizeObserver;

beforeEach(() => {
  localStorage.clear();
});

afterEach(() => {
  cleanup();
});
