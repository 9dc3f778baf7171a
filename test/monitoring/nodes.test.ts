import { Type } from "typebox";
import { describe, expect, it } from "vitest";
import type { Actor } from "../../src/modules/identity/actor.js";
import type { ProbeType } from "../../src/modules/monitoring/checks/types.js";
import { SHARDS } from "../../src/modules/monitoring/schedule.js";
import type { Platform } from "../../src/platform/runtime.js";
import { createServices, type Services } from "../../src/services.js";
import { openNode, waitFor } from "../fixtures/nodes.js";
import { postgresUrl, scratchDatabase } from "../harness.js";

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
const LEASE_MS = 1500;
const INTERVAL_MS = 5000;

interface Check {
  node: string;
  monitor: string;
  at: number;
}

/** Targets (monitor ids) the counting probe reports as down. */
const failing = new Set<string>();

/** A probe that answers at once and notes which node ran which monitor when. */
function countingProbe(node: string, log: Check[]): ProbeType {
  return {
    type: "count",
    settings: Type.Object({}, { additionalProperties: false }),
    validateTarget: () => null,
    run: async (target) => {
      log.push({ node, monitor: target, at: Date.now() });
      return failing.has(target)
        ? { status: "down", latencyMs: null, reason: "test_down", message: "down by the test" }
        : { status: "up", latencyMs: 1, reason: null, message: null };
    },
  };
}

async function node(url: string, id: string, log: Check[]): Promise<{ platform: Platform; services: Services }> {
  const platform = await openNode(url, id, { config: { monitorLeaseMs: LEASE_MS, jobsEnabled: false } });
  const services = createServices(platform);
  services.monitoring.registerProbe(countingProbe(id, log));
  await platform.start();
  return { platform, services };
}

async function createMonitors(services: Services, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    // The target is only a label for the counting probe; it is set to the id right after creation.
    const m = await services.monitoring.create(
      actor,
      { name: `m${i}`, type: "count", target: "pending", intervalSeconds: INTERVAL_MS / 1000, timeoutSeconds: 1 },
      req,
    );
    await services.monitoring.update(actor, m.id, { target: m.id }, req);
    ids.push(m.id);
  }
  return ids;
}

describe.skipIf(!postgresUrl)("monitors shared by nodes on PostgreSQL", () => {
  it("spreads the monitors over two nodes; when one stops, the other runs them within one interval", async () => {
    const scratch = await scratchDatabase("postgres");
    const log: Check[] = [];
    const a = await node(scratch.url, "node-a", log);
    const b = await node(scratch.url, "node-b", log);
    try {
      const ids = await createMonitors(a.services, 40);
      await a.services.monitoring.start();
      await b.services.monitoring.start();
      const [ea, eb] = [a.services.monitoring.engine, b.services.monitoring.engine];
      await waitFor(
        "both nodes to run a share",
        () => ea.running().length > 0 && eb.running().length > 0 && ea.running().length + eb.running().length === 40,
        10_000,
      );
      const onA = ea.running();
      expect(onA.some((id) => eb.running().includes(id))).toBe(false);
      const shards = await a.platform.db.selectFrom("monitor_shards").select("owner").execute();
      expect(shards).toHaveLength(SHARDS);
      expect(new Set(shards.map((s) => s.owner))).toEqual(new Set(["node-a", "node-b"]));

      await a.services.monitoring.stop();
      const stoppedAt = Date.now();
      await waitFor("node-b to run every monitor", () => eb.running().length === 40, LEASE_MS + 1000);
      // Every monitor node-a had is checked by node-b within one interval (plus one shard round and slack).
      await waitFor(
        "node-b to check node-a's monitors",
        () => onA.every((id) => log.some((c) => c.node === "node-b" && c.monitor === id && c.at >= stoppedAt)),
        INTERVAL_MS + LEASE_MS,
        50,
      );
      expect(log.filter((c) => c.node === "node-a" && c.at > stoppedAt + 100)).toEqual([]);
      // A monitor handed to node-b by the rebalance before any check waits for its grid time: within an interval.
      await waitFor(
        "every monitor to be checked",
        () => ids.every((id) => log.some((c) => c.monitor === id)),
        INTERVAL_MS + LEASE_MS,
        50,
      );
      expect(new Set(log.map((c) => c.monitor))).toEqual(new Set(ids));
    } finally {
      await a.services.monitoring.stop();
      await b.services.monitoring.stop();
      await a.platform.close();
      await b.platform.close();
      await scratch.drop();
    }
  }, 60_000);

  it("marks a child UNREACHABLE when its parent, run by the other node, goes DOWN", async () => {
    const scratch = await scratchDatabase("postgres");
    const log: Check[] = [];
    const a = await node(scratch.url, "node-a", log);
    const b = await node(scratch.url, "node-b", log);
    try {
      await createMonitors(a.services, 16);
      await a.services.monitoring.start();
      await b.services.monitoring.start();
      const [ea, eb] = [a.services.monitoring.engine, b.services.monitoring.engine];
      await waitFor("both nodes to run a share", () => ea.running().length > 0 && eb.running().length > 0, 10_000);
      const parent = ea.running()[0]!;
      const child = eb.running()[0]!;
      await a.services.monitoring.update(actor, child, { parentId: parent, retries: 3 }, req);
      const status = async (id: string) => (await a.services.monitoring.get(id)).state?.status;
      await waitFor("both UP", async () => (await status(parent)) === "UP" && (await status(child)) === "UP", 10_000);
      failing.add(parent);
      failing.add(child);
      await waitFor("the parent DOWN", async () => (await status(parent)) === "DOWN", INTERVAL_MS + 2000);
      await waitFor("the child UNREACHABLE", async () => (await status(child)) === "UNREACHABLE", INTERVAL_MS + 2000);
      const seen = await a.platform.db
        .selectFrom("monitor_intervals")
        .select("status")
        .where("monitor_id", "=", child)
        .orderBy("id")
        .execute();
      expect(seen.map((r) => r.status)).not.toContain("DOWN");
      failing.delete(parent);
      failing.delete(child);
      await waitFor("the child UP again", async () => (await status(child)) === "UP", 2 * INTERVAL_MS + 2000);
    } finally {
      failing.clear();
      await a.services.monitoring.stop();
      await b.services.monitoring.stop();
      await a.platform.close();
      await b.platform.close();
      await scratch.drop();
    }
  }, 60_000);

  it("takes over the shards of a node that died holding them once their lease runs out", async () => {
    const scratch = await scratchDatabase("postgres");
    const log: Check[] = [];
    const b = await node(scratch.url, "node-b", log);
    try {
      const ids = await createMonitors(b.services, 12);
      // A node that crashed a moment ago: it holds every shard and was seen just now, and will never renew.
      const until = new Date(Date.now() + LEASE_MS).toISOString();
      await b.platform.db
        .insertInto("monitor_shards")
        .values(Array.from({ length: SHARDS }, (_, shard) => ({ shard, owner: "ghost", lease_until: until })))
        .execute();
      await b.platform.db
        .insertInto("monitor_nodes")
        .values({ node_id: "ghost", seen_at: new Date().toISOString() })
        .execute();
      const started = Date.now();
      await b.services.monitoring.start();
      expect(b.services.monitoring.engine.running()).toEqual([]);
      await waitFor(
        "node-b to take every monitor",
        () => b.services.monitoring.engine.running().length === 12,
        3 * LEASE_MS + 2000,
      );
      await waitFor(
        "node-b to check them all",
        () => ids.every((id) => log.some((c) => c.monitor === id)),
        INTERVAL_MS + 1000,
        50,
      );
      expect(Date.now() - started).toBeLessThan(LEASE_MS + INTERVAL_MS + 3000);
      const owners = await b.platform.db.selectFrom("monitor_shards").select("owner").distinct().execute();
      expect(owners).toEqual([{ owner: "node-b" }]);
    } finally {
      await b.services.monitoring.stop();
      await b.platform.close();
      await scratch.drop();
    }
  }, 60_000);
});
