import { defineConfig } from "vitest/config";

/**
 * Time limits sized for a loaded two-core machine (CI, or a laptop building
 * something else): the slowest single test or hook takes about 25 s on an
 * idle machine, and about four times that when two other processes keep both
 * cores busy. A limit only catches hangs, so it is set well above that; no
 * test should come near it (split a test that does).
 */
const LOADED_LIMIT_MS = 240_000;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two cores here and in CI: more workers only add contention.
    maxWorkers: 2,
    testTimeout: LOADED_LIMIT_MS,
    hookTimeout: LOADED_LIMIT_MS,
    teardownTimeout: 60_000,
  },
});
