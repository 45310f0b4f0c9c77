// Vite builds the UI into dist/ (served by the API at "/"); in dev it proxies /api to the API.
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The API's address in development; `talk2tables api` listens on 8001 by default.
const apiTarget = process.env.T2T_API_URL ?? "http://127.0.0.1:8001";

export default defineConfig({
  base: "/",
  plugins: [react()],
  server: {
    proxy: {
      "/api": { target: apiTarget, changeOrigin: true },
      "/metrics": { target: apiTarget, changeOrigin: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    reporters: ["default", "./summary-reporter.ts"],
    css: false,
    restoreMocks: true,
    // A shared 2-core machine can be slow; tests assert behaviour, not speed.
    testTimeout: 30_000,
  },
});
