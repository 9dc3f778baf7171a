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
 * Rows inserted or deleted per table since the sweep began, to prove rejected requests wrote nothing. Triggers
 * on every table tally into `fuzz_changes`, so each check is one read of a small table however many tables
 * the schema grows (counting every table's rows after each of some 30,000 requests took minutes on
 * PostgreSQL). `byDesign` names audit actions any request may write whatever its answer (token use, recorded
 * at most once a minute and after the answer, so it could land in a later request's tally): not counted.
 */
export async function rowCounter(
  db: Kysely<any>,
  dialect: Dialect,
  byDesign: readonly string[] = [],
): Promise<() => Promise<Map<string, number>>> {
  const tables = (await dialect.describeSchema(db)).map((t) => t.name);
  await sql`CREATE TABLE fuzz_changes (table_name varchar(200) PRIMARY KEY, changes integer NOT NULL)`.execute(db);
  for (const name of tables) await db.insertInto("fuzz_changes").values({ table_name: name, changes: 0 }).execute();
  const skipped = byDesign.map((a) => `'${a.replace(/'/g, "''")}'`).join(", ") || "NULL";
  if (dialect.engine === "postgres") {
    await sql
      .raw(`CREATE FUNCTION fuzz_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_TABLE_NAME = 'audit_log' THEN
            IF TG_OP = 'INSERT' THEN
              IF NEW.action IN (${skipped}) THEN RETURN NULL; END IF;
            ELSIF OLD.action IN (${skipped}) THEN RETURN NULL;
            END IF;
          END IF;
          UPDATE fuzz_changes SET changes = changes + 1 WHERE table_name = TG_TABLE_NAME;
          RETURN NULL;
        END $$`)
      .execute(db);
    for (const name of tables) {
      await sql
        .raw(
          `CREATE TRIGGER fuzz_changes AFTER INSERT OR DELETE ON "${name}" FOR EACH ROW EXECUTE FUNCTION fuzz_note_change()`,
        )
        .execute(db);
    }
  } else {
    for (const name of tables) {
      for (const [op, row] of [
        ["INSERT", "NEW"],
        ["DELETE", "OLD"],
      ] as const) {
        const when = name === "audit_log" ? `WHEN ${row}.action NOT IN (${skipped})` : "";
        await sql
          .raw(`CREATE TRIGGER "fuzz_${op}_${name}" AFTER ${op} ON "${name}" ${when}
            BEGIN UPDATE fuzz_changes SET changes = changes + 1 WHERE table_name = '${name}'; END`)
          .execute(db);
      }
    }
  }
  const query = db.selectFrom("fuzz_changes").select(["table_name", "changes"]).compile();
  return async () => {
    const result = await db.executeQuery<{ table_name: string; changes: number | string }>(query);
    return new Map(result.rows.map((r) => [r.table_name, Number(r.changes)]));
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
