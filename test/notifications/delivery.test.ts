import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_ATTEMPTS, outcomeOf, RETRY_DELAYS_MS } from "../../src/modules/notifications/delivery.js";
import type { Platform } from "../../src/platform/runtime.js";
import { createServices, type Services } from "../../src/services.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { engines, type ScratchDatabase, scratchDatabase } from "../harness.js";
import { startInbox } from "./smtp.js";

const NOW = new Date("2026-03-02T12:00:00.000Z");

describe("the outcome of an attempt", () => {
  const row = (round: number) => ({ id: "n1", attempts: round + 2, round_attempts: round });

  it("records a success with the server's answer and nothing left to do", () => {
    expect(outcomeOf(row(1), { providerMessageId: "250 OK" }, NOW)).toEqual({
      id: "n1",
      status: "sent",
      attempts: 3,
      round_attempts: 1,
      last_error: null,
      next_attempt_at: null,
      provider_message_id: "250 OK",
    });
  });

  it("retries after 30 s doubling to hourly, and is dead after the round's last attempt", () => {
    for (let round = 1; round < MAX_ATTEMPTS; round++) {
      const o = outcomeOf(row(round), { error: "451 later" }, NOW);
      expect(o.status).toBe("failed");
      expect(o.last_error).toBe("451 later");
      expect(o.next_attempt_at).toBe(new Date(NOW.getTime() + RETRY_DELAYS_MS[round - 1]!).toISOString());
    }
    expect(RETRY_DELAYS_MS.slice(0, 3)).toEqual([30_000, 60_000, 120_000]);
    const dead = outcomeOf(row(MAX_ATTEMPTS), { error: "550 no" }, NOW);
    expect(dead).toMatchObject({ status: "dead", next_attempt_at: null, last_error: "550 no" });
  });
});

describe.each(engines)("batch delivery on %s", (engine) => {
  let scratch: ScratchDatabase;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  const nodes: Platform[] = [];

  beforeEach(async () => {
    scratch = await scratchDatabase(engine);
    smtp = await startInbox();
  }, 60_000);
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.close();
    await smtp.close();
    await scratch.drop();
  });

  async function node(name: string): Promise<{ platform: Platform; services: Services }> {
    const platform = await openNode(scratch.url, name, {
      config: { smtpUrl: smtp.url, jobPollMs: 50, jobLeaseMs: 2_000, jobConcurrency: 4 },
    });
    nodes.push(platform);
    return { platform, services: createServices(platform) };
  }

  async function enqueue(services: Services, n: number, from = 0) {
    for (let i = from; i < from + n; i += 100) {
      await services.notifications.enqueue(
        Array.from({ length: Math.min(100, from + n - i) }, (_, k) => ({
          to: { email: `agente${i + k}@suporte.example` },
          template: "ticket.escalation.customer",
          params: { number: i + k, subject: "Queda de tronco", name: "Agente" },
          thread: { kind: "ticket", id: `t-${i + k}` },
        })),
      );
    }
  }

  const counts = (platform: Platform) =>
    platform.db
      .selectFrom("notifications")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("status")
      .execute()
      .then((rows) => Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])));

  it("two nodes sending the same outbox send every message once", async () => {
    const a = await node("a");
    const b = await node("b");
    await enqueue(a.services, 400);
    await Promise.all([a.platform.start(), b.platform.start()]);
    // More arrives while both send: each enqueue wakes a node, and the nodes share the rows.
    await enqueue(b.services, 200, 400);
    await waitFor("every message to be sent", async () => (await counts(a.platform)).sent === 600, 60_000, 50);

    const copies = new Map<string, number>();
    for (const m of smtp.inbox) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    expect(copies.size).toBe(600);
    expect(Math.max(...copies.values())).toBe(1);
    const rows = await a.platform.db
      .selectFrom("notifications")
      .select(["attempts", "round_attempts", "due_at", "locked_by", "provider_message_id"])
      .execute();
    expect(rows.every((r) => r.attempts === 1 && r.round_attempts === 1)).toBe(true);
    expect(rows.every((r) => r.due_at === null && r.locked_by === null)).toBe(true);
    expect(rows.every((r) => r.provider_message_id?.startsWith("250"))).toBe(true);
  }, 120_000);

  it("a node that stops mid-batch finishes what it sent, gives the rest back, and another node sends it", async () => {
    const a = await node("a");
    await enqueue(a.services, 500);
    await a.platform.start();
    await waitFor("sending to begin", () => smtp.inbox.length >= 50, 30_000, 5);
    await a.platform.close();
    nodes.splice(nodes.indexOf(a.platform), 1);

    // Nothing is left claimed: what went is recorded sent, the rest waits unattempted.
    const reader = await openNode(scratch.url, "reader");
    const left = await reader.db
      .selectFrom("notifications")
      .select(["status", "attempts", "locked_by"])
      .where("status", "!=", "sent")
      .execute();
    await reader.close();
    expect(smtp.inbox.length).toBeLessThan(500);
    expect(left.length).toBe(500 - smtp.inbox.length);
    expect(left.every((r) => r.status === "pending" && r.attempts === 0 && r.locked_by === null)).toBe(true);

    const b = await node("b");
    await b.platform.start();
    await waitFor("every message to be sent", async () => (await counts(b.platform)).sent === 500, 60_000, 50);
    expect(new Set(smtp.inbox.map((m) => m.messageId)).size).toBe(500);
    expect(smtp.inbox).toHaveLength(500);
  }, 120_000);
});
