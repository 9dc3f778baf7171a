import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../src/platform/events/bus.js";
import type { Platform } from "../../src/platform/runtime.js";
import { planUpdated } from "../fixtures/events.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { openSse, type SseClient } from "../fixtures/sse.js";
import { engines, type ScratchDatabase, scratchDatabase, type TestContext, testApp, tokenFor } from "../harness.js";

describe.each(engines)("event bus on %s", (engine) => {
  let scratch: ScratchDatabase;
  const closers: Array<() => Promise<void> | void> = [];
  const node = async (id: string) => {
    const p = await openNode(scratch.url, id);
    closers.push(() => p.close());
    return p;
  };
  const listenTo = (p: Platform) => {
    const heard: DomainEvent[] = [];
    closers.push(p.events.subscribe((e) => heard.push(e)));
    return heard;
  };

  beforeEach(async () => {
    scratch = await scratchDatabase(engine);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await scratch.drop();
  });

  it("never delivers an event whose transaction rolled back", async () => {
    const p = await node("a");
    await p.start();
    const heard = listenTo(p);
    await expect(
      p.db.transaction().execute(async (trx) => {
        await p.events.publish(planUpdated(1, "t-1"), trx);
        throw new Error("validation failed after the insert");
      }),
    ).rejects.toThrow("validation failed");
    await p.db.transaction().execute((trx) => p.events.publish(planUpdated(2, "t-2"), trx));
    await waitFor("the committed event", () => heard.length > 0, 3_000);
    // Leave time for a straggler before asserting it never came.
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.map((e) => e.subjectId)).toEqual(["t-2"]);
    expect((await p.events.since(0)).map((e) => e.subjectId)).toEqual(["t-2"]);
  });

  it("delivers committed events in the order they were published", async () => {
    const p = await node("a");
    await p.start();
    const heard = listenTo(p);
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) ids.push(await p.events.publish(planUpdated(i)));
    await waitFor("forty events", () => heard.length === 40, 5_000);
    expect(heard.map((e) => e.id)).toEqual(ids);
    expect(heard.map((e) => (e.payload as { version: number }).version)).toEqual([...Array(40).keys()]);
  });

  it("replays what came after an id", async () => {
    const p = await node("a");
    const ids: number[] = [];
    for (const n of [1, 2, 3, 4])
      ids.push(await p.events.publish({ ...planUpdated(n, null), organizationId: "org-1" }));
    const version = (e: { payload: unknown }) => (e.payload as { version: number }).version;
    const after = await p.events.since(ids[1] ?? 0);
    expect(after.map(version)).toEqual([3, 4]);
    expect(after[0]).toMatchObject({ id: ids[2], organizationId: "org-1", subjectId: null, payload: { version: 3 } });
    expect((await p.events.since(0, 3)).map(version)).toEqual([1, 2, 3]);
    expect(await p.events.since(ids[3] ?? 0)).toEqual([]);
  });

  describe("over SSE", () => {
    let t: TestContext;
    let url: string;
    let auth: Record<string, string>;
    const clients: SseClient[] = [];
    beforeEach(async () => {
      t = await testApp(engine, { start: true });
      closers.push(async () => {
        for (const c of clients.splice(0)) c.close();
        await t.close();
      });
      auth = (await tokenFor(t, "noc")).headers;
      await t.app.listen({ port: 0, host: "127.0.0.1" });
      const address = t.app.server.address();
      url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/api/v1/events`;
    });

    it("streams live events and replays from Last-Event-ID without gaps or duplicates", async () => {
      const p = t.platform;
      const early: number[] = [];
      for (let i = 0; i < 3; i++) early.push(await p.events.publish(planUpdated(i)));

      const live = await openSse(url, auth);
      clients.push(live);
      expect(live.status).toBe(200);
      const resumed = await openSse(url, { ...auth, "last-event-id": String(early[0]) });
      clients.push(resumed);
      const late = await p.events.publish(planUpdated(3));

      await waitFor("the live event", () => live.frames.length >= 1, 3_000);
      await waitFor("replay and live event", () => resumed.frames.length >= 3, 3_000);
      await new Promise((r) => setTimeout(r, 200));
      expect(live.frames.map((f) => f.id)).toEqual([late]);
      expect(live.frames[0]).toMatchObject({
        event: "plan.updated",
        data: { id: late, type: "plan.updated", payload: { version: 3 } },
      });
      expect(resumed.frames.map((f) => f.id)).toEqual([early[1], early[2], late]);
    });

    it("replays more than one batch after a long disconnection", async () => {
      const first = await t.platform.events.publish(planUpdated(0));
      await t.platform.db.transaction().execute(async (trx) => {
        for (let i = 1; i < 1_200; i++) await t.platform.events.publish(planUpdated(i), trx);
      });
      const client = await openSse(url, { ...auth, "last-event-id": String(first) });
      clients.push(client);
      await waitFor("the whole backlog", () => client.frames.length >= 1_199, 5_000);
      expect(client.frames.map((f) => (f.data as { payload: { version: number } }).payload.version)).toEqual(
        Array.from({ length: 1_199 }, (_, i) => i + 1),
      );
    });

    it("ends open streams when the server shuts down instead of waiting for the clients", async () => {
      const client = await openSse(url, auth);
      clients.push(client);
      const t0 = Date.now();
      await t.app.close();
      await client.ended;
      expect(Date.now() - t0).toBeLessThan(2_000);
    });

    // LISTEN/NOTIFY across nodes; SQLite is a single-node engine.
    if (engine === "postgres")
      it("shows a client on one node the events committed on another", async () => {
        // Node b shares node a's database and secret key, as a second server would.
        const other = await openNode(t.databaseUrl, "b", { env: {}, config: { dataDir: t.config.dataDir } });
        closers.push(() => other.close());
        const client = await openSse(url, auth);
        clients.push(client);
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(await other.db.transaction().execute((trx) => other.events.publish(planUpdated(i), trx)));
        }
        await waitFor("events from node b", () => client.frames.length >= 5, 3_000);
        expect(client.frames.map((f) => f.id)).toEqual(ids);
      });
  });
});
