import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DomainEvent } from "../../src/platform/events/bus.js";
import { planUpdated } from "../fixtures/events.js";
import { postgresUrl, type TestContext, testApp } from "../harness.js";

describe.skipIf(!postgresUrl)("event delivery when the LISTEN connection drops (PostgreSQL)", () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await testApp("postgres", { start: true });
  });
  afterAll(() => t.close());

  it("reconnects and delivers what was committed meanwhile, each event once", async () => {
    const seen: DomainEvent[] = [];
    t.platform.events.subscribe((e) => seen.push(e));
    await t.platform.events.publish(planUpdated(1, "before.drop"));
    await expect.poll(() => seen.map((e) => e.subjectId)).toContain("before.drop");

    // Kill every LISTEN session on this database from outside, as a network cut or failover would.
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    const dbName = new URL(t.databaseUrl).pathname.slice(1);
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
      [dbName],
    );
    await admin.end();
    expect(killed.rowCount).toBeGreaterThanOrEqual(1);
    await t.platform.events.publish(planUpdated(2, "during.outage"));

    await expect.poll(() => seen.map((e) => e.subjectId), { timeout: 10_000 }).toContain("during.outage");
    await t.platform.events.publish(planUpdated(3, "after.reconnect"));
    await expect.poll(() => seen.map((e) => e.subjectId), { timeout: 5_000 }).toContain("after.reconnect");
    const ids = seen.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
