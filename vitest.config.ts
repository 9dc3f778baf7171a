import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";
import { LongestFirst } from "./test/sequencer.js";

/**
 * Test files that measure wall time across processes (failover gaps, fan-out latency): they run after the
 * rest, one at a time, so another suite's CPU does not count against their bounds.
 */
const alone = ["test/monitoring/failover.test.ts", "test/events/fanout.test.ts"];
/** PLANTAO_TEST_INCLUDE: comma-separated globs that replace the default set (CI's second Node runs a cross-section). */
const include = (process.env.PLANTAO_TEST_INCLUDE ?? "src/**/*.test.ts,test/**/*.test.ts,web/src/**/*.test.ts")
  .split(",")
  .filter(Boolean);
const aloneIncluded = alone.filter((f) => !process.env.PLANTAO_TEST_INCLUDE || include.includes(f));
/** PLANTAO_TEST_EXCLUDE: comma-separated globs left out of this run (CI's second Node leaves out the browser and fuzz suites). */
const exclude = ["node_modules/**", "dist/**", ...(process.env.PLANTAO_TEST_EXCLUDE ?? "").split(",").filter(Boolean)];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    sequence: { sequencer: LongestFirst },
    // A worker keeps its module cache from one test file to the next: a fresh process per file spent more time
    // importing the app than most files spend testing it. Every test builds its own app and database, so no
    // state is shared but the modules' code.
    isolate: false,
    // Test processes mostly wait on databases, servers and child processes: two at once fit 2 cores.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    projects: [
      { extends: true, test: { name: "suite", include, exclude: [...exclude, ...alone] } },
      ...(aloneIncluded.length
        ? [
            {
              extends: true,
              test: {
                name: "alone",
                include: aloneIncluded,
                exclude,
                fileParallelism: false,
                sequence: { groupOrder: 1 },
              },
            },
          ]
        : []),
    ],
  },
});
