import { Problem } from "./problems.js";

/** Keyset cursors are opaque to clients: the key of the last item, base64url-encoded. */
export function encodeCursor(key: string | number): string {
  return Buffer.from(String(key), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  // Control characters never occur in our keys (and PostgreSQL refuses NUL in text).
  if (!key || encodeCursor(key) !== cursor || [...key].some((c) => c.charCodeAt(0) < 0x20)) {
    throw Problem.invalid({ in: "querystring", pointer: "/cursor", message: "is not a cursor returned by this API" });
  }
  return key;
}

/** A cursor over a positive integer key, such as a version number. */
export function decodeIntegerCursor(cursor: string | undefined): number | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(key)) {
    throw Problem.invalid({ in: "querystring", pointer: "/cursor", message: "is not a cursor returned by this API" });
  }
  return Number(key);
}

/** Repositories fetch `limit + 1` rows; the extra one only says whether a next page exists. */
export function toPage<T>(rows: T[], limit: number, keyOf: (item: T) => string | number) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}
