import fc from "fast-check";
import {
  allMethods,
  coreStringNames,
  foreignBodies,
  formatNearMisses,
  hostileHeaders,
  hostileNumbers,
  hostileQueries,
  hostileSegments,
  hostileStrings,
  malformedJson,
  rawNumberLiterals,
  valueOfType,
} from "./hostile.js";

/**
 * Turns an OpenAPI 3.1 document into hostile requests, generically: every operation (path × method) gets
 * cases from its own parameter and body schemas, so routes added later are fuzzed without touching this file.
 */

export type Schema = { [key: string]: any };

export interface OpenApiDocument {
  paths?: Record<string, Record<string, any>>;
  components?: Record<string, Record<string, any>>;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
}

export interface Operation {
  /** "POST /api/v1/things/{id}", as failures are reported. */
  id: string;
  method: string;
  path: string;
  params: Parameter[];
  body?: { mediaType: string; schema: Schema; required: boolean };
  /** Answers text/event-stream: the response never ends, so it needs a real socket to abort. */
  streaming: boolean;
}

export interface FuzzRequest {
  /** What was sent, in words ("body/name = NUL byte"). */
  label: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
}

const bodylessSample = new Set(["open brace", "prototype pollution", "text/plain", "no content type"]);
const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const MAX_DEPTH = 8;

function follow(doc: OpenApiDocument, ref: string): any {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  let node: any = doc;
  for (const raw of ref.slice(2).split("/")) {
    node = node?.[raw.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  if (node === undefined) throw new Error(`unresolved $ref ${ref}`);
  return node;
}

/** The schema behind any chain of $refs. */
export function deref(doc: OpenApiDocument, node: any): any {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === "string"; hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${node.$ref}`);
    current = follow(doc, current.$ref);
  }
  return current ?? {};
}

export function listOperations(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem);
    const shared: Parameter[] = (item.parameters ?? []).map((p: any) => deref(doc, p));
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!op) continue;
      const own: Parameter[] = (op.parameters ?? []).map((p: any) => deref(doc, p));
      const params = [...shared.filter((s) => !own.some((o) => o.name === s.name && o.in === s.in)), ...own];
      let body: Operation["body"];
      if (op.requestBody) {
        const rb = deref(doc, op.requestBody);
        const content: Record<string, any> = rb.content ?? {};
        const mediaType = "application/json" in content ? "application/json" : Object.keys(content)[0];
        if (mediaType) body = { mediaType, schema: content[mediaType]?.schema ?? {}, required: rb.required === true };
      }
      const streaming = Object.values<any>(op.responses ?? {}).some((r) =>
        Object.keys(deref(doc, r).content ?? {}).includes("text/event-stream"),
      );
      out.push({ id: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, params, body, streaming });
    }
  }
  return out;
}

function typesOf(doc: OpenApiDocument, raw: Schema): Set<string> {
  const s = deref(doc, raw);
  const types = new Set<string>();
  if ("const" in s) types.add(s.const === null ? "null" : Array.isArray(s.const) ? "array" : typeof s.const);
  for (const v of s.enum ?? []) types.add(v === null ? "null" : typeof v);
  if (typeof s.type === "string") types.add(s.type);
  if (Array.isArray(s.type)) for (const t of s.type) types.add(t);
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) for (const t of typesOf(doc, branch)) types.add(t);
  for (const part of s.allOf ?? []) for (const t of typesOf(doc, part)) types.add(t);
  if (!types.size && s.properties) types.add("object");
  if (!types.size && s.items) types.add("array");
  if (types.has("number")) types.add("integer");
  return types;
}

const formatExamples: Record<string, string> = {
  uuid: "0190a8f0-0000-7000-8000-000000000001",
  email: "fuzz@example.com",
  "date-time": "2026-11-25T12:00:00.000Z",
  date: "2026-11-25",
  time: "12:00:00Z",
  uri: "https://example.com/",
  "uri-reference": "/example",
  hostname: "example.com",
  ipv4: "127.0.0.1",
  ipv6: "::1",
  duration: "P1D",
};

function exampleString(s: Schema): string {
  const candidates = [
    formatExamples[s.format] ?? "",
    ...[
      "abc",
      "a",
      "A1",
      "BR",
      "1",
      "123",
      "a-b",
      "a_b",
      "a.b",
      "+5511999999999",
      "fuzz@example.com",
      "sip:fuzz@example.com",
    ],
    ...["2026-11-25", "12:00", "08:00-18:00", "America/Sao_Paulo", "0 3 * * *", "P1D", "1h", "30m"],
  ];
  let value = candidates.find((c) => c && matches(s.pattern, c)) ?? "abc";
  const min = s.minLength ?? 0;
  if (value.length < min) value = value.padEnd(min, value.at(-1) ?? "a");
  return s.maxLength !== undefined ? value.slice(0, s.maxLength) : value;
}

function matches(pattern: string | undefined, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return true;
  }
}

function exampleNumber(s: Schema, integer: boolean): number {
  const lower = s.minimum ?? (typeof s.exclusiveMinimum === "number" ? s.exclusiveMinimum + 1 : undefined);
  const upper = s.maximum ?? (typeof s.exclusiveMaximum === "number" ? s.exclusiveMaximum - 1 : undefined);
  let value = lower ?? 1;
  if (upper !== undefined && value > upper) value = upper;
  return integer ? Math.ceil(value) : value;
}

/** A value the schema accepts, so mutating one field leaves the rest valid and the route reaches its handler. */
export function example(doc: OpenApiDocument, raw: Schema, depth = 0, known: Record<string, unknown> = {}): unknown {
  const s = deref(doc, raw);
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if (s.allOf) {
    const parts = s.allOf.map((p: Schema) => example(doc, p, depth, known));
    return parts.every((p: unknown) => p && typeof p === "object" && !Array.isArray(p))
      ? Object.assign({}, ...parts)
      : parts[0];
  }
  const branches: Schema[] | undefined = s.anyOf ?? s.oneOf;
  if (branches?.length) {
    return example(doc, branches.find((b) => !typesOf(doc, b).has("null")) ?? branches[0]!, depth, known);
  }
  const types = typesOf(doc, s);
  const type = ["object", "array", "string", "integer", "number", "boolean", "null"].find((t) => types.has(t));
  switch (type) {
    case "object": {
      if (depth >= MAX_DEPTH) return {};
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries<Schema>(s.properties ?? {})) {
        out[key] = key in known ? known[key] : example(doc, sub, depth + 1, known);
      }
      // A map (additionalProperties or patternProperties with a schema) needs one entry to pass minProperties.
      const entry =
        typeof s.additionalProperties === "object"
          ? s.additionalProperties
          : Object.values<Schema>(s.patternProperties ?? {})[0];
      if (entry && Object.keys(out).length < Math.max(1, s.minProperties ?? 0)) {
        const keyPattern = Object.keys(s.patternProperties ?? {})[0];
        const key = ["default", "a", "main", "L1", "1"].find(
          (k) => matches(keyPattern, k) && matches(s.propertyNames?.pattern, k),
        );
        out[key ?? "a"] = example(doc, entry, depth + 1, known);
      }
      return out;
    }
    case "array": {
      if (depth >= MAX_DEPTH || s.maxItems === 0) return [];
      const item = example(doc, s.items ?? {}, depth + 1, known);
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => item);
    }
    case "integer":
    case "number":
      return exampleNumber(s, !types.has("number"));
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return exampleString(s);
  }
}

interface Field {
  pointer: string[];
  schema: Schema;
  required: boolean;
}

/** Every property and array item reachable in the schema, each with its own subschema. */
function fieldsOf(doc: OpenApiDocument, raw: Schema, pointer: string[] = [], depth = 0): Field[] {
  if (depth >= 6) return [];
  const s = deref(doc, raw);
  const out: Field[] = [];
  const objects = [s, ...(s.allOf ?? []).map((p: Schema) => deref(doc, p))];
  const firstBranch = (s.anyOf ?? s.oneOf)?.find((b: Schema) => !typesOf(doc, b).has("null"));
  if (firstBranch) objects.push(deref(doc, firstBranch));
  for (const o of objects) {
    const required = new Set<string>(o.required ?? []);
    for (const [key, sub] of Object.entries<Schema>(o.properties ?? {})) {
      out.push({ pointer: [...pointer, key], schema: sub, required: required.has(key) });
      out.push(...fieldsOf(doc, sub, [...pointer, key], depth + 1));
    }
    if (o.items && typeof o.items === "object") {
      out.push({ pointer: [...pointer, "0"], schema: o.items, required: true });
      out.push(...fieldsOf(doc, o.items, [...pointer, "0"], depth + 1));
    }
  }
  return out;
}

/** A number literal JSON.stringify cannot write; spliced into the JSON text by `toJson`. */
class RawJson {
  constructor(readonly text: string) {}
}
const DELETE = Symbol("delete");
type Bad = readonly [label: string, value: unknown];

function toJson(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `@@fuzz-raw-${raws.length - 1}@@`;
  });
  return raws.reduce((acc, raw, i) => acc.replace(`"@@fuzz-raw-${i}@@"`, raw), text);
}

function withValue(base: unknown, pointer: string[], value: unknown): unknown {
  if (!pointer.length) return value;
  const root = structuredClone(base);
  let node: any = root;
  for (const key of pointer.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== "object") node[key] = /^\d+$/.test(key) ? [] : {};
    node = node[key];
  }
  const last = pointer.at(-1)!;
  if (value === DELETE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return root;
}

/** Deterministic pseudo-random numbers (mulberry32): the same seed gives the same cases on every run. */
function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` items chosen by `random`; in their original order when `ordered`, so a run reads like the catalogue. */
function pick<T>(items: ReadonlyArray<T>, count: number, random: () => number, ordered = false): T[] {
  if (count >= items.length) return [...items];
  const indexes = items.map((_, i) => i);
  const chosen: number[] = [];
  while (chosen.length < count) chosen.push(indexes.splice(Math.floor(random() * indexes.length), 1)[0]!);
  if (ordered) chosen.sort((a, b) => a - b);
  return chosen.map((i) => items[i]!);
}

function seedOf(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

export interface GeneratorOptions {
  seed: number;
  /** Catalogue strings sampled per string field, beyond the core ones every field gets. */
  sampledStrings: number;
  /** fast-check arbitrary JSON values per field. */
  arbitraryValues: number;
  /** A body this many bytes long is rejected by size alone. */
  bodyLimit: number;
  /** Hostile values across all fields of one request body; a field with more candidates gets a seeded sample. */
  bodyFieldBudget: number;
  /** Hostile values every body field gets however wide the body is. */
  minPerField: number;
  /** Real values for properties and parameters by name (an existing organizationId), so examples get past lookups. */
  known?: Record<string, unknown>;
}

/** Values a field of this schema should reject, or should accept and still handle without failing. */
function badValues(doc: OpenApiDocument, raw: Schema, opts: GeneratorOptions, seed: number): Bad[] {
  const s = deref(doc, raw);
  const types = typesOf(doc, s);
  const random = randomFrom(seed);
  const out: Bad[] = [];
  if (types.size) {
    for (const [type, value] of Object.entries(valueOfType)) if (!types.has(type)) out.push([`a ${type}`, value]);
  }
  if (!types.size || types.has("string")) {
    const core = hostileStrings.filter(([name]) => coreStringNames.has(name));
    const rest = hostileStrings.filter(([name]) => !coreStringNames.has(name));
    for (const [name, value] of [...core, ...pick(rest, opts.sampledStrings, random)]) {
      out.push([name, value]);
      // Cut to maxLength so the hostile content passes validation and reaches the handler and the database.
      if (s.maxLength !== undefined && value.length > s.maxLength && s.maxLength > 0) {
        out.push([`${name} (cut to maxLength)`, value.slice(0, s.maxLength)]);
      }
    }
    for (const miss of formatNearMisses[s.format] ?? []) out.push([`${s.format} near miss "${miss}"`, miss]);
    if (s.minLength) out.push(["one under minLength", "a".repeat(s.minLength - 1)]);
    if (s.maxLength !== undefined) out.push(["one over maxLength", "a".repeat(s.maxLength + 1)]);
  }
  const enumValues: unknown[] = s.enum ?? [];
  const firstEnum = enumValues.find((v) => typeof v === "string") as string | undefined;
  if (enumValues.length) out.push(["value outside the enum", "fuzz-not-in-enum"]);
  if (firstEnum) {
    out.push([
      "enum in other case",
      firstEnum.toUpperCase() === firstEnum ? firstEnum.toLowerCase() : firstEnum.toUpperCase(),
    ]);
    out.push(["enum with trailing space", `${firstEnum} `]);
  }
  if (types.has("integer") || types.has("number")) {
    for (const n of hostileNumbers) out.push([`number ${n}`, n]);
    for (const literal of rawNumberLiterals) out.push([`number literal ${literal}`, new RawJson(literal)]);
    if (typeof s.minimum === "number") out.push(["one under minimum", s.minimum - 1]);
    if (typeof s.maximum === "number") out.push(["one over maximum", s.maximum + 1]);
  }
  if (types.has("array")) {
    out.push(["empty array", []]);
    const item = example(doc, s.items ?? {});
    out.push(["10k-item array", Array.from({ length: 10_000 }, () => item)]);
  }
  if (types.has("object")) {
    out.push(["empty object", {}]);
    out.push(["array instead of object", [example(doc, s)]]);
    const value = example(doc, s);
    if (value && typeof value === "object") out.push(["extra unknown property", { ...value, fuzzUnknown: "x" }]);
  }
  for (const value of fc.sample(fc.jsonValue(), { seed, numRuns: opts.arbitraryValues })) {
    out.push([`arbitrary ${toJson(value).slice(0, 40)}`, value]);
  }
  return out;
}

/** Percent-encodes any string as UTF-8, including lone surrogates (which encodeURIComponent refuses). */
export function percentEncode(text: string): string {
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function queryValue(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(queryValue);
  if (value instanceof RawJson) return [value.text];
  if (value === null || value === undefined) return [""];
  return [typeof value === "object" ? JSON.stringify(value) : String(value)];
}

const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

interface Parts {
  path: Record<string, string>;
  query: Record<string, unknown>;
  rawQuery: string[];
  headers: Record<string, string>;
  body?: { contentType?: string; text: string };
}

function render(op: Operation, parts: Parts, label: string, method = op.method): FuzzRequest {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => parts.path[name] ?? "x");
  const query = [
    ...Object.entries(parts.query).flatMap(([k, v]) =>
      queryValue(v).map((x) => `${percentEncode(k)}=${percentEncode(x)}`),
    ),
    ...parts.rawQuery,
  ].join("&");
  const headers = { ...parts.headers };
  if (parts.body?.contentType) headers["content-type"] = parts.body.contentType;
  return { label, method, url: query ? `${path}?${query}` : path, headers, payload: parts.body?.text };
}

/** Every hostile request for one operation. */
export function requestsFor(doc: OpenApiDocument, op: Operation, opts: GeneratorOptions): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  const seedFor = (what: string) => seedOf(`${op.id} ${what}`, opts.seed);
  const base: Parts = { path: {}, query: {}, rawQuery: [], headers: {} };
  const known = opts.known ?? {};
  for (const p of op.params) {
    const value = p.name in known ? known[p.name] : example(doc, p.schema ?? {}, 0, known);
    if (p.in === "path") base.path[p.name] = percentEncode(String(value));
    if (p.in === "query" && p.required) base.query[p.name] = value;
    if (p.in === "header" && p.required) base.headers[p.name] = String(value);
  }
  const bodyExample = op.body ? example(doc, op.body.schema, 0, known) : undefined;
  if (op.body) base.body = { contentType: op.body.mediaType, text: toJson(bodyExample) };
  const add = (label: string, change: Partial<Parts>, method?: string) =>
    out.push(render(op, { ...base, ...change }, label, method));

  add("the valid example", {});

  if (op.body) {
    const json = (value: unknown) => ({ contentType: op.body!.mediaType, text: toJson(value) });
    const fields = fieldsOf(doc, op.body.schema);
    // Wide documents share a budget, so every field still gets a seeded handful of the hostile values.
    const perField = Math.max(opts.minPerField, Math.floor(opts.bodyFieldBudget / Math.max(1, fields.length)));
    for (const field of fields) {
      const where = `body/${field.pointer.join("/")}`;
      add(`${where} missing${field.required ? " (required)" : ""}`, {
        body: json(withValue(bodyExample, field.pointer, DELETE)),
      });
      const seed = seedFor(where);
      for (const [label, value] of pick(badValues(doc, field.schema, opts, seed), perField, randomFrom(seed), true)) {
        add(`${where} = ${label}`, { body: json(withValue(bodyExample, field.pointer, value)) });
      }
    }
    for (const [label, value] of badValues(doc, op.body.schema, opts, seedFor("body"))) {
      add(`body = ${label}`, { body: json(value) });
    }
    add("no body", { body: undefined });
    add("no body, JSON content type", { body: { contentType: op.body.mediaType, text: "" } });
  }
  // An operation without a body still must not choke on one; a few kinds suffice there, all of them where a body is read.
  const some = <T extends readonly [string, ...unknown[]]>(cases: ReadonlyArray<T>) =>
    op.body ? cases : cases.filter(([label]) => bodylessSample.has(label));
  for (const [label, text] of some(malformedJson)) {
    add(`malformed body: ${label}`, { body: { contentType: "application/json", text } });
  }
  for (const [label, contentType, text] of some(foreignBodies))
    add(`body as ${label}`, { body: { contentType, text } });
  const padding = opts.bodyLimit + 1 - '{"fuzz":""}'.length;
  add("body one byte over the limit", {
    body: { contentType: "application/json", text: `{"fuzz":"${"A".repeat(padding)}"}` },
  });

  for (const [label, raw] of hostileQueries) add(`query ${label}`, { rawQuery: [raw] });
  for (const p of op.params.filter((x) => x.in === "query")) {
    const where = `query ${p.name}`;
    if (p.required) add(`${where} missing (required)`, { query: { ...base.query, [p.name]: undefined } });
    for (const [label, value] of badValues(doc, p.schema ?? {}, opts, seedFor(where))) {
      add(`${where} = ${label}`, { query: { ...base.query, [p.name]: value } });
    }
    add(`${where} repeated`, { query: { ...base.query, [p.name]: [example(doc, p.schema ?? {}), "2"] } });
  }
  for (const p of op.params.filter((x) => x.in === "path")) {
    for (const [label, segment] of hostileSegments) {
      add(`path ${p.name} = ${label}`, { path: { ...base.path, [p.name]: segment } });
    }
  }
  for (const p of op.params.filter((x) => x.in === "header" || x.in === "cookie")) {
    const where = `${p.in} ${p.name}`;
    for (const [label, value] of badValues(doc, p.schema ?? {}, opts, seedFor(where))) {
      const text = queryValue(value).join(",");
      if (!HEADER_SAFE.test(text)) continue;
      const header = p.in === "header" ? { [p.name]: text } : { cookie: `${p.name}=${text}` };
      add(`${where} = ${label}`, { headers: { ...base.headers, ...header } });
    }
  }
  for (const [label, headers] of hostileHeaders) add(`headers: ${label}`, { headers: { ...base.headers, ...headers } });
  return out;
}

/** Requests to documented paths with methods they do not have, and near misses of those paths. */
export function strayRequests(doc: OpenApiDocument, ops: Operation[]): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  for (const path of new Set(ops.map((op) => op.path))) {
    const documented = new Set(ops.filter((o) => o.path === path).map((o) => o.method));
    if (documented.has("GET")) documented.add("HEAD");
    const url = path.replace(/\{[^}]+\}/g, percentEncode(String(example(doc, { format: "uuid", type: "string" }))));
    for (const method of allMethods.filter((m) => !documented.has(m))) {
      const body =
        method === "GET" || method === "HEAD" ? {} : { payload: "{}", headers: { "content-type": "application/json" } };
      out.push({ label: `undocumented method ${method}`, method, url, headers: {}, ...body });
    }
    for (const [label, variant] of [
      ["trailing slash", `${url}/`],
      ["extra segment", `${url}/fuzz`],
      ["upper case", url.toUpperCase()],
      ["double slash", `/${url}`],
      ["encoded NUL suffix", `${url}%00`],
      ["semicolon suffix", `${url};x=1`],
      ["dot-dot suffix", `${url}/..`],
    ] as const) {
      out.push({ label: `near-miss path (${label})`, method: "GET", url: variant, headers: {} });
    }
  }
  for (const [label, url] of [
    ["unknown API path", "/api/v1/fuzz-nothing-here"],
    ["unknown API version", "/api/v2/version"],
    ["bare percent", "/%"],
    ["invalid UTF-8", "/api/v1/%ED%A0%80"],
    ["10k-character path", `/${"a".repeat(10_000)}`],
    ["root", "/"],
  ] as const) {
    out.push({ label: `unknown path (${label})`, method: "GET", url, headers: {} });
  }
  return out;
}
