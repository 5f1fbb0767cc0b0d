import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Two cores here and in CI: more workers only add contention.
    maxWorkers: 2,
    testTimeout: 60_000,
  },
});
