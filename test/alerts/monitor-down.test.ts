import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

/**
 * The whole path with a real monitor: the monitoring engine takes a heartbeat DOWN, the default rule fires
 * with the monitor's severity, routing mails the NOC through the outbox (a real SMTP server), and the next
 * push resolves the alert and mails the resolution.
 */
describe.each(engines)("a monitor's default DOWN rule on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  let admin: Record<string, string>;
  const clock = new ManualClock("2026-03-02T12:00:10.000Z");

  beforeAll(async () => {
    smtp = await startInbox();
    t = await testApp(engine, {
      clock,
      start: true,
      config: { jobsEnabled: false, smtpUrl: smtp.url, mailFrom: "plantao@suporte.example" },
    });
    admin = (await tokenFor(t, "admin")).headers;
    await t.services.monitoring.start();
    await t.services.alerts.ensureDefaults();
    await t.services.alerts.saveReceiver(null, {
      name: "default",
      targets: [{ type: "email", to: "noc@provedor.example" }],
    });
    await t.services.alerts.saveRouting(null, {
      route: {
        id: "root",
        receiver: "default",
        matchers: [],
        groupBy: ["alertname", "monitor"],
        groupWaitSeconds: 0,
        groupIntervalSeconds: 60,
        repeatIntervalSeconds: 3600,
      },
      inhibitRules: [],
      muteIntervals: {},
    });
  }, 60_000);
  afterAll(async () => {
    await t?.services.monitoring.stop();
    await t?.close();
    await smtp?.close();
  });

  const tick = async (seconds: number) => {
    clock.advance(seconds * 1000);
    await t.services.monitoring.engine.runDue();
    const sent = await t.services.alerts.engine.tick();
    await t.platform.jobs.drain();
    return sent;
  };

  it("fires with the monitor's severity, notifies by email, and resolves when the monitor is UP", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/monitors",
      headers: admin,
      payload: {
        name: "PBX nightly export",
        type: "heartbeat",
        intervalSeconds: 60,
        severity: "high",
        settings: { graceSeconds: 0 },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const monitor = res.json() as { id: string; pushToken: string; severity: string };
    expect(monitor.severity).toBe("high");
    const push = async () => {
      await t.app.inject({ method: "POST", url: `/api/v1/push/${monitor.pushToken}` });
      await t.services.monitoring.engine.idle();
    };
    await push();
    expect(await tick(15)).toEqual([]);
    expect(await t.services.alerts.listAlerts()).toEqual([]);

    // No push within the interval: DOWN, and the alert fires at the same evaluation (group_wait 0).
    const sent = await tick(50);
    const [alert] = await t.services.alerts.listAlerts();
    expect(alert).toMatchObject({
      state: "firing",
      labels: { alertname: "MonitorDown", monitor: "PBX nightly export", monitor_id: monitor.id, severity: "high" },
    });
    expect(sent).toEqual([
      { receiver: "default", group: expect.any(Object), firing: [alert!.fingerprint], resolved: [] },
    ]);
    const fired = smtp.inbox.splice(0);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.to).toBe("noc@provedor.example");
    expect(fired[0]!.text).toContain("PBX nightly export");

    // Still DOWN: no second mail.
    expect(await tick(15)).toEqual([]);

    await push();
    await tick(15);
    expect((await t.services.alerts.listAlerts())[0]!.state).toBe("resolved");
    // The resolution goes out at the group's next interval (60 s after the firing mail); pushes keep it UP.
    for (let i = 0; i < 3; i++) {
      await push();
      await tick(15);
    }
    const resolved = smtp.inbox.splice(0);
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.subject).toContain("RESOLVIDO");

    const events = await t.platform.db
      .selectFrom("events")
      .select(["type", "payload"])
      .where("type", "like", "alert.%")
      .orderBy("id")
      .execute();
    expect(events.map((e) => [e.type, JSON.parse(e.payload).monitorId, JSON.parse(e.payload).severity])).toEqual([
      ["alert.firing", monitor.id, "high"],
      ["alert.resolved", monitor.id, "high"],
    ]);
  });

  it("a monitor takes the plan's severity for a DOWN system unless told otherwise, and it can be changed", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/v1/monitors",
      headers: admin,
      payload: { name: "SBC", type: "heartbeat", intervalSeconds: 60 },
    });
    expect(res.json().severity).toBe("critical");
    const patched = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/monitors/${res.json().id}`,
      headers: admin,
      payload: { severity: "low" },
    });
    expect(patched.json().severity).toBe("low");
    const bad = await t.app.inject({
      method: "PATCH",
      url: `/api/v1/monitors/${res.json().id}`,
      headers: admin,
      payload: { severity: "urgent" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("/severity");
  });
});
