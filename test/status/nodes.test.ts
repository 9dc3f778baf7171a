import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { JobRepository } from "../../src/platform/jobs/repository.js";
import type { Platform } from "../../src/platform/runtime.js";
import { createServices } from "../../src/services.js";
import { openNode } from "../fixtures/nodes.js";
import { engines, scratchDatabase, TEST_PASSWORD } from "../harness.js";

const HOUR = 3_600_000;
const LEASE_MS = 2000;
// Monday 7 December 2026, 02:00 in São Paulo; the window is Thursday 02:00–05:00, announced 72 h ahead.
const T0 = Date.parse("2026-12-07T05:00:00.000Z");
const START = T0 + 72 * HOUR;
const END = START + 3 * HOUR;

/**
 * Two app nodes on one database move a maintenance window through its life: each notice is sent once, each
 * transition published once, though both nodes drain the timers at the same moments; and the node holding the
 * window's start when it dies does not make the start skipped: the other node takes it when the lease runs out.
 */
describe.each(engines)("maintenance windows across nodes on %s", (engine) => {
  it("sends each notice once, not twice, and none is skipped when a node dies mid-window", async () => {
    const scratch = await scratchDatabase(engine);
    const clock = new ManualClock(new Date(T0));
    const a = await openNode(scratch.url, "a", { clock, config: { jobLeaseMs: LEASE_MS } });
    const b = await openNode(scratch.url, "b", { clock, config: { jobLeaseMs: LEASE_MS } });
    const live: Platform[] = [a, b];
    try {
      const [sa, sb] = [createServices(a), createServices(b)];
      await sa.plan.ensureSeeded();
      await sa.directory.bootstrap({ providerName: "Provedor" });
      await sa.directory.createUser(null, {
        email: "gil@provedor.example",
        name: "Gil",
        role: "manager",
        password: TEST_PASSWORD,
      });
      const actor = (await sa.directory.findUserByEmail("gil@provedor.example"))!;
      const req = { ip: "127.0.0.1", headers: {} };
      const sip = await sa.status.components.create(actor, { name: "Registro SIP" }, req);
      const portal = await sb.status.components.create(actor, { name: "Portal web" }, req);
      // Two confirmed subscribers: one of the window's component, one of another.
      for (const [email, componentId] of [
        ["ana@example.com", sip.id],
        ["bruno@example.com", portal.id],
      ] as const) {
        await sa.status.subscriptions.subscribe({ email, componentIds: [componentId] });
        const row = await a.db
          .selectFrom("status_subscriptions")
          .select("token_sealed")
          .where("email", "=", email)
          .executeTakeFirstOrThrow();
        await sb.status.subscriptions.confirm(a.secrets.open(row.token_sealed));
      }

      const window = await sb.status.maintenance.create(
        actor,
        {
          title: "Atualização do Asterisk",
          startsAt: new Date(START).toISOString(),
          endsAt: new Date(END).toISOString(),
          componentIds: [sip.id],
          mode: "show",
        },
        req,
      );
      expect(window.warnings).toEqual([]);

      /** Every live node drains at the same moment (concurrently where the engine allows it). */
      const drainAll = async () => {
        for (let i = 0; i < 3; i++) {
          if (engine === "postgres") await Promise.all(live.map((n) => n.jobs.drain()));
          else for (const n of live) await n.jobs.drain();
        }
      };
      const at = async (ms: number) => {
        clock.set(new Date(ms));
        await drainAll();
      };
      await drainAll();
      await at(START - 24 * HOUR);

      // Node a claims what is due at the start (the window's start timer) and dies before running it.
      clock.set(new Date(START));
      const claimed = await new JobRepository(a.db, a.dialect).claim("a", clock.now(), new Date(START + LEASE_MS), 100);
      expect(claimed.length).toBeGreaterThan(0);
      await a.close();
      live.splice(0, 1);
      await drainAll();
      // The dead node's lease still holds: nothing has started yet.
      expect((await sb.status.maintenance.get(window.id)).state).toBe("scheduled");
      await at(START + LEASE_MS + 1);
      expect((await sb.status.maintenance.get(window.id)).state).toBe("in_progress");
      await at(END);
      await at(END + HOUR);
      expect((await sb.status.maintenance.get(window.id)).state).toBe("completed");

      const notices = await b.db
        .selectFrom("notifications")
        .select(["recipient", "params"])
        .where("thread", "=", `maintenance:${window.id}`)
        .execute();
      const phases = notices.map((n) => [n.recipient, JSON.parse(n.params).phase]).sort();
      expect(phases).toEqual([
        ["ana@example.com", "ended"],
        ["ana@example.com", "notice"],
        ["ana@example.com", "notice"],
        ["ana@example.com", "started"],
      ]);
      const events = await b.db
        .selectFrom("events")
        .select("type")
        .where("subject_id", "=", window.id)
        .orderBy("id")
        .execute();
      expect(events.map((e) => e.type)).toEqual([
        "maintenance.scheduled",
        "maintenance.started",
        "maintenance.completed",
      ]);
    } finally {
      for (const n of live) await n.close();
      await scratch.drop();
    }
  }, 120_000);
});
