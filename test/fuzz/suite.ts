import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BODY_LIMIT } from "../../src/app.js";
import type { Engine } from "../../src/platform/db/dialect.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";
import {
  type GeneratorOptions,
  listOperations,
  type OpenApiDocument,
  type Operation,
  requestsFor,
  strayRequests,
} from "./openapi-cases.js";
import {
  describeFindings,
  type Finding,
  injectSender,
  type RunOptions,
  rowCounter,
  runRequests,
  socketSender,
} from "./runner.js";

const generator = (t: TestContext): GeneratorOptions => ({
  seed: 20261125,
  sampledStrings: 3,
  arbitraryValues: 2,
  bodyLimit: BODY_LIMIT,
  bodyFieldBudget: 200,
  minPerField: 4,
  known: { organizationId: t.providerId },
});
const TIMEOUT_MS = 5_000;

interface Identity {
  name: string;
  headers: Record<string, string>;
}

/** Who fuzzes the routes that turn anonymous callers away; one more line here adds another role. */
async function signedIn(t: TestContext): Promise<Identity[]> {
  return [{ name: "admin", headers: (await tokenFor(t, "admin")).headers }];
}

/** The audit trail records refused sign-ins and denied access by design; nothing else may change on a refusal. */
const recordsRefusal: RunOptions["recordsRefusal"] = (table, status) =>
  table === "audit_log" && [401, 403, 429].includes(status);

/**
 * The OpenAPI fuzz sweep on one engine. Each engine has its own test file, so CI's two workers run the two
 * sweeps (the slowest suites) side by side instead of one after the other.
 */
export function fuzzSuite(engine: Engine): void {
  describe.skipIf(!engines.includes(engine))(`OpenAPI fuzz on ${engine}`, () => {
    let t: TestContext;
    let doc: OpenApiDocument;
    let ops: Operation[];
    let origin: string;
    let counts: Awaited<ReturnType<typeof rowCounter>>;
    let identities: Identity[];

    beforeAll(async () => {
      t = await testApp(engine);
      doc = (await t.app.inject("/api/openapi.json")).json();
      ops = listOperations(doc);
      counts = await rowCounter(t.platform.db, t.platform.dialect, ["token.used"]);
      identities = await signedIn(t);
      // Streams never end, so they are fuzzed over a real socket that can be cut once the status is known.
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    afterAll(() => t?.close());

    it("reads every operation from the served document", () => {
      const ids = ops.map((o) => o.id);
      expect(ids).toEqual(expect.arrayContaining(["GET /healthz", "GET /api/v1/version", "GET /api/v1/events"]));
      expect(ops.find((o) => o.id === "GET /api/v1/events")?.streaming).toBe(true);
      for (const op of ops) expect(requestsFor(doc, op, generator(t)).length).toBeGreaterThan(25);
    });

    it("answers hostile input to every operation with a 4xx problem or a success, never a 5xx or a hang", async () => {
      const findings: Finding[] = [];
      let sent = 0;
      for (const op of ops) {
        const requests = requestsFor(doc, op, generator(t));
        expect(requests[0]?.label).toBe("the valid example");
        const send = op.streaming ? socketSender(origin) : injectSender(t.app);
        const run = async (identity: Identity) => {
          const result = await runRequests({
            operation: `${op.id} as ${identity.name}`,
            requests,
            send,
            timeoutMs: TIMEOUT_MS,
            auth: identity.headers,
            counts,
            recordsRefusal,
          });
          sent += requests.length;
          findings.push(...result.findings);
          return result;
        };
        const anonymous = await run({ name: "anonymous", headers: {} });
        // Where anonymous callers are turned away, the input only reaches the handler signed in.
        if (anonymous.statuses.includes(401)) for (const identity of identities) await run(identity);
      }
      expect(sent).toBeGreaterThan(ops.length * 25);
      expect(findings.length, describeFindings(findings)).toBe(0);
      // Otherwise the later operations were only fuzzed up to the 401.
      for (const identity of identities) {
        expect((await t.app.inject({ url: "/api/v1/me", headers: identity.headers })).statusCode).toBe(200);
      }
      // A hang shows per request (TIMEOUT_MS); the whole sweep counts every table's rows after each of some
      // 30,000 requests, which takes about 4 minutes on PostgreSQL on the 2-core CI machine (25 s on SQLite).
    }, 600_000);

    it("answers undocumented methods and unknown paths with problem+json", async () => {
      const { findings } = await runRequests({
        operation: "stray request",
        requests: strayRequests(doc, ops),
        send: injectSender(t.app),
        timeoutMs: TIMEOUT_MS,
        auth: {},
        counts,
        recordsRefusal,
      });
      expect(findings.length, describeFindings(findings)).toBe(0);
    });
  });
}
