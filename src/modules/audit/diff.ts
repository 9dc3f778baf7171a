export interface Change {
  /** JSON Pointer of the changed value. */
  path: string;
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The changes between two JSON values, leaf by leaf (arrays compared whole). Secrets are never passed in here. */
export function jsonDiff(before: unknown, after: unknown, path = ""): Change[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => jsonDiff(before[k], after[k], `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const change: Change = { path: path || "/" };
  if (before !== undefined) change.before = before;
  if (after !== undefined) change.after = after;
  return [change];
}
