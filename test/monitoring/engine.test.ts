import { createServer, type Server } from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { waitFor } from "../fixtures/nodes.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

/** A local HTTP target that can go down (its port refuses connections) and come back on the same port. */
class Target {
  #server: Server | undefined;
  port = 0;
  status = 200;
  delayMs = 0;
  get url() {
    return `http://127.0.0.1:${this.port}/health`;
  }
  async up(): Promise<this> {
    const server = createServer((_req, res) => {
      setTimeout(() => res.writeHead(this.status, { connection: "close" }).end("ok"), this.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }
  async down(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

describe.each(engines)("monitoring engine on %s", (engine) => {
  let t: TestContext;
  const clock = new ManualClock("2026-03-02T12:00:10.000Z");
  let admin: Record<string, string>;
  const targets: Target[] = [];

  beforeAll(async () => {
    // Events flow live (the bus is started); the engine runs only what is due at the manual clock's time.
    t = await testApp(engine, { clock, start: true, config: { jobsEnabled: false } });
    admin = (await tokenFor(t, "admin")).headers;
    await t.services.monitoring.start();
  });
  afterAll(async () => {
    await t.services.monitoring.stop();
    await t.close();
    for (const target of targets) await target.down();
  });

  const monitoring = () => t.services.monitoring;
  const target = async () => {
    const x = await new Target().up();
    targets.push(x);
    return x;
  };
  const create = async (body: Record<string, unknown>) => {
    const res = await t.app.inject({ method: "POST", url: "/api/v1/monitors", headers: admin, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; pushToken?: string };
  };
  const stateOf = async (id: string) => {
    const res = await t.app.inject({ url: `/api/v1/monitors/${id}`, headers: admin });
    return res.json().state as { status: string; reason: string | null; message: string | null } | null;
  };
  /** Moves the clock one interval on and lets the engine run what fell due. */
  const tick = async (seconds = 30) => {
    clock.advance(seconds * 1000);
    await monitoring().engine.runDue();
  };
  const changes = async (id: string) =>
    (
      await t.platform.db
        .selectFrom("events")
        .select(["payload"])
        .where("type", "=", "monitor.state_changed")
        .where("subject_id", "=", id)
        .orderBy("id")
        .execute()
    ).map((e) => {
      const p = JSON.parse(e.payload);
      return `${p.from ?? "-"}>${p.to}`;
    });

  it("goes UP, PENDING through its retries, DOWN, and UP again as its target fails and recovers", async () => {
    const web = await target();
    const m = await create({
      name: "Web",
      type: "http",
      target: web.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
      retries: 2,
    });
    // A new monitor is checked at once.
    await monitoring().engine.idle();
    expect(await stateOf(m.id)).toMatchObject({ status: "UP", reason: null });

    await web.down();
    await tick();
    expect(await stateOf(m.id)).toMatchObject({ status: "PENDING" });
    const reason = (await stateOf(m.id))!.reason;
    expect(reason).toMatch(/refused|connect/);
    await tick();
    expect((await stateOf(m.id))!.status).toBe("PENDING");
    await tick();
    expect(await stateOf(m.id)).toMatchObject({ status: "DOWN", reason });

    await web.up();
    await tick();
    expect(await stateOf(m.id)).toMatchObject({ status: "UP", reason: null, message: null });
    expect(await changes(m.id)).toEqual(["->UP", "UP>PENDING", "PENDING>DOWN", "DOWN>UP"]);

    const history = await t.app.inject({ url: `/api/v1/monitors/${m.id}/history`, headers: admin });
    expect(history.json().items.map((i: { status: string }) => i.status)).toEqual(["UP", "DOWN", "PENDING", "UP"]);
    // UP 12:00:10, PENDING 12:00:40, DOWN 12:01:40, UP 12:02:10: a window gets the intervals overlapping it.
    const windowed = async (query: string) => {
      const res = await t.app.inject({ url: `/api/v1/monitors/${m.id}/history?${query}`, headers: admin });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { items: Array<{ status: string }>; nextCursor: string | null };
    };
    const statusesOf = (page: { items: Array<{ status: string }> }) => page.items.map((i) => i.status);
    expect(statusesOf(await windowed("from=2026-03-02T12:01:00Z&to=2026-03-02T12:02:00Z"))).toEqual([
      "DOWN",
      "PENDING",
    ]);
    expect(statusesOf(await windowed("from=2026-03-02T12:02:05Z"))).toEqual(["UP", "DOWN"]);
    expect(statusesOf(await windowed("to=2026-03-02T12:00:40Z"))).toEqual(["UP"]);
    const first = await windowed("from=2026-03-02T12:00:00Z&to=2026-03-02T12:02:00Z&limit=2");
    expect(statusesOf(first)).toEqual(["DOWN", "PENDING"]);
    const rest = await windowed(`from=2026-03-02T12:00:00Z&to=2026-03-02T12:02:00Z&limit=2&cursor=${first.nextCursor}`);
    expect(statusesOf(rest)).toEqual(["UP"]);
    expect(rest.nextCursor).toBeNull();

    // 60 s PENDING + 30 s DOWN out of 120 s.
    const uptime = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/uptime?from=2026-03-02T12:00:00Z&to=${clock.now().toISOString()}`,
      headers: admin,
    });
    expect(uptime.json()).toMatchObject({ upSeconds: 30, downSeconds: 90, outages: 1 });
    const several = await t.app.inject({
      url: `/api/v1/monitors/uptime?ids=${m.id}&ids=0190c0de-0000-7000-8000-000000000000&from=2026-03-02T12:00:00Z&to=${clock.now().toISOString()}`,
      headers: admin,
    });
    expect(several.statusCode, several.body).toBe(200);
    expect(several.json().items).toEqual([uptime.json()]);

    // The checks of each minute reach the database once the minute is over.
    clock.advance(60_000);
    await monitoring().engine.flush();
    const series = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/series?from=2026-03-02T12:00:00Z&to=2026-03-02T12:10:00Z&step=600`,
      headers: admin,
    });
    expect(series.json().resolution).toBe("minute");
    expect(series.json().points).toMatchObject([{ checks: 5, failures: 3 }]);
    expect(series.json().points[0].latencyAvg).toBeGreaterThan(0);
  });

  it("shows the last check on the state: fresh from the node running it, stored with the minute flush", async () => {
    const web = await target();
    const m = await create({
      name: "Last check",
      type: "http",
      target: web.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
    });
    await monitoring().engine.idle();
    const stored = () =>
      t.platform.db
        .selectFrom("monitor_states")
        .select(["last_check_at", "last_latency_ms"])
        .where("monitor_id", "=", m.id)
        .executeTakeFirstOrThrow();
    const firstAt = clock.now().toISOString();
    const first = (await stateOf(m.id)) as unknown as { lastCheckAt: string; lastLatencyMs: number };
    expect(first.lastCheckAt).toBe(firstAt);
    expect(first.lastLatencyMs).toBeGreaterThan(0);
    // The first check changed the state (to UP): the change carried the check along.
    expect(await stored()).toMatchObject({ last_check_at: firstAt, last_latency_ms: first.lastLatencyMs });

    // A check that changes nothing is not written on its own...
    await tick();
    const secondAt = clock.now().toISOString();
    expect(await stateOf(m.id)).toMatchObject({ status: "UP", lastCheckAt: secondAt });
    const listed = await t.app.inject({ url: "/api/v1/monitors?limit=500", headers: admin });
    expect(listed.json().items.find((x: { id: string }) => x.id === m.id).state.lastCheckAt).toBe(secondAt);
    expect((await stored()).last_check_at).toBe(firstAt);
    // ...but with the minute flush, many monitors per statement.
    await monitoring().engine.flush();
    const flushed = await stored();
    expect(flushed.last_check_at).toBe(secondAt);
    expect(flushed.last_latency_ms).toBeGreaterThan(0);

    // A failed check has no latency; stopping the engine flushes what it holds (the second failure changed no state).
    await web.down();
    await tick();
    await tick();
    expect((await stateOf(m.id))!.status).toBe("DOWN");
    expect((await stored()).last_check_at).not.toBe(clock.now().toISOString());
    await monitoring().stop();
    expect(await stored()).toMatchObject({ last_check_at: clock.now().toISOString(), last_latency_ms: null });
    expect(await stateOf(m.id)).toMatchObject({ lastCheckAt: clock.now().toISOString(), lastLatencyMs: null });
    await monitoring().start();
    await web.up();
    await t.app.inject({ method: "DELETE", url: `/api/v1/monitors/${m.id}`, headers: admin });
  });

  it("answers a page of dashboard cards in one call: uptimes, last check and the last hour's minutes", async () => {
    const web = await target();
    const gone = await target();
    await gone.down();
    const up = await create({ name: "Card up", type: "http", target: web.url, intervalSeconds: 30, timeoutSeconds: 5 });
    const down = await create({
      name: "Card down",
      type: "http",
      target: gone.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
    });
    await monitoring().engine.idle();
    await tick();
    clock.advance(60_000);
    await monitoring().engine.runDue();
    await monitoring().engine.flush();
    const unknown = "0190c0de-0000-7000-8000-000000000000";
    const res = await t.app.inject({
      url: `/api/v1/monitors/overview?ids=${down.id}&ids=${unknown}&ids=${up.id}&ids=${down.id}`,
      headers: admin,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.at).toBe(clock.now().toISOString());
    expect(body.items.map((i: { monitorId: string }) => i.monitorId)).toEqual([down.id, up.id]);
    const [d, u] = body.items;
    expect(u).toMatchObject({ uptime24h: 1, uptime7d: 1, uptime30d: 1, lastCheckAt: clock.now().toISOString() });
    expect(u.lastLatencyMs).toBeGreaterThan(0);
    expect(d).toMatchObject({ uptime24h: 0, uptime30d: 0, lastLatencyMs: null });
    expect(u.minutes.length).toBeGreaterThan(0);
    expect(u.minutes.every((p: { at: string }) => p.at >= body.minutesFrom)).toBe(true);
    expect(u.minutes.reduce((n: number, p: { failures: number }) => n + p.failures, 0)).toBe(0);
    expect(u.minutes[0].latencyAvg).toBeGreaterThan(0);
    expect(d.minutes[0]).toMatchObject({ latencyAvg: null });
    expect(d.minutes[0].failures).toBeGreaterThan(0);
    // The same uptime as the single-monitor route.
    const single = await t.app.inject({
      url: `/api/v1/monitors/${up.id}/uptime?from=${new Date(clock.now().getTime() - 86_400_000).toISOString()}&to=${body.at}`,
      headers: admin,
    });
    expect(single.json().uptime).toBe(u.uptime24h);

    const many = Array.from({ length: 201 }, () => `ids=${up.id}`).join("&");
    const tooMany = await t.app.inject({ url: `/api/v1/monitors/overview?${many}`, headers: admin });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors[0].pointer).toBe("/ids");
    const none = await t.app.inject({ url: "/api/v1/monitors/overview", headers: admin });
    expect(none.statusCode).toBe(400);
    for (const id of [up.id, down.id]) {
      await t.app.inject({ method: "DELETE", url: `/api/v1/monitors/${id}`, headers: admin });
    }
  });

  it("counts checks, their duration, scheduling delay and what the node carries on /metrics", async () => {
    const web = await target();
    const m = await create({ name: "Metered", type: "http", target: web.url, intervalSeconds: 30, timeoutSeconds: 5 });
    await monitoring().engine.idle();
    await tick();
    const text = (await t.app.inject("/metrics")).body;
    const value = (line: string) => {
      const found = text.split("\n").find((l) => l.startsWith(`${line} `));
      expect(found, line).toBeDefined();
      return Number(found!.slice(line.length + 1));
    };
    expect(value('plantao_monitor_checks_total{type="http",outcome="up"}')).toBeGreaterThanOrEqual(2);
    expect(value('plantao_monitor_check_duration_seconds_count{type="http"}')).toBeGreaterThanOrEqual(2);
    expect(value('plantao_monitor_check_duration_seconds_sum{type="http"}')).toBeGreaterThan(0);
    expect(value("plantao_monitor_scheduling_delay_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(value("plantao_monitor_monitors_owned")).toBe(monitoring().engine.running().length);
    expect(value("plantao_monitor_shards_owned")).toBe(64);
    expect(value("plantao_monitor_checks_in_flight")).toBe(0);
    expect(value("plantao_monitor_scheduling_lag_seconds")).toBe(0);
    expect(value("plantao_monitor_checks_per_second")).toBeGreaterThanOrEqual(0);
    expect(value(`plantao_monitor_node_info{node="${t.platform.config.nodeId}"}`)).toBe(1);

    // The admin screen's view of the nodes: this one, alive, with every shard and its monitors.
    const nodes = await t.app.inject({ url: "/api/v1/monitoring/nodes", headers: admin });
    expect(nodes.statusCode, nodes.body).toBe(200);
    const me = nodes.json().nodes.find((n: { nodeId: string }) => n.nodeId === t.platform.config.nodeId);
    expect(me).toMatchObject({ alive: true, monitors: monitoring().engine.running().length });
    expect(me.shards).toHaveLength(64);
    expect(nodes.json().shards[0]).toMatchObject({ shard: 0, owner: t.platform.config.nodeId });
    // Agents read monitoring (customers get 403 on every monitoring route, see api.test.ts).
    const agent = await tokenFor(t, "agent");
    expect((await t.app.inject({ url: "/api/v1/monitoring/nodes", headers: agent.headers })).statusCode).toBe(200);
    await t.app.inject({ method: "DELETE", url: `/api/v1/monitors/${m.id}`, headers: admin });
  });

  it("times a hanging target out with its reason, without holding up the other monitors", async () => {
    const web = await target();
    const hanging = net.createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    try {
      const port = (hanging.address() as AddressInfo).port;
      const stuck = await create({
        name: "Stuck",
        type: "http",
        target: `http://127.0.0.1:${port}/`,
        intervalSeconds: 30,
        timeoutSeconds: 1,
      });
      const fine = await create({
        name: "Fine",
        type: "http",
        target: web.url,
        intervalSeconds: 30,
        timeoutSeconds: 5,
      });
      await monitoring().engine.idle();
      expect(await stateOf(stuck.id)).toMatchObject({ status: "DOWN", reason: "timeout" });
      expect((await stateOf(fine.id))!.status).toBe("UP");
      const started = Date.now();
      await tick();
      expect(Date.now() - started).toBeLessThan(4000);
      expect((await stateOf(fine.id))!.status).toBe("UP");
      await t.app.inject({ method: "DELETE", url: `/api/v1/monitors/${stuck.id}`, headers: admin });
    } finally {
      hanging.close();
    }
  });

  it("reports DEGRADED for slow answers, with failure and success thresholds", async () => {
    const web = await target();
    const m = await create({
      name: "Slow portal",
      type: "http",
      target: web.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 2,
      successThreshold: 2,
      settings: { degradedAboveMs: 150 },
    });
    await monitoring().engine.idle();
    expect((await stateOf(m.id))!.status).toBe("UP");
    web.delayMs = 300;
    await tick();
    expect((await stateOf(m.id))!.status).toBe("UP");
    await tick();
    expect(await stateOf(m.id)).toMatchObject({ status: "DEGRADED", reason: "slow" });
    web.delayMs = 0;
    await tick();
    expect((await stateOf(m.id))!.status).toBe("DEGRADED");
    await tick();
    expect((await stateOf(m.id))!.status).toBe("UP");
    expect(await changes(m.id)).toEqual(["->UP", "UP>DEGRADED", "DEGRADED>UP"]);
  });

  it("marks the children of a DOWN parent UNREACHABLE instead of DOWN, and recovers them", async () => {
    const pbx = await target();
    const trunk = await target();
    const parent = await create({
      name: "PBX host",
      type: "http",
      target: pbx.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
    });
    const child = await create({
      name: "SIP trunk",
      type: "http",
      target: trunk.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
      retries: 1,
      parentId: parent.id,
    });
    const group = await create({ name: "Site", type: "group" });
    for (const id of [parent.id, child.id]) {
      const res = await t.app.inject({
        method: "PATCH",
        url: `/api/v1/monitors/${id}`,
        headers: admin,
        payload: { groupId: group.id },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await monitoring().engine.idle();
    expect((await stateOf(child.id))!.status).toBe("UP");
    expect((await stateOf(group.id))!.status).toBe("UP");

    await pbx.down();
    await trunk.down();
    await tick();
    await tick();
    expect((await stateOf(parent.id))!.status).toBe("DOWN");
    expect(await stateOf(child.id)).toMatchObject({ status: "UNREACHABLE", reason: "parent_down" });
    expect(await changes(child.id)).not.toContain("PENDING>DOWN");
    expect(await stateOf(group.id)).toMatchObject({ status: "DOWN", reason: "member_down" });

    await pbx.up();
    await tick();
    // The parent is back and the child still fails: now it is the child's own outage.
    expect((await stateOf(parent.id))!.status).toBe("UP");
    expect((await stateOf(child.id))!.status).toBe("DOWN");
    await trunk.up();
    await tick();
    expect((await stateOf(child.id))!.status).toBe("UP");
    expect((await stateOf(group.id))!.status).toBe("UP");
  });

  it("takes heartbeat pushes, and goes DOWN when none comes within the interval plus grace", async () => {
    const hb = await create({
      name: "Nightly backup",
      type: "heartbeat",
      intervalSeconds: 60,
      settings: { graceSeconds: 10 },
    });
    expect(await stateOf(hb.id)).toBeNull();
    const push = (query = "") => t.app.inject({ method: "POST", url: `/api/v1/push/${hb.pushToken}${query}` });
    expect((await push("?msg=done&ping=42")).statusCode).toBe(200);
    await monitoring().engine.idle();
    expect((await stateOf(hb.id))!.status).toBe("UP");

    await tick(65);
    expect((await stateOf(hb.id))!.status).toBe("UP");
    await tick(10);
    expect(await stateOf(hb.id)).toMatchObject({ status: "DOWN", reason: "no_push" });

    clock.advance(1000);
    await push();
    await monitoring().engine.idle();
    expect((await stateOf(hb.id))!.status).toBe("UP");
    clock.advance(1000);
    await push("?status=down&msg=disk%20full");
    await monitoring().engine.idle();
    expect(await stateOf(hb.id)).toMatchObject({ status: "DOWN", reason: "push_down", message: "disk full" });
  });

  it("flags a flapping monitor in its state and with an event", async () => {
    const web = await target();
    const m = await create({ name: "Flaky", type: "http", target: web.url, intervalSeconds: 30, timeoutSeconds: 5 });
    await monitoring().engine.idle();
    for (let i = 0; i < 10; i++) {
      web.status = i % 2 === 0 ? 500 : 200;
      await tick();
    }
    const res = await t.app.inject({ url: `/api/v1/monitors/${m.id}`, headers: admin });
    expect(res.json().state.flapping).toBe(true);
    const flaps = await t.platform.db
      .selectFrom("events")
      .select("type")
      .where("subject_id", "=", m.id)
      .where("type", "like", "monitor.flapping%")
      .execute();
    expect(flaps.map((f) => f.type)).toEqual(["monitor.flapping_started"]);
  });

  it("does not take an old push for a new one after a restart", async () => {
    const hb = await create({
      name: "Hourly cron",
      type: "heartbeat",
      intervalSeconds: 60,
      settings: { graceSeconds: 0 },
    });
    await t.app.inject({ method: "POST", url: `/api/v1/push/${hb.pushToken}` });
    await monitoring().engine.idle();
    await tick(61);
    expect(await stateOf(hb.id)).toMatchObject({ status: "DOWN", reason: "no_push" });
    await monitoring().stop();
    await monitoring().start();
    await tick(60);
    await tick(60);
    expect(await stateOf(hb.id)).toMatchObject({ status: "DOWN", reason: "no_push" });
    expect(await changes(hb.id)).toEqual(["->UP", "UP>DOWN"]);
  });

  it("stops checking a paused monitor and picks it up again when resumed", async () => {
    const web = await target();
    const m = await create({ name: "Pausable", type: "http", target: web.url, intervalSeconds: 30, timeoutSeconds: 5 });
    await monitoring().engine.idle();
    expect(monitoring().engine.running()).toContain(m.id);
    await t.app.inject({ method: "POST", url: `/api/v1/monitors/${m.id}/pause`, headers: admin });
    expect(monitoring().engine.running()).not.toContain(m.id);
    await web.down();
    await tick();
    expect((await stateOf(m.id))!.status).toBe("MAINTENANCE");
    await web.up();
    await t.app.inject({ method: "POST", url: `/api/v1/monitors/${m.id}/resume`, headers: admin });
    await monitoring().engine.idle();
    expect((await stateOf(m.id))!.status).toBe("UP");
    expect(await changes(m.id)).toEqual(["->UP", "UP>MAINTENANCE", "MAINTENANCE>UP"]);
  });

  it("continues from the stored state after a restart: a known outage is not opened again", async () => {
    const web = await target();
    const m = await create({
      name: "Restarted",
      type: "http",
      target: web.url,
      intervalSeconds: 30,
      timeoutSeconds: 5,
      retries: 1,
    });
    await monitoring().engine.idle();
    await web.down();
    await tick();
    await tick();
    expect((await stateOf(m.id))!.status).toBe("DOWN");
    await monitoring().stop();
    await monitoring().start();
    expect(monitoring().engine.running()).toContain(m.id);
    await tick();
    await tick();
    expect((await stateOf(m.id))!.status).toBe("DOWN");
    expect(await changes(m.id)).toEqual(["->UP", "UP>PENDING", "PENDING>DOWN"]);
    await web.up();
    await tick();
    expect((await stateOf(m.id))!.status).toBe("UP");
  });

  it("rolls minutes up into hours and days, and serves series from the right table", async () => {
    const web = await target();
    const m = await create({ name: "Rolled", type: "http", target: web.url, intervalSeconds: 30, timeoutSeconds: 5 });
    await monitoring().engine.idle();
    for (let i = 0; i < 4; i++) await tick();
    clock.advance(3_600_000);
    await monitoring().engine.flush();
    await monitoring().measurements.rollUpHours();
    const hours = await t.platform.db.selectFrom("monitor_hours").selectAll().where("monitor_id", "=", m.id).execute();
    expect(hours.reduce((n, h) => n + Number(h.checks), 0)).toBe(5);
    clock.advance(86_400_000);
    await monitoring().measurements.rollUpDaysAndPrune();
    const days = await t.platform.db.selectFrom("monitor_days").selectAll().where("monitor_id", "=", m.id).execute();
    expect(days.map((d) => Number(d.checks))).toEqual([5]);
    // Minutes older than 48 hours are gone after the next prune; hours and days stay.
    clock.advance(2 * 86_400_000);
    await monitoring().measurements.rollUpDaysAndPrune();
    const minutes = await t.platform.db
      .selectFrom("monitor_minutes")
      .select("bucket")
      .where("monitor_id", "=", m.id)
      .execute();
    expect(minutes).toEqual([]);
    const series = await t.app.inject({
      url: `/api/v1/monitors/${m.id}/series?from=2026-03-01T00:00:00Z&to=${clock.now().toISOString()}&step=86400`,
      headers: admin,
    });
    expect(series.json()).toMatchObject({ resolution: "day" });
    expect(series.json().points.reduce((n: number, p: { checks: number }) => n + p.checks, 0)).toBe(5);
    await waitFor("nothing left running", () => monitoring().engine.stats().inFlight === 0);
  });
});
