import { request as httpRequest } from "node:http";
import type { FastifyInstance } from "fastify";
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../../src/platform/db/dialect.js";
import type { FuzzRequest } from "./openapi-cases.js";

/** What the fuzz checks look at in a response. */
export interface Outcome {
  status: number;
  contentType: string;
}

/** Sends one request; resolves undefined when no response head arrived within the timeout. */
export type Send = (req: FuzzRequest, timeoutMs: number) => Promise<Outcome | undefined>;

export interface Finding {
  operation: string;
  label: string;
  problem: string;
  request: FuzzRequest;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** In-process requests, for every operation whose response ends. */
export function injectSender(app: FastifyInstance): Send {
  return (req, timeoutMs) =>
    withTimeout(
      app
        .inject({ method: req.method as "GET", url: req.url, headers: req.headers, payload: req.payload })
        .then((res) => ({ status: res.statusCode, contentType: String(res.headers["content-type"] ?? "") })),
      timeoutMs,
    );
}

/**
 * Requests over a real socket, for streams that never end: read the status, then abort. node:http rather
 * than fetch, because fetch refuses bodies on GET and normalises paths, hiding input a raw client can send.
 */
export function socketSender(origin: string): Send {
  const { hostname, port } = new URL(origin);
  return (req, timeoutMs) =>
    new Promise((resolve, reject) => {
      const controller = new AbortController();
      const timer = setTimeout(() => {
        controller.abort();
        resolve(undefined);
      }, timeoutMs);
      const headers =
        req.payload === undefined
          ? req.headers
          : { ...req.headers, "content-length": String(Buffer.byteLength(req.payload)) };
      // A fresh connection per case, so bytes a server leaves unread cannot leak into the next case.
      const outgoing = httpRequest(
        { hostname, port, path: req.url, method: req.method, headers, signal: controller.signal, agent: false },
        (res) => {
          const outcome = { status: res.statusCode ?? 0, contentType: String(res.headers["content-type"] ?? "") };
          clearTimeout(timer);
          resolve(outcome);
          // The status is all the check needs; a stream is cut here, a finite body is drained and dropped.
          if (outcome.contentType.startsWith("text/event-stream")) controller.abort();
          else res.resume();
        },
      );
      outgoing.on("error", (err) => {
        if (controller.signal.aborted) return;
        clearTimeout(timer);
        reject(err);
      });
      outgoing.end(req.payload);
    });
}

/**
 * Row count of every table, to prove rejected requests wrote nothing; one query, compiled once. `byDesign`
 * names audit actions any request may write whatever its answer (token use, recorded at most once a minute
 * and after the answer, so it could land in a later request's count): those rows are not counted.
 */
export async function rowCounter(
  db: Kysely<any>,
  dialect: Dialect,
  byDesign: readonly string[] = [],
): Promise<() => Promise<Map<string, number>>> {
  const [first, ...rest] = (await dialect.describeSchema(db)).map((t) => {
    const q = db.selectFrom(t.name).select((eb) => [sql.lit(t.name).as("name"), eb.fn.countAll().as("rows")]);
    return t.name === "audit_log" && byDesign.length ? q.where("action", "not in", byDesign) : q;
  });
  if (!first) return async () => new Map();
  const query = rest.reduce((q, next) => q.unionAll(next), first).compile();
  return async () => {
    const result = await db.executeQuery<{ name: string; rows: number | string }>(query);
    return new Map(result.rows.map((r) => [r.name, Number(r.rows)]));
  };
}

function changedTables(before: Map<string, number>, after: Map<string, number>) {
  return [...after]
    .filter(([table, rows]) => before.get(table) !== rows)
    .map(([table, rows]) => ({ table, from: before.get(table) ?? 0, to: rows }));
}

export interface RunOptions {
  operation: string;
  requests: FuzzRequest[];
  send: Send;
  timeoutMs: number;
  /** Headers of the identity the run acts as (empty for anonymous). */
  auth: Record<string, string>;
  counts: () => Promise<Map<string, number>>;
  /** Rows a refusal may write by design (an audit entry for a failed sign-in). */
  recordsRefusal?: (table: string, status: number) => boolean;
}

export interface RunResult {
  findings: Finding[];
  /** Status of each request in order, undefined where none came. */
  statuses: Array<number | undefined>;
}

/** Sends every request and reports each 5xx, hang, non-problem 4xx, or rejected request that changed rows. */
export async function runRequests(opts: RunOptions): Promise<RunResult> {
  const findings: Finding[] = [];
  const statuses: RunResult["statuses"] = [];
  let before = await opts.counts();
  for (const req of opts.requests) {
    const sent = { ...req, headers: { ...opts.auth, ...req.headers } };
    const report = (problem: string) =>
      findings.push({ operation: opts.operation, label: req.label, problem, request: sent });
    let outcome: Outcome | undefined;
    try {
      outcome = await opts.send(sent, opts.timeoutMs);
      statuses.push(outcome?.status);
    } catch (err) {
      statuses.push(undefined);
      report(`request failed: ${(err as Error).message}`);
      continue;
    }
    if (!outcome) {
      report(`no response within ${opts.timeoutMs} ms`);
      continue;
    }
    if (outcome.status >= 500) report(`status ${outcome.status}`);
    else if (outcome.status >= 400 && !outcome.contentType.startsWith("application/problem+json")) {
      report(`status ${outcome.status} with content-type "${outcome.contentType}", not application/problem+json`);
    }
    const after = await opts.counts();
    const status = outcome.status;
    const changed = changedTables(before, after).filter((c) => !opts.recordsRefusal?.(c.table, status));
    if (changed.length && status >= 400) {
      report(`status ${status} but rows changed: ${changed.map((c) => `${c.table} ${c.from}→${c.to}`).join(", ")}`);
    }
    before = after;
  }
  return { findings, statuses };
}

function clip(text: string | undefined, max = 160): string {
  if (text === undefined) return "(none)";
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return text.length > max ? `${shown} (${text.length} chars)` : shown;
}

/** One line per finding with the operation and the exact input, so a failure can be replayed by hand. */
export function describeFindings(findings: Finding[]): string {
  return findings
    .map(
      (f) =>
        `${f.operation} [${f.label}]: ${f.problem}\n    ${f.request.method} ${clip(f.request.url)} headers=${clip(JSON.stringify(f.request.headers))} body=${clip(f.request.payload)}`,
    )
    .join("\n");
}
