import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

const HOUR = 3_600_000;
// Monday 7 December 2026, 02:00 in São Paulo; the windows run Thursday 02:00–05:00, announced 72 h ahead.
const T0 = Date.parse("2026-12-07T05:00:00.000Z");
const START = T0 + 72 * HOUR;
const END = START + 3 * HOUR;

/**
 * The window's mode decides what happens to its monitors while it runs: `mute` checks them, shows MAINTENANCE
 * and silences their alerts; `skip` shows MAINTENANCE and does not check them at all; `show` only puts the
 * window on the page. And the status events: each transition published once, with its catalogued payload.
 */
describe.each(engines)("maintenance window modes and status events on %s", (engine) => {
  let t: TestContext;
  let admin: Record<string, string>;
  let target: Server;
  let healthy = true;
  const hits: Record<string, number> = { mute: 0, skip: 0, show: 0 };
  const clock = new ManualClock(new Date(T0));

  beforeAll(async () => {
    target = createServer((req, res) => {
      const mode = (req.url ?? "/").slice(1);
      hits[mode] = (hits[mode] ?? 0) + 1;
      res.writeHead(healthy ? 200 : 500, { connection: "close" });
      res.end(healthy ? "ok" : "failing");
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    t = await testApp(engine, { clock, start: true, config: { jobsEnabled: false } });
    admin = (await tokenFor(t, "admin")).headers;
    await t.services.monitoring.start();
  }, 180_000);
  afterAll(async () => {
    await t?.services.monitoring.stop();
    await t?.close();
    await new Promise((r) => target?.close(r));
  });

  const call = async (method: string, url: string, payload?: unknown, headers = admin) => {
    const res = await t.app.inject({
      method: method as "GET",
      url,
      headers,
      ...(payload ? { payload: payload as object } : {}),
    });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  const settle = async () => {
    await t.services.monitoring.engine.runDue();
    await t.services.monitoring.engine.idle();
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    await t.services.status.page.refresh();
  };
  const at = async (ms: number) => {
    clock.set(new Date(ms));
    await settle();
  };
  const statusOf = async (id: string) => (await call("GET", `/api/v1/monitors/${id}`)).state?.status;
  const events = async (prefix: string) =>
    (
      await t.platform.db
        .selectFrom("events")
        .select(["type", "payload", "subject_id"])
        .where("type", "like", `${prefix}%`)
        .orderBy("id")
        .execute()
    ).map((e) => ({ type: e.type, subjectId: e.subject_id, payload: JSON.parse(e.payload) }));

  it("mute checks and silences, skip stops the checks, show only shows; each transition is published once", async () => {
    const port = (target.address() as AddressInfo).port;
    const monitors: Record<string, { id: string }> = {};
    const components: Record<string, { id: string }> = {};
    const windows: Record<string, { id: string }> = {};
    for (const mode of ["mute", "skip", "show"] as const) {
      monitors[mode] = await call("POST", "/api/v1/monitors", {
        name: `Tronco ${mode}`,
        type: "http",
        target: `http://127.0.0.1:${port}/${mode}`,
        intervalSeconds: 60,
        timeoutSeconds: 5,
        retries: 0,
      });
      components[mode] = await call("POST", "/api/v1/components", {
        name: `Componente ${mode}`,
        monitorIds: [monitors[mode]!.id],
      });
    }
    await settle();
    for (const mode of ["mute", "skip", "show"]) expect(await statusOf(monitors[mode]!.id)).toBe("UP");
    for (const mode of ["mute", "skip", "show"] as const) {
      windows[mode] = await call("POST", "/api/v1/maintenance-windows", {
        title: `Janela ${mode}`,
        startsAt: new Date(START).toISOString(),
        endsAt: new Date(END).toISOString(),
        componentIds: [components[mode]!.id],
        mode,
      });
    }
    await at(START - HOUR);
    expect(hits.skip).toBeGreaterThan(0);

    // The windows run; every target fails.
    await at(START);
    healthy = false;
    const before = { ...hits };
    for (let m = 1; m <= 10; m++) await at(START + m * 60_000);
    expect(hits.mute! - before.mute!).toBeGreaterThanOrEqual(9);
    expect(hits.show! - before.show!).toBeGreaterThanOrEqual(9);
    expect(hits.skip! - before.skip!).toBe(0);
    expect(await statusOf(monitors.mute!.id)).toBe("MAINTENANCE");
    expect(await statusOf(monitors.skip!.id)).toBe("MAINTENANCE");
    expect(await statusOf(monitors.show!.id)).toBe("DOWN");
    const silenced = (await call("GET", "/api/v1/silences")).items.map((s: { comment: string }) => s.comment);
    expect(silenced).toContain(`maintenance:${windows.mute!.id}`);
    expect(silenced).toContain(`maintenance:${windows.skip!.id}`);
    expect(silenced).not.toContain(`maintenance:${windows.show!.id}`);
    const page = (await call("GET", "/api/v1/status")) as { components: { id: string; status: string }[] };
    const shown = Object.fromEntries(page.components.map((c) => [c.id, c.status]));
    expect(shown[components.skip!.id]).toBe("maintenance");
    expect(shown[components.show!.id]).toBe("maintenance");

    // The window ends: skip's monitor is checked again at once, and is DOWN like the others.
    await at(END);
    for (let m = 1; m <= 3; m++) await at(END + m * 60_000);
    expect(hits.skip! - before.skip!).toBeGreaterThan(0);
    for (const mode of ["mute", "skip", "show"]) expect(await statusOf(monitors[mode]!.id)).toBe("DOWN");

    // Each window: scheduled, started and completed, once each.
    const published = await events("maintenance.");
    for (const mode of ["mute", "skip", "show"]) {
      const own = published.filter((e) => e.subjectId === windows[mode]!.id);
      expect(own.map((e) => e.type)).toEqual(["maintenance.scheduled", "maintenance.started", "maintenance.completed"]);
      expect(own[0]!.payload).toMatchObject({
        mode,
        componentIds: [components[mode]!.id],
        startsAt: new Date(START).toISOString(),
        endsAt: new Date(END).toISOString(),
        warnings: [],
      });
      expect(own[2]!.payload.state).toBe("completed");
    }
    // The skip component: operational, maintenance, then the outage its monitor shows after the window.
    const changes = (await events("status.component_changed"))
      .filter((e) => e.subjectId === components.skip!.id)
      .map((e) => [e.payload.from, e.payload.to]);
    expect(changes).toEqual([
      [null, "operational"],
      ["operational", "maintenance"],
      ["maintenance", "major_outage"],
    ]);
    // Building the page again publishes nothing new.
    await t.services.status.page.refresh();
    expect((await events("status.component_changed")).filter((e) => e.subjectId === components.skip!.id)).toHaveLength(
      3,
    );
  });

  it("publishes a cancelled window, a confirmed subscription and a recorded change", async () => {
    const component = await call("POST", "/api/v1/components", { name: "Portal web" });
    const window = await call("POST", "/api/v1/maintenance-windows", {
      title: "Troca de certificado",
      startsAt: new Date(clock.now().getTime() + 96 * HOUR).toISOString(),
      endsAt: new Date(clock.now().getTime() + 97 * HOUR).toISOString(),
      componentIds: [component.id],
    });
    await call("POST", `/api/v1/maintenance-windows/${window.id}/cancel`);
    expect((await events("maintenance.")).filter((e) => e.subjectId === window.id).map((e) => e.type)).toEqual([
      "maintenance.scheduled",
      "maintenance.cancelled",
    ]);

    await call("POST", "/api/v1/status-subscriptions", { email: "ana@example.com", componentIds: [component.id] }, {});
    const row = await t.platform.db
      .selectFrom("status_subscriptions")
      .select(["id", "token_sealed"])
      .where("email", "=", "ana@example.com")
      .executeTakeFirstOrThrow();
    const token = t.platform.secrets.open(row.token_sealed);
    await call("POST", "/api/v1/status-subscriptions/confirm", { token }, {});
    await call("POST", "/api/v1/status-subscriptions/confirm", { token }, {});
    expect(await events("status_subscription.")).toEqual([
      {
        type: "status_subscription.confirmed",
        subjectId: row.id,
        payload: { subscriptionId: row.id, componentIds: [component.id] },
      },
    ]);

    const change = await call("POST", "/api/v1/changes", { title: "Asterisk 22.1", kind: "fix" });
    expect(await events("change.")).toEqual([
      {
        type: "change.recorded",
        subjectId: change.id,
        payload: {
          changeId: change.id,
          title: "Asterisk 22.1",
          kind: "fix",
          validation: "pending",
          windowId: null,
          appliedAt: null,
        },
      },
    ]);
  });
});
