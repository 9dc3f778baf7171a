import { performance } from "node:perf_hooks";
import { type Kysely, sql } from "kysely";
import { openStatuses } from "../src/modules/tickets/model.js";
import { QueueRepository } from "../src/modules/tickets/queue-repository.js";
import type { DB } from "../src/platform/db/schema.js";
import { benchEngines, report, startBenchServer, startCpuProfile } from "./harness.js";
import { type Seeded, seed } from "./tickets-queue.bench.js";

/**
 * The agent console's heavy reads and writes on the tickets-queue data set (set its size with
 * PLANTAO_BENCH_TICKETS; 200,000 by this bench's measurements):
 * - queue counts (open, mine, team, unassigned, breaching, breached, watched): p95 of the repository's counts,
 *   one index-only count per queue, against the one pass over every open ticket it replaced (its SQL below),
 *   timed the same way in the same run: ratio = new / old;
 * - a bulk status change over 1,000 open tickets (POST /api/v1/tickets/bulk, a transaction per 50 tickets,
 *   each chunk read in one statement and written with a few set-based ones) against the same change as one PATCH per ticket, four at a time (what the bulk
 *   action did before): ratio = bulk / one by one.
 */
const SAMPLES = 60;
const WARMUP = 5;
/** Tickets of the bulk change (PLANTAO_BENCH_BULK; 1,000 by default, the bulk size). */
const BULK = Number(process.env.PLANTAO_BENCH_BULK || 1000);

/** The counts as one pass over the open tickets' rows (before migration 0044): the baseline. */
async function onePassCounts(db: Kysely<DB>, f: { userId: string; teams: string[]; now: string; soon: string }) {
  const T = sql.lit(true);
  const n = (cond: ReturnType<typeof sql>) => sql<number>`coalesce(sum(CASE WHEN ${cond} THEN 1 ELSE 0 END), 0)`;
  const row = await db
    .selectFrom("tickets")
    .where("tickets.status", "in", [...openStatuses])
    .select([
      (eb) => eb.fn.countAll<number>().as("open"),
      n(sql`tickets.assignee_user_id = ${f.userId}`).as("mine"),
      n(sql`tickets.assignee_user_id IS NULL`).as("unassigned"),
      n(sql`tickets.team IN (${sql.join(f.teams)})`).as("team"),
      n(sql`tickets.sla_due_at >= ${f.now} AND tickets.sla_due_at < ${f.soon}`).as("breaching"),
      n(sql`tickets.sla_breached = ${T}`).as("breached"),
    ])
    .executeTakeFirstOrThrow();
  const watched = await db
    .selectFrom("ticket_watchers")
    .innerJoin("tickets", "tickets.id", "ticket_watchers.ticket_id")
    .where("ticket_watchers.user_id", "=", f.userId)
    .where("tickets.status", "in", [...openStatuses])
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return { ...row, watched: watched.n };
}

async function p95(fn: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)]! * 100) / 100;
  return { p50: at(0.5), p95: at(0.95) };
}

export default async function ticketConsole(): Promise<void> {
  for (const engine of benchEngines) {
    let seeded!: Seeded;
    let token = "";
    const server = await startBenchServer(engine, async (s) => {
      await s.services.plan.ensureSeeded();
      await s.services.directory.bootstrap({});
      seeded = await seed(s);
      await s.services.directory.createUser(null, {
        email: "bench@example.com",
        name: "Bench",
        role: "manager",
        password: "bench password 123",
      });
      const actor = await s.services.directory.findUserByEmail("bench@example.com");
      token = (
        await s.services.authentication.createToken(actor!, { name: "bench", scopes: ["*:read", "tickets:write"] })
      ).token;
    });
    try {
      const db = server.platform.db;
      const common = {
        engine,
        tickets: Number(process.env.PLANTAO_BENCH_TICKETS || 1_000_000),
        openTickets: seeded.open,
        node: process.version,
      };
      const now = new Date().toISOString();
      const soon = new Date(Date.now() + 4 * 3600_000).toISOString();
      const filter = { userId: seeded.agents[0]!, teams: ["voz", "noc"], now, soon };
      const repo = new QueueRepository(db, server.platform.dialect);
      // Both give the same figures.
      const [a, b] = [await onePassCounts(db, filter), await repo.counts({ ...filter, soonBefore: soon })];
      for (const k of ["open", "mine", "team", "unassigned", "breaching", "breached", "watched"] as const)
        if (Number(a[k]) !== b[k]) throw new Error(`counts differ on ${k}: ${a[k]} vs ${b[k]}`);
      const old = await p95(() => onePassCounts(db, filter));
      const counts = await p95(() => repo.counts({ ...filter, soonBefore: soon }));
      report({
        name: "ticket-console-counts",
        metric: "latency p95 ms",
        value: counts.p95,
        baseline: old.p95,
        baselineWhat: `the one pass over every open ticket's row it replaced, p95 ${old.p95} ms in this run`,
        what: "queue counts (open, mine, team, unassigned, breaching, breached, watched), one index-only count each",
        p50Ms: counts.p50,
        baselineP50Ms: old.p50,
        samples: SAMPLES,
        ...common,
      });
      const open = await db
        .selectFrom("tickets")
        .select("id")
        .where("status", "=", "open")
        .orderBy("id", "desc")
        .limit(2 * BULK)
        .execute();
      if (open.length < 2 * BULK) throw new Error(`only ${open.length} open tickets`);
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const t0 = performance.now();
      const res = await fetch(`${server.origin}/api/v1/tickets/bulk`, {
        method: "POST",
        headers,
        body: JSON.stringify({ ticketIds: open.slice(0, BULK).map((r) => r.id), action: "status", status: "on_hold" }),
      });
      const body = (await res.json()) as { succeeded: number };
      const bulkMs = performance.now() - t0;
      if (body.succeeded !== BULK) throw new Error(`bulk: ${JSON.stringify(body).slice(0, 300)}`);
      const ids = open.slice(BULK).map((r) => r.id);
      let next = 0;
      // PLANTAO_BENCH_CPU_PROFILE: the one-by-one PATCHes (the server runs in this process).
      const stopProfile = await startCpuProfile();
      const t1 = performance.now();
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < ids.length) {
            const id = ids[next++]!;
            const r = await fetch(`${server.origin}/api/v1/tickets/${id}`, {
              method: "PATCH",
              headers,
              body: JSON.stringify({ status: "on_hold" }),
            });
            if (r.status !== 200) throw new Error(`PATCH ${id}: ${r.status} ${await r.text()}`);
          }
        }),
      );
      const oneByOneMs = performance.now() - t1;
      await stopProfile?.(`ticket-console-patch-${engine}`);
      report({
        name: "ticket-console-bulk",
        metric: `ms for ${BULK} tickets`,
        value: Math.round(bulkMs),
        baseline: Math.round(oneByOneMs),
        baselineWhat: `the same change as one PATCH per ticket, four at a time: ${Math.round(oneByOneMs)} ms in this run`,
        what: `POST /api/v1/tickets/bulk, status of ${BULK} open tickets`,
        ...common,
      });
    } finally {
      await server.close();
    }
  }
}
