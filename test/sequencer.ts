import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** Seconds a file took in a recorded full run (`npm run test:durations -- <report.json>` writes it). */
export const durationsFile = "test/durations.json";

/** A file not in the record yet (a new one) is placed as an ordinary file, neither first nor last. */
const UNKNOWN_SECONDS = 10;

/**
 * Longest file first, from the recorded durations: with two workers, the last file to start decides when the
 * run ends, so the few minute-long files must not start last. Vitest's own order needs its results cache,
 * which a fresh clone (CI) does not have; it then runs the largest files first, and size is a poor guess.
 */
export class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const path = join(root, durationsFile);
    const recorded: Record<string, number> = existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : {};
    const seconds = (f: TestSpecification) => recorded[relative(root, f.moduleId)] ?? UNKNOWN_SECONDS;
    return [...files].sort(
      (a, b) =>
        // Projects keep their order ("alone" runs after the rest).
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        (a.project.name === b.project.name ? 0 : a.project.name < b.project.name ? -1 : 1) ||
        seconds(b) - seconds(a),
    );
  }
}
