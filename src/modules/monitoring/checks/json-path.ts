/**
 * The small JSON-path subset the http probe asserts on: `$`, `.name`, `["name"]` and `[index]` steps,
 * e.g. `$.status`, `$.checks[0].state`, `$["x-y"].ok`. No filters or wildcards: one path names one value.
 */
export type PathStep = string | number;

export function parseJsonPath(path: string): PathStep[] | null {
  if (!path.startsWith("$")) return null;
  const steps: PathStep[] = [];
  let i = 1;
  while (i < path.length) {
    const rest = path.slice(i);
    const name = /^\.([A-Za-z_$][\w$-]*)/.exec(rest);
    const index = /^\[(\d{1,9})\]/.exec(rest);
    const quoted = /^\[(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\]/.exec(rest);
    if (name) {
      steps.push(name[1]!);
      i += name[0].length;
    } else if (index) {
      steps.push(Number(index[1]));
      i += index[0].length;
    } else if (quoted) {
      steps.push((quoted[1] ?? quoted[2]!).replace(/\\(.)/g, "$1"));
      i += quoted[0].length;
    } else return null;
  }
  return steps;
}

/** The value at `steps`, or undefined when any step is missing (an index into a non-array, say). */
export function evaluateJsonPath(document: unknown, steps: readonly PathStep[]): unknown {
  let value: unknown = document;
  for (const step of steps) {
    if (typeof step === "number") {
      if (!Array.isArray(value) || step >= value.length) return undefined;
      value = value[step];
    } else {
      if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, step))
        return undefined;
      value = (value as Record<string, unknown>)[step];
    }
  }
  return value;
}

/** How an asserted value compares with the expected text: strings as they are, anything else as JSON. */
export const jsonValueText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
