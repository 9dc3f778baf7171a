import { defineConfig } from "vitest/config";

/** The browser tests alone (`npm run test:e2e`); `npm test` runs them too, with everything else. */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
