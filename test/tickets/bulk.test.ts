import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor } from "../harness.js";

/**
 * Counts every statement the driver runs (BEGIN, SAVEPOINT and COMMIT included) while `fn` runs: pg's query on
 * PostgreSQL, better-sqlite3's statement calls on SQLite (the platform keeps statements prepared).
 */
async function countingStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const scratch = new Database(":memory:");
  const targets: [object, string][] = [
    [pg.Client.prototype, "query"],
    ...["all", "run", "iterate"].map((m): [object, string] => [Object.getPrototypeOf(scratch.prepare("SELECT 1")), m]),
  ];
  scratch.close();
  const originals = targets.map(([proto, name]) => (proto as Record<string, (...a: unknown[]) => unknown>)[name]!);
  targets.forEach(([proto, name], i) => {
    (proto as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return originals[i]!.apply(this, args);
    };
  });
  try {
    return { result: await fn(), statements };
  } finally {
    targets.forEach(([proto, name], i) => {
      (proto as Record<string, unknown>)[name] = originals[i];
    });
  }
}

describe.each(engines)("bulk ticket changes on %s", (engine) => {
  const clock = new ManualClock("2026-11-27T14:00:00.000Z");
  let t: TestContext;
  let acme: string;
  let agent: Awaited<ReturnType<typeof tokenFor>>;
  const req = { ip: "127.0.0.1", headers: {} };

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    acme = (await createOrganization(t, "Acme Telecom")).id;
    agent = await tokenFor(t, "agent");
  });
  afterAll(() => t.close());

  const staff = () => ({
    userId: agent.user.id,
    email: agent.user.email,
    name: agent.user.name,
    role: "agent" as const,
    organizationId: t.providerId,
    tier: null,
    teams: [],
    via: "token" as const,
  });

  async function openTickets(n: number) {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const ticket = await t.services.tickets.create(
        staff(),
        {
          subject: `Lote ${i}`,
          description: "em massa",
          type: "usage_question",
          severity: "low",
          organizationId: acme,
        },
        req,
      );
      ids.push(ticket.id);
    }
    return ids;
  }

  const bulk = (payload: Record<string, unknown>) =>
    t.app.inject({ method: "POST", url: "/api/v1/tickets/bulk", headers: agent.headers, payload });

  const perTicket = async (table: "ticket_history" | "events" | "audit_log" | "timers", ids: string[]) => {
    const db = t.platform.db;
    const rows =
      table === "ticket_history"
        ? await db.selectFrom("ticket_history").select("ticket_id as id").where("ticket_id", "in", ids).execute()
        : table === "events"
          ? await db
              .selectFrom("events")
              .select("subject_id as id")
              .where("type", "=", "ticket.updated")
              .where("subject_id", "in", ids)
              .execute()
          : table === "audit_log"
            ? await db
                .selectFrom("audit_log")
                .select("target_id as id")
                .where("action", "=", "ticket.updated")
                .where("target_id", "in", ids)
                .execute()
            : await db.selectFrom("timers").select("subject_id as id").where("subject_id", "in", ids).execute();
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(r.id!, (counts.get(r.id!) ?? 0) + 1);
    return counts;
  };

  it("applies a mixed chunk over several chunks: failures reported, the rest changed once each", async () => {
    const ids = await openTickets(120);
    // Refused: a closed ticket cannot be put on hold, a merged one cannot change, an unknown one does not exist.
    await t.services.tickets.update(staff(), ids[7]!, { status: "closed" }, req);
    await t.services.tickets.merge(staff(), ids[64]!, ids[0]!, req);
    const unknown = "01900000-0000-7000-8000-000000000000";
    const asked = [...ids, unknown];
    const refused = new Set([ids[7], ids[64], unknown]);
    const changed = ids.filter((id) => !refused.has(id));
    const [history, events, audit] = await Promise.all([
      perTicket("ticket_history", changed),
      perTicket("events", changed),
      perTicket("audit_log", changed),
    ]);
    clock.advance(60_000);
    const { result: res, statements } = await countingStatements(() =>
      bulk({ ticketIds: asked, action: "status", status: "on_hold" }),
    );
    console.log(`bulk status over ${asked.length} tickets on ${engine}: ${statements} statements`);
    expect(res.statusCode, res.body).toBe(200);
    // Set-based per chunk of 50: a few statements per chunk, not per ticket (about 14 per ticket one by one).
    expect(statements).toBeLessThan(asked.length);
    const body = res.json();
    expect(body).toMatchObject({ succeeded: changed.length, failed: 3 });
    expect(body.results.map((r: { ticketId: string }) => r.ticketId)).toEqual(asked);
    expect(body.results[7]).toMatchObject({
      ok: false,
      status: 409,
      type: expect.stringContaining("invalid-transition"),
    });
    expect(body.results[64]).toMatchObject({ ok: false, status: 409 });
    expect(body.results[120]).toMatchObject({ ok: false, status: 404 });
    const statuses = await t.platform.db
      .selectFrom("tickets")
      .select(["id", "status"])
      .where("id", "in", ids)
      .execute();
    const status = new Map(statuses.map((r) => [r.id, r.status]));
    expect(status.get(ids[7]!)).toBe("closed");
    for (const id of changed) expect(status.get(id)).toBe("on_hold");
    // Exactly one history row, event and audit row more per ticket changed; one SLA timer per ticket.
    const [history2, events2, audit2, timers] = await Promise.all([
      perTicket("ticket_history", changed),
      perTicket("events", changed),
      perTicket("audit_log", changed),
      perTicket("timers", changed),
    ]);
    for (const id of changed) {
      expect(history2.get(id)! - (history.get(id) ?? 0)).toBe(1);
      expect(events2.get(id)! - (events.get(id) ?? 0)).toBe(1);
      expect(audit2.get(id)! - (audit.get(id) ?? 0)).toBe(1);
      expect(timers.get(id)).toBe(1);
    }
    expect((await t.services.audit.verify()).firstBreak).toBeNull();
    // The SLA columns were recomputed from each ticket's clocks: its due time is the earliest breach still counting.
    const sla = (
      await t.app.inject({ method: "GET", url: `/api/v1/tickets/${ids[100]}/sla`, headers: agent.headers })
    ).json();
    const counting = sla.clocks.filter((c: { status: string }) => c.status === "running" || c.status === "paused");
    const due = counting.map((c: { breachAt: string }) => c.breachAt).sort()[0] ?? null;
    const row = await t.platform.db
      .selectFrom("tickets")
      .select("sla_due_at")
      .where("id", "=", ids[100]!)
      .executeTakeFirst();
    expect(row?.sla_due_at === null ? null : new Date(row!.sla_due_at!).toISOString()).toBe(due);
  }, 600_000);

  it("changes nothing on a ticket that already has the value, and keeps the tags action relative to each ticket", async () => {
    const ids = await openTickets(3);
    await t.services.tickets.update(staff(), ids[1]!, { tags: ["vip"] }, req);
    const before = await perTicket("ticket_history", ids);
    const res = await bulk({ ticketIds: ids, action: "tag", addTags: ["lote"], removeTags: ["vip"] });
    expect(res.json()).toMatchObject({ succeeded: 3, failed: 0 });
    const tags = await t.platform.db.selectFrom("tickets").select(["id", "tags"]).where("id", "in", ids).execute();
    for (const r of tags) expect(JSON.parse(r.tags)).toEqual(["lote"]);
    const again = await bulk({ ticketIds: ids, action: "tag", addTags: ["lote"] });
    expect(again.json()).toMatchObject({ succeeded: 3, failed: 0 });
    const after = await perTicket("ticket_history", ids);
    for (const id of ids) expect(after.get(id)! - (before.get(id) ?? 0)).toBe(1);
  });

  it("sets severity, tier and team in bulk, each with its line in every ticket's history", async () => {
    const ids = await openTickets(3);
    for (const [payload, field, after] of [
      [{ action: "severity", severity: "high" }, "severity", "high"],
      [{ action: "tier", tier: "L2" }, "tier", "L2"],
      [{ action: "team", team: "voz" }, "team", "voz"],
    ] as const) {
      const res = await bulk({ ticketIds: ids, ...payload });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ succeeded: 3, failed: 0 });
      for (const id of ids) {
        const timeline = (await t.app.inject({ url: `/api/v1/tickets/${id}/timeline`, headers: agent.headers })).json();
        expect(timeline.history.at(-1)).toMatchObject({ field, after });
      }
    }
    const rows = await t.platform.db
      .selectFrom("tickets")
      .select(["severity", "tier", "team"])
      .where("id", "in", ids)
      .execute();
    expect(rows).toEqual(ids.map(() => ({ severity: "high", tier: "L2", team: "voz" })));
    // Clearing the team is a bulk change too.
    expect((await bulk({ ticketIds: ids, action: "team", team: null })).json()).toMatchObject({ succeeded: 3 });
    const cleared = await t.platform.db.selectFrom("tickets").select("team").where("id", "in", ids).execute();
    expect(cleared.map((r) => r.team)).toEqual([null, null, null]);
  });

  it("redoes a chunk one ticket at a time, each under its savepoint, when the chunk's write fails", async () => {
    const ids = await openTickets(4);
    await t.services.tickets.update(staff(), ids[2]!, { status: "closed" }, req);
    const before = await perTicket("ticket_history", ids);
    const write = vi.spyOn(t.services.tickets.changes, "apply").mockRejectedValueOnce(new Error("write failed"));
    const res = await bulk({ ticketIds: ids, action: "status", status: "on_hold" });
    write.mockRestore();
    expect(res.json()).toMatchObject({ succeeded: 3, failed: 1 });
    expect(res.json().results[2]).toMatchObject({ ticketId: ids[2], ok: false, status: 409 });
    const after = await perTicket("ticket_history", ids);
    for (const id of [ids[0]!, ids[1]!, ids[3]!]) expect(after.get(id)! - (before.get(id) ?? 0)).toBe(1);
    expect(after.get(ids[2]!)).toBe(before.get(ids[2]!));
    expect((await perTicket("audit_log", ids)).get(ids[0]!)).toBe(1);
  });

  it("checks each ticket under the actor's tenancy: another organization's ticket does not exist for a customer", async () => {
    const other = (await createOrganization(t, "Outra")).id;
    const customer = await tokenFor(t, "customer", { organizationId: acme });
    const [own, theirs] = [
      await t.services.tickets.create(
        staff(),
        { subject: "Nossa", description: "d", type: "usage_question", severity: "low", organizationId: acme },
        req,
      ),
      await t.services.tickets.create(
        staff(),
        { subject: "Deles", description: "d", type: "usage_question", severity: "low", organizationId: other },
        req,
      ),
    ];
    const actor = { ...staff(), userId: customer.user.id, role: "customer" as const, organizationId: acme };
    const check = (patch: { status: "resolved" | "on_hold" }) =>
      t.platform.db
        .transaction()
        .execute((trx) => t.services.tickets.changes.check(trx, actor, [own.id, theirs.id], () => patch));
    const resolved = await check({ status: "resolved" });
    expect(resolved.get(own.id)).toMatchObject({ after: { status: "resolved" } });
    expect(resolved.get(theirs.id)).toMatchObject({ status: 404 });
    expect((await check({ status: "on_hold" })).get(own.id)).toMatchObject({ status: 403 });
  });
});
