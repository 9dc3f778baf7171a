import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Actor } from "../../src/modules/identity/actor.js";
import { eventTypes } from "../../src/platform/events/catalogue.js";
import { EventFanOut } from "../../src/platform/events/fanout.js";
import { FanOutRepository } from "../../src/platform/events/fanout-repository.js";
import { createServices } from "../../src/services.js";
import { planUpdated } from "../fixtures/events.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { spawnFixture } from "../fixtures/processes.js";
import { engines, type ScratchDatabase, scratchDatabase, testApp } from "../harness.js";
import { Receiver } from "../webhooks/receiver.js";

const actor: Actor = {
  userId: "00000000-0000-7000-8000-000000000000",
  email: "ops@example.com",
  name: "ops",
  role: "admin",
  organizationId: "00000000-0000-7000-8000-000000000001",
  tier: null,
  teams: [],
  via: "session",
};
const req = { ip: "127.0.0.1", headers: {} };

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

describe("the event catalogue", () => {
  it("refuses, under test, an event whose payload drifted from its entry", async () => {
    const t = await testApp("sqlite");
    try {
      await expect(
        // @ts-expect-error: the compiler refuses it too; the bus checks at run time what a cast slips past.
        t.platform.events.publish({ type: "plan.updated", payload: { version: "7" } }),
      ).rejects.toThrow("payload of plan.updated does not fit the catalogue: /version");
      await expect(
        // @ts-expect-error: not a catalogued type.
        t.platform.events.publish({ type: "fax.received", payload: {} }),
      ).rejects.toThrow("unknown event type fax.received");
      expect(await t.platform.events.since(0)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("is published in the OpenAPI document: one component per type and their union on `type`", async () => {
    const t = await testApp("sqlite");
    try {
      const spec = (await t.app.inject({ url: "/api/openapi.json" })).json();
      const schemas = spec.components.schemas as Record<string, any>;
      const union = schemas.DomainEvent;
      expect(union.discriminator.propertyName).toBe("type");
      expect(Object.keys(union.discriminator.mapping).sort()).toEqual(eventTypes);
      for (const type of eventTypes) {
        const ref: string = union.discriminator.mapping[type];
        const schema = schemas[ref.split("/").at(-1)!];
        const literal = schema.properties.type;
        expect(literal.const ?? literal.enum?.[0], type).toBe(type);
        expect(schema.properties.payload.type).toBe("object");
      }
      expect(union.oneOf.map((o: { $ref: string }) => o.$ref).sort()).toEqual(
        Object.values(union.discriminator.mapping as Record<string, string>).sort(),
      );
    } finally {
      await t.close();
    }
  });
});

describe.each(engines)("the event fan-out on %s", (engine) => {
  let scratch: ScratchDatabase;
  const closers: Array<() => Promise<void> | void> = [];
  const node = async (id: string) => {
    const p = await openNode(scratch.url, id, { config: { jobsEnabled: false, jobPollMs: 200 } });
    closers.push(() => p.close());
    return { platform: p, services: createServices(p) };
  };

  beforeEach(async () => {
    scratch = await scratchDatabase(engine);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await scratch.drop();
  });

  it("queues each of 300 events' webhook deliveries exactly once across two nodes, soon after the event", async () => {
    const a = await node("node-a");
    const b = await node("node-b");
    const receiver = await new Receiver().start();
    closers.push(() => receiver.stop());
    const hooks = [];
    for (const name of ["one", "two"]) {
      hooks.push(await a.services.webhooks.create(actor, { name, url: receiver.url, eventTypes: ["plan.*"] }, req));
    }
    await a.platform.start();
    await b.platform.start();
    // 300 events in about 10 s, half from each node, as a burst of ticket writes would publish them.
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const n = i % 2 ? b : a;
      await n.platform.db.transaction().execute((trx) => n.platform.events.publish(planUpdated(i), trx));
      const due = started + (i + 1) * 33;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    await waitFor("every delivery queued", async () => (await a.platform.fanOut.pending()).count === 0, 10_000);
    const deliveries = await a.platform.db
      .selectFrom("webhook_deliveries")
      .select(["webhook_id", "event_id"])
      .execute();
    expect(deliveries).toHaveLength(600);
    expect(new Set(deliveries.map((d) => `${d.webhook_id}:${d.event_id}`)).size).toBe(600);
    const queued = await a.platform.db
      .selectFrom("jobs")
      .select(["dedupe_key", "created_at"])
      .where("kind", "=", "webhook.deliver")
      .execute();
    expect(queued).toHaveLength(600);
    expect(new Set(queued.map((j) => j.dedupe_key)).size).toBe(600);
    // Event → job queued, from the rows' own times (one clock: both nodes run in this process).
    const events = await a.platform.db.selectFrom("events").select(["id", "created_at"]).execute();
    const publishedAt = new Map(events.map((e) => [Number(e.id), new Date(e.created_at).getTime()]));
    const lags = queued
      .map((j) => new Date(j.created_at).getTime() - publishedAt.get(Number(j.dedupe_key!.split(":")[2]))!)
      .sort((x, y) => x - y);
    const p50 = percentile(lags, 0.5);
    const p99 = percentile(lags, 0.99);
    console.log(`${engine}: event → job queued p50 ${p50} ms, p99 ${p99} ms, max ${lags.at(-1)} ms`);
    // Generous: the target is p99 < 500 ms; this machine is shared with other suites.
    expect(p99).toBeLessThan(2_000);
  }, 60_000);

  it("sets aside an event its handlers fail on, fans out the others, and tries it again later", async () => {
    const a = await node("node-a");
    const failing = new Set<number>();
    const seen: number[] = [];
    const fanOut = new EventFanOut(
      new FanOutRepository(a.platform.db, a.platform.dialect),
      a.platform.events,
      a.platform.clock,
      pino({ level: "silent" }),
      { poisonMs: 300 },
    );
    fanOut.register("flaky", async (events) => {
      for (const e of events) if (failing.has(e.id)) throw new Error(`cannot handle ${e.id}`);
      seen.push(...events.map((e) => e.id));
    });
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await a.platform.events.publish(planUpdated(i)));
    failing.add(ids[2]!);
    expect(await fanOut.drain()).toBe(4);
    expect(seen.sort()).toEqual([ids[0], ids[1], ids[3], ids[4]]);
    expect(await fanOut.pending()).toMatchObject({ count: 1 });
    failing.clear();
    expect(await fanOut.drain()).toBe(0); // still set aside
    await new Promise((r) => setTimeout(r, 350));
    expect(await fanOut.drain()).toBe(1);
    expect(seen).toContain(ids[2]);
    expect(await fanOut.pending()).toMatchObject({ count: 0 });
  });

  // A node killed mid-claim: PostgreSQL rolls its transaction back and another node fans the events out, once.
  if (engine === "postgres")
    it("loses nothing and doubles nothing when a node dies holding a claim", async () => {
      const b = await node("node-b");
      const receiver = await new Receiver().start();
      closers.push(() => receiver.stop());
      await b.services.webhooks.create(actor, { name: "one", url: receiver.url, eventTypes: ["*"] }, req);
      const ids: number[] = [];
      for (let i = 0; i < 3; i++) ids.push(await b.platform.events.publish(planUpdated(i)));
      const doomed = spawnFixture("fanout-hang.ts", [scratch.url]);
      closers.push(() => void doomed.process.kill("SIGKILL"));
      const claimed = await doomed.line((l) => l.startsWith("claimed "), 20_000);
      expect(claimed).toBe(`claimed ${ids.join(",")}`);
      // Its rows are locked: node b skips them and claims nothing.
      expect(await b.platform.fanOut.drain()).toBe(0);
      doomed.process.kill("SIGKILL");
      await doomed.exited;
      await b.platform.start();
      await waitFor(
        "node b fanning the events out",
        async () => (await b.platform.fanOut.pending()).count === 0,
        15_000,
      );
      const deliveries = await b.platform.db.selectFrom("webhook_deliveries").select("event_id").execute();
      expect(deliveries.map((d) => Number(d.event_id)).sort()).toEqual(ids);
      const jobs = await b.platform.db.selectFrom("jobs").select("id").where("kind", "=", "webhook.deliver").execute();
      expect(jobs).toHaveLength(3);
    }, 60_000);
});

describe("fan-out metrics", () => {
  it("exposes the fan-out lag and what waits at /metrics", async () => {
    const t = await testApp("sqlite", { start: true });
    try {
      await t.platform.events.publish(planUpdated(1));
      await waitFor("the fan-out", async () => (await t.platform.fanOut.pending()).count === 0);
      const text = (await t.app.inject({ url: "/metrics" })).body;
      expect(text).toMatch(/plantao_event_fanout_lag_seconds_count \d+/);
      expect(text).toMatch(/plantao_events_fanned_out_total [1-9]/);
      expect(text).toContain("plantao_events_fanout_pending 0");
      expect(text).toContain("plantao_events_fanout_oldest_pending_age_seconds 0");
    } finally {
      await t.close();
    }
  });
});
