import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../fixtures/nodes.js";
import { openSse, type SseClient } from "../fixtures/sse.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

/**
 * Page events on the event stream: a page about a security incident is for the security role and admins, as the
 * incident is (issue 13); its ids alone would tell the other monitoring readers that a security incident exists.
 */
describe.each(engines)("page events on the stream on %s", (engine) => {
  let t: TestContext;
  let url: string;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await testApp(engine, { start: true });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.app.server.address();
    url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1/events?after=0`;
  }, 60_000);
  afterAll(async () => {
    for (const c of clients.splice(0)) c.close();
    await t?.close();
  });

  it("shows a security incident's page events only to the security role and admins, an operational one to every monitoring reader", async () => {
    const readers = {
      admin: await tokenFor(t, "admin"),
      security: await tokenFor(t, "security"),
      manager: await tokenFor(t, "manager"),
      agent: await tokenFor(t, "agent"),
      noc: await tokenFor(t, "noc"),
      auditor: await tokenFor(t, "auditor"),
      // An admin's token limited to monitoring: the security area is not among its scopes.
      adminMonitoringToken: await tokenFor(t, "admin", { scopes: ["monitoring:read", "events:read"] }),
    };
    const streams = Object.fromEntries(
      await Promise.all(
        Object.entries(readers).map(async ([who, r]) => {
          const s = await openSse(url, r.headers);
          clients.push(s);
          expect(s.status, who).toBe(200);
          return [who, s] as const;
        }),
      ),
    );
    const secret = await t.services.escalations.page({
      subject: { type: "security_incident", id: randomUUID() },
      severity: "critical",
      title: "Credential stuffing on the portal",
    });
    const operational = await t.services.escalations.page({
      subject: { type: "incident", id: randomUUID() },
      severity: "critical",
      title: "PBX São Paulo down",
    });
    const pageIds = (s: SseClient) =>
      s.frames
        .filter((f) => f.event.startsWith("page."))
        .map((f) => (f.data as { payload: { pageId: string } }).payload.pageId);
    // The operational page comes after the security one: once a stream has it, it would have had the other.
    for (const [who, s] of Object.entries(streams))
      await waitFor(`the operational page on ${who}'s stream`, () => pageIds(s).includes(operational.pageId), 5_000);
    const sawSecret = Object.fromEntries(
      Object.entries(streams).map(([who, s]) => [who, pageIds(s).includes(secret.pageId)]),
    );
    expect(sawSecret).toEqual({
      admin: true,
      security: true,
      manager: false,
      agent: false,
      noc: false,
      auditor: false,
      adminMonitoringToken: false,
    });
  }, 60_000);
});
