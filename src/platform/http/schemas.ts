import { type TRef, type TSchema, Type } from "typebox";

/** Object options of every input: an unknown property is an error, never silently dropped. */
export const strict = { additionalProperties: false } as const;

/** The schema's value, or null. */
export const nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** One of fixed strings, typed as their union; `enum` rather than literals so a wrong value is one clear error. */
export const literals = <const T extends readonly string[]>(values: T, description?: string) =>
  Type.Unsafe<T[number]>({ type: "string", enum: [...values], ...(description ? { description } : {}) });

export const Id = Type.String({ format: "uuid" });
export const Instant = Type.String({ format: "date-time" });

/** The answer to a conditional GET whose If-None-Match names the current entity tag: no body. */
export const NotModified = Type.Null({ description: "Not modified: the entity tag sent in If-None-Match is current" });

/**
 * Problem+json answers of an operation, by status. 401 and 403 need not be listed: every route that is not
 * public gets them from its declared access (modules/identity/authorization.ts).
 */
export function problems<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: TRef<"Problem"> } {
  return Object.fromEntries(statuses.map((s) => [s, Type.Ref("Problem")])) as { [K in S[number]]: TRef<"Problem"> };
}
