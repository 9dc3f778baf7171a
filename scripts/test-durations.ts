/**
 * Records how long each test file took, from a Vitest JSON report of a full run, into test/durations.json; the
 * test sequencer (test/sequencer.ts) starts the longest files first.
 *
 *   npx vitest run --reporter=json --outputFile=/tmp/full.json && npm run test:durations -- /tmp/full.json
 */
import { readFileSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { durationsFile } from "../test/sequencer.js";

interface Report {
  testResults: { name: string; startTime: number; endTime: number }[];
}

const report = process.argv[2];
if (!report) {
  console.error("usage: npm run test:durations -- <vitest JSON report>");
  process.exit(2);
}
const { testResults } = JSON.parse(readFileSync(report, "utf8")) as Report;
const durations = Object.fromEntries(
  testResults
    .map((r) => [relative(process.cwd(), r.name), Math.max(1, Math.round((r.endTime - r.startTime) / 1000))] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1)),
);
writeFileSync(durationsFile, `${JSON.stringify(durations, null, 2)}\n`);
console.info(`${Object.keys(durations).length} files recorded in ${durationsFile}`);
