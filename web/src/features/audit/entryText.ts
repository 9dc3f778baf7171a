/** The text at a dotted path of the reader's translations, whatever is there (undefined, a text, a subtree). */
export type Lookup = (path: string) => unknown;

const text = (value: unknown) => (typeof value === "string" ? value : null);

/** An audited action ("user.created") in words, or null for one this build has no words for. */
export function actionLabel(action: string, lookup: Lookup): string | null {
  return text(lookup(`auditLog.actions.${action}`));
}

/** A key of an entry's details ("ticketId") in words, or null for one this build has no words for. */
export function detailLabel(key: string, lookup: Lookup): string | null {
  return text(lookup(`auditLog.details.${key}`));
}

/** One value of an entry's details, as it reads: an instant, a yes or no, a list, or structure to show as JSON. */
export type DetailValue =
  | { kind: "instant"; value: string }
  | { kind: "flag"; value: boolean }
  | { kind: "text"; value: string }
  | { kind: "changes"; value: Change[] }
  | { kind: "json"; value: unknown };

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

type Change = { path: string; before?: unknown; after?: unknown };

const isChange = (v: unknown): v is Change =>
  typeof v === "object" && v !== null && typeof (v as { path?: unknown }).path === "string";
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A configuration change leaf by leaf: a record created or deleted is recorded as one change of the whole
 * object, which reads as a wall of JSON; split, each field shows on its own line.
 */
export function leafChanges(changes: readonly Change[]): Change[] {
  return changes.flatMap((c) => {
    const { before, after } = c;
    const whole =
      (isRecord(before) || isRecord(after)) &&
      (isRecord(before) || before == null) &&
      (isRecord(after) || after == null);
    if (!whole) return [c];
    const keys = [
      ...new Set([...Object.keys(isRecord(before) ? before : {}), ...Object.keys(isRecord(after) ? after : {})]),
    ];
    const at = c.path === "/" ? "" : c.path;
    return leafChanges(
      keys.map((k) => ({
        path: `${at}/${k}`,
        before: isRecord(before) ? before[k] : undefined,
        after: isRecord(after) ? after[k] : undefined,
      })),
    );
  });
}

/** One side of a change, as it reads: nothing as a dash, an instant by `instant`, text as is, else JSON. */
export function plainValue(value: unknown, instant: (iso: string) => string): string {
  if (value === undefined || value === null) return "—";
  if (typeof value === "string") return INSTANT.test(value) ? instant(value) : value;
  return JSON.stringify(value);
}

/**
 * What a details value is, for showing it. Numbers stay as recorded (a ticket number is no quantity to group
 * by thousands), except that a fraction takes the reader's decimal separator.
 */
export function detailValue(key: string, value: unknown, number: (n: number) => string): DetailValue {
  if (typeof value === "string") return INSTANT.test(value) ? { kind: "instant", value } : { kind: "text", value };
  if (typeof value === "boolean") return { kind: "flag", value };
  if (typeof value === "number")
    return { kind: "text", value: Number.isInteger(value) ? String(value) : number(value) };
  if (value === null || value === undefined) return { kind: "text", value: "—" };
  if (key === "changes" && Array.isArray(value) && value.every(isChange))
    return { kind: "changes", value: leafChanges(value) };
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number"))
    return { kind: "text", value: value.join(", ") };
  return { kind: "json", value };
}
