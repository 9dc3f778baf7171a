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

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** One value of an entry's details, as it reads: an instant, a yes or no, a list, or structure to show as JSON. */
export type DetailValue =
  | { kind: "instant"; value: string }
  | { kind: "flag"; value: boolean }
  | { kind: "text"; value: string }
  | { kind: "changes"; value: { path: string; before?: unknown; after?: unknown }[] }
  | { kind: "json"; value: unknown };

const isChange = (v: unknown): v is { path: string } =>
  typeof v === "object" && v !== null && typeof (v as { path?: unknown }).path === "string";

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
  if (key === "changes" && Array.isArray(value) && value.every(isChange)) return { kind: "changes", value };
  if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number"))
    return { kind: "text", value: value.join(", ") };
  return { kind: "json", value };
}
