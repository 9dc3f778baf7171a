import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BATCH_MS } from "../../src/modules/monitoring/engine-model.js";
import { phaseOf } from "../../src/modules/monitoring/schedule.js";
import { uuidv7 } from "../../src/platform/ids.js";
import type { Platform } from "../../src/platform/runtime.js";
import { insertHttpMonitors } from "../fixtures/http-monitors.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { type PrivatePostgres, privatePostgres } from "../fixtures/private-postgres.js";
import { type Child, spawnNode } from "../fixtures/processes.js";
import { postgresUrl, scratchDatabase } from "../harness.js";

/**
 * Acceptance of failover on two PostgreSQL nodes as separate processes (so kill -9, SIGTERM and SIGSTOP are
 * real) against an HTTP target that stamps every check: the largest gap of every monitor stays within
 * interval + lease + 1 s, no monitor is checked twice in one interval, and the stored per-minute counts
 * equal the target's hits.
 */
const INTERVAL_MS = 3000;
const LEASE_MS = 1500;
const MONITORS = 30;
const BOUND_MS = INTERVAL_MS + LEASE_MS + 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The monitored server: notes when each monitor's check arrived. */
class StampingTarget {
  readonly hits = new Map<string, number[]>();
  #server: Server | undefined;
  port = 0;

  async up(): Promise<this> {
    this.#server = createServer((req, res) => {
      const id = req.url!.slice(1);
      const list = this.hits.get(id) ?? [];
      list.push(Date.now());
      this.hits.set(id, list);
      res.writeHead(200, { connection: "close" }).end("ok");
    });
    await new Promise<void>((r) => this.#server!.listen(0, "127.0.0.1", r));
    this.port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  async down(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((r) => this.#server?.close(() => r()) ?? r());
  }
}

function startNode(url: string, id: string, offsetMs = 0): Child {
  return spawnNode(["--import", "tsx", "test/fixtures/monitor-node.ts", url, id, String(LEASE_MS), String(offsetMs)], {
    ...process.env,
    PLANTAO_TEST_LOG_LEVEL: "info",
  });
}

async function ready(child: Child): Promise<Child> {
  await child.line((l) => l === "ready", 60_000);
  return child;
}

async function seed(platform: Platform, port: number): Promise<string[]> {
  const ids = Array.from({ length: MONITORS }, () => uuidv7());
  await insertHttpMonitors(platform, ids, `http://127.0.0.1:${port}`, {
    intervalSeconds: INTERVAL_MS / 1000,
    timeoutSeconds: 1,
  });
  return ids;
}

/** What went wrong with the hits of `from`..`to`: gaps over the bound and intervals checked twice. */
function judge(target: StampingTarget, ids: string[], from: number, to: number) {
  const gaps: string[] = [];
  const twice: string[] = [];
  let largest = 0;
  for (const id of ids) {
    const hits = (target.hits.get(id) ?? []).filter((t) => t >= from && t <= to);
    const bounds = [from, ...hits, to];
    for (let i = 1; i < bounds.length; i++) {
      const gap = bounds[i]! - bounds[i - 1]!;
      largest = Math.max(largest, gap);
      if (gap > BOUND_MS) gaps.push(`${id}: ${gap} ms before ${new Date(bounds[i]!).toISOString()}`);
    }
    // A check belongs to the interval of the grid time it was due at: it may start a batch window early.
    const phase = phaseOf(id, INTERVAL_MS);
    const slots = hits.map((t) => Math.floor((t - phase + BATCH_MS + 100) / INTERVAL_MS));
    for (let i = 1; i < slots.length; i++) {
      if (slots[i] !== slots[i - 1]) continue;
      twice.push(`${id}: ${hits[i - 1]} and ${hits[i]}`);
    }
  }
  return { gaps, twice, largest };
}

describe.skipIf(!postgresUrl)("monitoring failover across processes on PostgreSQL", () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let target: StampingTarget;
  let db: Platform;
  const children: Child[] = [];

  beforeAll(async () => {
    scratch = await scratchDatabase("postgres");
    target = await new StampingTarget().up();
    db = await openNode(scratch.url, "test-reader");
  });
  afterAll(async () => {
    for (const c of children)
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill("SIGKILL");
    await db?.close();
    await target?.down();
    await scratch?.drop();
  });

  const owners = async () =>
    new Set((await db.db.selectFrom("monitor_shards").select("owner").execute()).map((r) => r.owner));
  const spawn = (id: string, offsetMs = 0) => {
    const c = startNode(scratch.url, id, offsetMs);
    children.push(c);
    return ready(c);
  };
  const logged = (c: Child, msg: string) => c.lines.some((l) => l.includes(`"msg":"${msg}`));
  /** What the nodes said, in time order: printed when a bound is missed, so a CI failure explains itself. */
  const story = () =>
    children
      .flatMap((c) => c.lines)
      .flatMap((l) => {
        try {
          const j = JSON.parse(l);
          return [
            `${new Date(j.time).toISOString()} ${j.node ?? ""} ${j.msg} ${j.err?.message ?? ""} ${j.shards ?? ""}`,
          ];
        } catch {
          return [];
        }
      })
      .sort()
      .join("\n");

  it("skips nothing and repeats nothing across kill -9, a rejoin and SIGTERM; counts equal the target's hits", async () => {
    const ids = await seed(db, target.port);
    // Node a's clock is 2 s ahead: the engine runs on the database's clock, so it must not matter.
    let a = await spawn("node-a", 2000);
    const b = await spawn("node-b");
    await waitFor("both nodes to hold shards", async () => (await owners()).size === 2, 15_000, 100);
    await waitFor("every monitor checked", () => ids.every((id) => target.hits.has(id)), 10_000, 50);
    const from = Date.now();
    await sleep(2 * INTERVAL_MS);

    a.process.kill("SIGKILL");
    await a.exited;
    await waitFor("node-b to hold every shard", async () => (await owners()).size === 1, 3 * LEASE_MS, 50);
    await sleep(2 * INTERVAL_MS);
    expect(logged(b, "monitor shards taken over from a node whose lease expired")).toBe(true);

    a = await spawn("node-a2");
    await waitFor("the rejoined node to hold a share", async () => (await owners()).has("node-a2"), 10_000, 100);
    await sleep(2 * INTERVAL_MS);
    expect(logged(b, "monitor shards given back to a joining node")).toBe(true);

    b.process.kill("SIGTERM");
    expect((await b.exited).code).toBe(0);
    expect(logged(b, "monitor shards handed over at stop")).toBe(true);
    await waitFor("node-a2 to hold every shard", async () => (await owners()).size === 1, 3 * LEASE_MS, 50);
    await sleep(2 * INTERVAL_MS);
    const to = Date.now();
    a.process.kill("SIGTERM");
    expect((await a.exited).code).toBe(0);

    const { gaps, twice, largest } = judge(target, ids, from, to);
    console.log(`largest gap ${largest} ms (bound ${BOUND_MS} ms) over ${to - from} ms`);
    if (gaps.length || twice.length) console.log(story());
    expect(twice, `repeated: ${twice.join("; ")}`).toEqual([]);
    expect(gaps, `largest gap ${largest} ms`).toEqual([]);
    // Every check counted once, including those of the killed node's last moments.
    const stored = await db.db.selectFrom("monitor_minutes").select(["monitor_id", "bucket", "checks"]).execute();
    const byMonitor = new Map<string, number>();
    for (const r of stored) byMonitor.set(r.monitor_id, (byMonitor.get(r.monitor_id) ?? 0) + Number(r.checks));
    for (const id of ids) expect(byMonitor.get(id), id).toBe(target.hits.get(id)!.length);
    // Per minute, the same up to checks recorded just before a minute began and stamped just after.
    const perMinute = new Map<string, number>();
    for (const r of stored) perMinute.set(r.bucket, (perMinute.get(r.bucket) ?? 0) + Number(r.checks));
    const hitsPerMinute = new Map<string, number>();
    for (const hits of target.hits.values()) {
      for (const t of hits) {
        const minute = new Date(Math.floor(t / 60_000) * 60_000).toISOString();
        hitsPerMinute.set(minute, (hitsPerMinute.get(minute) ?? 0) + 1);
      }
    }
    for (const [minute, n] of perMinute) expect(Math.abs(n - (hitsPerMinute.get(minute) ?? 0))).toBeLessThanOrEqual(1);
  }, 150_000);

  it("a node paused past its lease stops checking the shards it lost and says so", async () => {
    target.hits.clear();
    await db.db.updateTable("monitors").set({ enabled: true }).execute();
    const ids = (await db.db.selectFrom("monitors").select("id").execute()).map((r) => r.id);
    const a = await spawn("node-p");
    const b = await spawn("node-q");
    await waitFor(
      "both nodes to hold shards",
      async () => {
        const o = await owners();
        return o.has("node-p") && o.has("node-q");
      },
      15_000,
      100,
    );
    await sleep(INTERVAL_MS);
    const from = Date.now();
    a.process.kill("SIGSTOP");
    await sleep(LEASE_MS + 2 * INTERVAL_MS);
    a.process.kill("SIGCONT");
    await sleep(2 * INTERVAL_MS);
    const to = Date.now();
    expect(logged(a, "monitor shards lost")).toBe(true);
    expect(logged(b, "monitor shards taken over from a node whose lease expired")).toBe(true);
    const { gaps, twice, largest } = judge(target, ids, from, to);
    console.log(`largest gap ${largest} ms (bound ${BOUND_MS} ms) over ${to - from} ms`);
    if (gaps.length || twice.length) console.log(story());
    expect(twice, `repeated: ${twice.join("; ")}`).toEqual([]);
    // Paused longer than the lease: the bound holds from the take-over on.
    expect(gaps, `largest gap ${largest} ms`).toEqual([]);
    a.process.kill("SIGTERM");
    b.process.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
  }, 120_000);
});

describe.skipIf(!postgresUrl)("monitoring across a PostgreSQL restart under both nodes", () => {
  // A cluster of the test's own: restarting the shared server would cut every other suite's sessions.
  let server: PrivatePostgres;
  let target: StampingTarget;
  let db: Platform;
  const children: Child[] = [];

  beforeAll(async () => {
    server = await privatePostgres();
    target = await new StampingTarget().up();
    db = await openNode(server.url, "test-reader");
  }, 60_000);
  afterAll(async () => {
    for (const c of children)
      if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill("SIGKILL");
    await db?.close().catch(() => undefined);
    await target?.down();
    await server?.stop();
  });

  it("checks nothing twice and skips nothing beyond the bound, and the nodes log the outage", async () => {
    const ids = await seed(db, target.port);
    const owners = async () =>
      new Set((await db.db.selectFrom("monitor_shards").select("owner").execute()).map((r) => r.owner));
    const spawn = async (id: string) => {
      const c = startNode(server.url, id);
      children.push(c);
      return ready(c);
    };
    const a = await spawn("node-r1");
    const b = await spawn("node-r2");
    await waitFor("both nodes to hold shards", async () => (await owners()).size === 2, 15_000, 100);
    await waitFor("every monitor checked", () => ids.every((id) => target.hits.has(id)), 10_000, 50);
    const from = Date.now();
    await sleep(INTERVAL_MS);

    await server.restart();
    await waitFor("both nodes to hold shards again", async () => (await owners()).size === 2, 15_000, 100);
    await sleep(2 * INTERVAL_MS);
    const to = Date.now();

    const { gaps, twice, largest } = judge(target, ids, from, to);
    console.log(`largest gap ${largest} ms (bound ${BOUND_MS} ms) over ${to - from} ms across a restart`);
    const said = [...a.lines, ...b.lines].filter((l) => l.includes('"level":50') || l.includes('"level":40'));
    expect(twice, `repeated: ${twice.join("; ")}`).toEqual([]);
    expect(gaps, `largest gap ${largest} ms`).toEqual([]);
    expect(said.length, "the nodes say that the database went away").toBeGreaterThan(0);
    a.process.kill("SIGTERM");
    b.process.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
  }, 120_000);
});
