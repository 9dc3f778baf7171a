import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { JobRepository } from "../../src/platform/jobs/repository.js";
import type { Platform } from "../../src/platform/runtime.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { engines, type ScratchDatabase, scratchDatabase } from "../harness.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(engines)("job queue on %s", (engine) => {
  let scratch: ScratchDatabase;
  const nodes: Platform[] = [];
  const node = async (...args: Parameters<typeof openNode>) => {
    const p = await openNode(...args);
    nodes.push(p);
    return p;
  };

  beforeEach(async () => {
    scratch = await scratchDatabase(engine);
  });
  afterEach(async () => {
    for (const p of nodes.splice(0)) await p.close();
    await scratch.drop();
  });

  it("runs one-off jobs within a second of their time, without waiting for the poll interval", async () => {
    // A poll interval of a minute: only the timer aimed at the next due job can be on time.
    const p = await node(scratch.url, "a", { config: { jobPollMs: 60_000 } });
    const lateness: number[] = [];
    p.jobs.register<{ due: number }>("sla.deadline", async (job) => {
      lateness.push(Date.now() - job.payload.due);
    });
    await p.start();
    const base = Date.now();
    // Enqueued concurrently, so some land while a tick is in flight.
    await Promise.all(
      [300, 550, 800].map((ms) => p.jobs.enqueue("sla.deadline", { due: base + ms }, { runAt: new Date(base + ms) })),
    );
    await waitFor("three deadlines", () => lateness.length === 3, 3_000);
    for (const ms of lateness) {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(1_000);
    }
  });

  it("retries with backoff, then succeeds", async () => {
    const clock = new ManualClock("2025-03-10T12:00:00.000Z");
    const p = await node(scratch.url, "a", { clock });
    const attempts: number[] = [];
    p.jobs.register(
      "flaky",
      async (job) => {
        attempts.push(job.attempt);
        if (job.attempt < 3) throw new Error(`refused on try ${job.attempt}`);
      },
      { backoffMs: (attempt) => attempt * 10_000 },
    );
    const id = (await p.jobs.enqueue("flaky", {})) as string;
    const repo = new JobRepository(p.db, p.dialect);

    await p.jobs.drain();
    let row = await repo.get(id);
    expect(row).toMatchObject({ status: "queued", attempts: 1, last_error: "refused on try 1" });
    expect(row?.run_at).toBe("2025-03-10T12:00:10.000Z");

    clock.advance(9_999);
    await p.jobs.drain();
    expect(attempts).toEqual([1]);

    clock.advance(1);
    await p.jobs.drain();
    row = await repo.get(id);
    expect(row).toMatchObject({ status: "queued", attempts: 2, last_error: "refused on try 2" });
    expect(row?.run_at).toBe("2025-03-10T12:00:30.000Z");

    clock.advance(20_000);
    await p.jobs.drain();
    expect(attempts).toEqual([1, 2, 3]);
    expect(await repo.get(id)).toMatchObject({ status: "succeeded", attempts: 3, last_error: null, locked_by: null });
  });

  it("dead-letters a job after its last attempt and keeps the last error", async () => {
    const clock = new ManualClock("2025-03-10T12:00:00.000Z");
    const p = await node(scratch.url, "a", { clock });
    p.jobs.register(
      "doomed",
      async (job) => {
        throw new Error(`carrier API down (try ${job.attempt})`);
      },
      { maxAttempts: 3, backoffMs: () => 1_000 },
    );
    const id = (await p.jobs.enqueue("doomed", { trunk: "sip-1" })) as string;
    for (let i = 0; i < 4; i++) {
      await p.jobs.drain();
      clock.advance(1_000);
    }
    expect(await new JobRepository(p.db, p.dialect).get(id)).toMatchObject({
      status: "dead",
      attempts: 3,
      max_attempts: 3,
      last_error: "carrier API down (try 3)",
    });
    expect(await p.jobs.stats()).toMatchObject({ dead: 1, due: 0, running: 0 });
  });

  it("ignores a second enqueue with the same dedupe key", async () => {
    const p = await node(scratch.url, "a");
    const first = await p.jobs.enqueue("sla.deadline", { n: 1 }, { dedupeKey: "ticket-7:first-response" });
    const second = await p.jobs.enqueue("sla.deadline", { n: 2 }, { dedupeKey: "ticket-7:first-response" });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    const rows = await p.db.selectFrom("jobs").select(["id", "payload"]).execute();
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]?.payload ?? "null")).toEqual({ n: 1 });
  });

  it("queues one job per cron tick in the schedule's zone, whichever nodes schedule and run it", async () => {
    const clock = new ManualClock("2025-03-10T11:00:00.000Z"); // 08:00 in São Paulo (UTC-3)
    const a = await node(scratch.url, "a", { clock });
    const b = await node(scratch.url, "b", { clock });
    const runs: Array<{ node: string; runAt: string }> = [];
    for (const [p, name] of [
      [a, "a"],
      [b, "b"],
    ] as const) {
      p.jobs.register("report.daily", async (job) => {
        runs.push({ node: name, runAt: job.runAt });
      });
    }
    const ticks = () =>
      a.db
        .selectFrom("jobs")
        .select(["run_at", "status"])
        .where("schedule_name", "=", "daily")
        .orderBy("run_at")
        .execute();

    await Promise.all([
      a.jobs.schedule("daily", "report.daily", "0 9 * * *", "America/Sao_Paulo"),
      b.jobs.schedule("daily", "report.daily", "0 9 * * *", "America/Sao_Paulo"),
    ]);
    expect(await ticks()).toEqual([{ run_at: "2025-03-10T12:00:00.000Z", status: "queued" }]);

    for (const day of ["2025-03-10", "2025-03-11", "2025-03-12"]) {
      clock.set(`${day}T12:00:00.250Z`);
      await Promise.all([a.jobs.drain(), b.jobs.drain()]);
      // A restart re-registers the schedule: still one job for the next tick.
      await b.jobs.schedule("daily", "report.daily", "0 9 * * *", "America/Sao_Paulo");
    }
    expect(runs.map((r) => r.runAt)).toEqual([
      "2025-03-10T12:00:00.000Z",
      "2025-03-11T12:00:00.000Z",
      "2025-03-12T12:00:00.000Z",
    ]);
    expect(await ticks()).toEqual([
      { run_at: "2025-03-10T12:00:00.000Z", status: "succeeded" },
      { run_at: "2025-03-11T12:00:00.000Z", status: "succeeded" },
      { run_at: "2025-03-12T12:00:00.000Z", status: "succeeded" },
      { run_at: "2025-03-13T12:00:00.000Z", status: "queued" },
    ]);
  });

  it("stops a schedule by name prefix and starts it again when scheduled anew", async () => {
    const clock = new ManualClock("2025-03-10T11:00:00.000Z");
    const p = await node(scratch.url, "a", { clock });
    const runs: string[] = [];
    p.jobs.register<{ name: string }>("report", async (job) => {
      runs.push(job.payload.name);
    });
    for (const name of ["backup:a:full", "backup:a:check", "backup:ab:full", "backup_a:full"])
      await p.jobs.schedule(name, "report", "0 * * * *", "UTC", { name });
    // "_" is no wildcard here: only names that truly start with "backup:a:" stop.
    await p.jobs.unschedule("backup:a:");
    const enabled = async () =>
      (await p.db.selectFrom("schedules").select(["name", "enabled"]).orderBy("name").execute()).map(
        (s) => `${s.name}=${Boolean(s.enabled)}`,
      );
    expect(await enabled()).toEqual([
      "backup:a:check=false",
      "backup:a:full=false",
      "backup:ab:full=true",
      "backup_a:full=true",
    ]);
    clock.set("2025-03-10T12:00:00.250Z");
    await p.jobs.drain();
    clock.set("2025-03-10T13:00:00.250Z");
    await p.jobs.drain();
    // Each stopped schedule's tick already queued ran once; no tick followed it.
    expect(runs.filter((n) => n === "backup:a:full")).toHaveLength(1);
    expect(runs.filter((n) => n === "backup:ab:full")).toHaveLength(2);

    await p.jobs.schedule("backup:a:full", "report", "0 * * * *", "UTC", { name: "backup:a:full" });
    expect(await enabled()).toContain("backup:a:full=true");
    clock.set("2025-03-10T14:00:00.250Z");
    await p.jobs.drain();
    expect(runs.filter((n) => n === "backup:a:full")).toHaveLength(2);
  });

  it("runs each tick of a per-second schedule once while two nodes race for it in real time", async () => {
    const runs: string[] = [];
    const started: Platform[] = [];
    for (const id of ["a", "b"]) {
      const p = await node(scratch.url, id, { config: { jobPollMs: 50 } });
      p.jobs.register("heartbeat", async (job) => {
        runs.push(job.runAt);
      });
      started.push(p);
    }
    await Promise.all(started.map((p) => p.jobs.schedule("pulse", "heartbeat", "* * * * * *", "America/Sao_Paulo")));
    await Promise.all(started.map((p) => p.start()));
    await waitFor("three ticks", () => runs.length >= 3, 5_000);
    expect(new Set(runs).size).toBe(runs.length);
    // Whole-second ticks, each once; a tick the nodes reach late is skipped, never doubled.
    for (const r of runs) expect(r).toMatch(/:\d{2}\.000Z$/);
    const times = runs.map((r) => new Date(r).getTime()).sort((x, y) => x - y);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1_000);
  });

  it("lets another node take over a job whose node died once the lease expires", async () => {
    const clock = new ManualClock("2025-03-10T12:00:00.000Z");
    const b = await node(scratch.url, "b", { clock });
    const ran: number[] = [];
    b.jobs.register("ticket.escalate", async (job) => {
      ran.push(job.attempt);
    });
    const repo = new JobRepository(b.db, b.dialect);
    const id = (await b.jobs.enqueue("ticket.escalate", {})) as string;
    // Node "a" claims it with a 1 s lease and dies: no heartbeat, no result.
    const now = clock.now();
    expect(await repo.claim("a", now, new Date(now.getTime() + 1_000), 10)).toHaveLength(1);

    clock.advance(999);
    await b.jobs.drain();
    expect(ran).toEqual([]);
    expect(await repo.get(id)).toMatchObject({ status: "running", locked_by: "a" });

    clock.advance(2);
    await b.jobs.drain();
    expect(ran).toEqual([2]);
    expect(await repo.get(id)).toMatchObject({ status: "succeeded", attempts: 2 });
    // Node "a" coming back to life cannot overwrite the outcome.
    await repo.fail(id, "a", clock.now(), "late", null);
    expect(await repo.get(id)).toMatchObject({ status: "succeeded" });
  });

  it("dead-letters a job whose node died during its last allowed attempt", async () => {
    const clock = new ManualClock("2025-03-10T12:00:00.000Z");
    const b = await node(scratch.url, "b", { clock });
    b.jobs.register("poison", async () => {});
    const repo = new JobRepository(b.db, b.dialect);
    const id = (await b.jobs.enqueue("poison", {}, { maxAttempts: 1 })) as string;
    await repo.claim("a", clock.now(), new Date(clock.now().getTime() + 1_000), 10);
    clock.advance(5_000);
    await b.jobs.drain();
    expect(await repo.get(id)).toMatchObject({ status: "dead", attempts: 1, last_error: "lease expired on node a" });
  });

  it("stops gracefully: finishes short jobs and gives back long ones without counting the attempt", async () => {
    const a = await node(scratch.url, "a", { config: { jobPollMs: 50 } });
    let slowAborted = false;
    const running = new Set<string>();
    a.jobs.register("quick", async () => {
      running.add("quick");
      await sleep(100);
    });
    a.jobs.register("slow", async (job) => {
      running.add("slow");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20_000);
        job.signal.addEventListener("abort", () => {
          slowAborted = true;
          clearTimeout(timer);
          resolve();
        });
      });
    });
    await a.start();
    const quick = (await a.jobs.enqueue("quick", {})) as string;
    const slow = (await a.jobs.enqueue("slow", {})) as string;
    await waitFor("both jobs running", () => running.size === 2, 3_000);

    const t0 = Date.now();
    await a.jobs.stop(1_000);
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect(slowAborted).toBe(true);
    const repo = new JobRepository(a.db, a.dialect);
    expect(await repo.get(quick)).toMatchObject({ status: "succeeded" });
    expect(await repo.get(slow)).toMatchObject({ status: "queued", attempts: 0, locked_by: null, locked_until: null });
  });

  it("keeps queued jobs across closing and reopening the database", async () => {
    const clock = new ManualClock("2025-03-10T12:00:00.000Z");
    const first = await openNode(scratch.url, "a", { clock });
    const later = (await first.jobs.enqueue(
      "backup.run",
      { target: "pbx-1" },
      { runAt: new Date("2025-03-10T13:00:00Z") },
    )) as string;
    await first.close();

    const second = await node(scratch.url, "a2", { clock });
    const seen: unknown[] = [];
    second.jobs.register("backup.run", async (job) => {
      seen.push(job.payload);
    });
    await second.jobs.drain();
    expect(seen).toEqual([]);
    clock.set("2025-03-10T13:00:00.000Z");
    await second.jobs.drain();
    expect(seen).toEqual([{ target: "pbx-1" }]);
    expect(await new JobRepository(second.db, second.dialect).get(later)).toMatchObject({ status: "succeeded" });
  });
});
