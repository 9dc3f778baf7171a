import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertEngine, MonitorStatus } from "../../src/modules/alerts/engine.js";
import type { AlertsService } from "../../src/modules/alerts/service.js";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, harnessActor, type TestContext, testApp } from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const T0 = Date.parse("2026-12-01T12:00:00Z");

describe.each(engines)("alert engine on %s", (engine) => {
  let t: TestContext;
  let clock: ManualClock;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  let alerts: AlertsService;
  let alertEngine: AlertEngine;
  const monitors: MonitorStatus[] = [];
  const at = (s: number) => {
    clock.set(new Date(T0 + s * 1000));
    return clock.now();
  };
  const sentMail = async () => {
    await t.platform.jobs.drain();
    return smtp.inbox.splice(0);
  };

  const alertEvents = async () =>
    (
      await t.platform.db
        .selectFrom("events")
        .select(["type", "subject_id", "payload"])
        .where("type", "in", ["alert.firing", "alert.resolved"])
        .orderBy("id")
        .execute()
    ).map((e) => ({ type: e.type, subjectId: e.subject_id, payload: JSON.parse(e.payload) }));

  beforeAll(async () => {
    clock = new ManualClock(new Date(T0));
    smtp = await startInbox();
    t = await testApp(engine, { clock, config: { smtpUrl: smtp.url, mailFrom: "plantao@suporte.example" } });
    alerts = t.services.alerts;
    alertEngine = alerts.engine;
    // The monitors' states come from this list (the monitoring module's view) so the test drives them.
    alertEngine.monitors = async () => monitors;
    await alerts.saveReceiver(null, { name: "default", targets: [{ type: "email", to: "noc@provedor.example" }] });
    await alerts.saveRouting(null, {
      route: {
        id: "root",
        receiver: "default",
        matchers: [],
        groupBy: ["alertname"],
        groupWaitSeconds: 30,
        groupIntervalSeconds: 60,
        repeatIntervalSeconds: 3600,
      },
      inhibitRules: [
        {
          sourceMatchers: [{ name: "alertname", value: "HostDown" }],
          targetMatchers: [{ name: "alertname", value: "TrunkDown" }],
          equal: ["host"],
        },
      ],
      muteIntervals: {},
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it("a monitor going DOWN fires its alert and notifies by email; UP resolves it", async () => {
    await alerts.ensureDefaults();
    const monitorId = "0193a5b0-0000-7000-8000-000000000001";
    monitors.push({ id: monitorId, name: "PBX SIP", type: "sip-options", status: "UP" });
    await alertEngine.tick(at(0));
    expect(await alerts.listAlerts()).toEqual([]);
    monitors[0]!.status = "DOWN";
    await alertEngine.tick(at(15));
    const [a] = await alerts.listAlerts();
    expect(a).toMatchObject({
      state: "firing",
      labels: { alertname: "MonitorDown", monitor: "PBX SIP", severity: "critical" },
    });
    // group_wait: nothing before 30 s after the group appeared.
    expect(await alertEngine.tick(at(30))).toEqual([]);
    expect(await alertEngine.tick(at(45))).toEqual([
      { receiver: "default", group: { alertname: "MonitorDown" }, firing: [a!.fingerprint], resolved: [] },
    ]);
    const mail = await sentMail();
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toBe("noc@provedor.example");
    expect(mail[0]!.subject).toContain("ALERTA 1");
    expect(mail[0]!.text).toContain("PBX SIP");
    // Still DOWN: nothing new until repeat_interval.
    expect(await alertEngine.tick(at(120))).toEqual([]);
    monitors[0]!.status = "UP";
    await alertEngine.tick(at(135));
    expect((await alerts.listAlerts())[0]!.state).toBe("resolved");
    expect(await alertEngine.tick(at(185))).toEqual([
      { receiver: "default", group: { alertname: "MonitorDown" }, firing: [], resolved: [a!.fingerprint] },
    ]);
    const resolved = await sentMail();
    expect(resolved[0]!.subject).toContain("RESOLVIDO");
    const { history } = await alerts.alertHistory(a!.fingerprint);
    expect(history.map((h) => h.state)).toEqual(["firing", "resolved"]);
    // Each transition is published once, for incidents and webhooks; the resolution names its firing episode.
    const rule = (await alerts.listRules()).find((r) => r.name === "MonitorDown")!;
    const common = {
      alertId: history[0]!.id,
      fingerprint: a!.fingerprint,
      groupKey: 'root:[["alertname","MonitorDown"]]',
      ruleId: rule.id,
      ruleName: "MonitorDown",
      severity: "critical",
      labels: a!.labels,
      monitorId,
      startsAt: new Date(T0 + 15_000).toISOString(),
    };
    expect(await alertEvents()).toEqual([
      {
        type: "alert.firing",
        subjectId: a!.fingerprint,
        payload: expect.objectContaining({ ...common, endsAt: null }),
      },
      {
        type: "alert.resolved",
        subjectId: a!.fingerprint,
        payload: expect.objectContaining({ ...common, endsAt: new Date(T0 + 135_000).toISOString() }),
      },
    ]);
    monitors.length = 0;
  });

  it("a CPU rule with `for` fires once, groups and recovers with hysteresis", async () => {
    const target = await t.services.metrics.createTarget(harnessActor(t), {
      name: "pbx",
      url: "http://127.0.0.1:1/metrics",
      enabled: false,
    });
    const targetRow = { id: target.id, max_series: 100 };
    const rule = await alerts.getRule((await alerts.listRules()).find((r) => r.name === "HighCpu")!.id);
    expect(rule.expression).toMatchObject({ op: ">", threshold: 70, recoveryThreshold: 60 });
    const cpu = (instance: string, value: number) => ({
      name: "instance:cpu_usage:percent",
      type: "gauge" as const,
      help: null,
      samples: [{ name: "instance:cpu_usage:percent", labels: { instance }, value, timestampMs: null }],
    });
    const transitions: string[] = [];
    const base = 1000;
    // Two hosts at 90% for 20 minutes, then 65% (between the thresholds), then 50%.
    for (let minute = 0; minute <= 45; minute++) {
      const value = minute < 20 ? 90 : minute < 30 ? 65 : 50;
      const now = T0 + (base + minute * 60) * 1000;
      for (const instance of ["a", "b"])
        await t.services.metrics.ingest(targetRow, [cpu(instance, value)], { target: "pbx" }, now);
      const sent = await alertEngine.tick(at(base + minute * 60));
      for (const s of sent.filter((x) => x.group.alertname === "HighCpu"))
        transitions.push(`${minute}:${s.firing.length}f${s.resolved.length}r`);
    }
    const mine = (await alerts.listAlerts()).filter((a) => a.labels.alertname === "HighCpu");
    expect(mine.map((a) => a.labels.instance).sort()).toEqual(["a", "b"]);
    // Average over 5 min passes 70 at once; `for` 10 min → fires at minute 10, notified after group_wait (30 s,
    // next tick at 11); both hosts in one group, one mail. 65% keeps it firing (recovery under 60); the 5-min
    // average falls under 60 at minute 32.
    expect(transitions).toEqual(["11:2f0r", "32:0f2r"]);
    const history = (await alerts.alertHistory(mine[0]!.fingerprint)).history.map((h) => h.state);
    expect(history).toEqual(["pending", "firing", "resolved"]);
    const mail = await sentMail();
    expect(mail).toHaveLength(2);
    expect(mail.map((m) => m.subject).sort()).toEqual([
      "[ALERTA 2] alertname=HighCpu",
      "[RESOLVIDO] alertname=HighCpu",
    ]);
  });

  it("a silence suppresses notifications, evaluation continues", async () => {
    const base = 10_000;
    const silence = await alerts.createSilence("noc@provedor.example", {
      matchers: [{ name: "alertname", value: "Silenced" }],
      startsAt: at(base).toISOString(),
      endsAt: new Date(T0 + (base + 3600) * 1000).toISOString(),
      comment: "maintenance",
    });
    await alerts.postAlerts([
      { labels: { alertname: "Silenced", host: "x" }, endsAt: new Date(T0 + (base + 600) * 1000).toISOString() },
    ]);
    expect(await alertEngine.tick(at(base))).toEqual([]);
    expect(await alertEngine.tick(at(base + 60))).toEqual([]);
    const [a] = (await alerts.listAlerts()).filter((x) => x.labels.alertname === "Silenced");
    expect(a).toMatchObject({ state: "firing", silenced: true, silencedBy: [silence.id] });
    await alerts.expireSilence(silence.id);
    expect((await alertEngine.tick(at(base + 120))).map((s) => s.firing.length)).toEqual([1]);
    await sentMail();
  });

  it("inhibition suppresses the target's firing but delivers its resolution", async () => {
    const base = 20_000;
    const ends = new Date(T0 + (base + 3600) * 1000).toISOString();
    await alerts.postAlerts([{ labels: { alertname: "TrunkDown", host: "pbx-01", trunk: "t1" }, endsAt: ends }]);
    const of = (name: string, sent: { group: Record<string, string>; firing: string[]; resolved: string[] }[]) =>
      sent.filter((s) => s.group.alertname === name);
    expect(of("TrunkDown", await alertEngine.tick(at(base)))).toEqual([]);
    expect(of("TrunkDown", await alertEngine.tick(at(base + 30))).map((s) => s.firing.length)).toEqual([1]);
    // The host goes down: its trunk alert is inhibited while the HostDown one is notified.
    await alerts.postAlerts([{ labels: { alertname: "HostDown", host: "pbx-01" }, endsAt: ends }]);
    await alerts.postAlerts([{ labels: { alertname: "TrunkDown", host: "pbx-01", trunk: "t2" }, endsAt: ends }]);
    expect(of("TrunkDown", await alertEngine.tick(at(base + 60)))).toEqual([]);
    expect(of("HostDown", await alertEngine.tick(at(base + 90))).map((s) => s.firing.length)).toEqual([1]);
    const trunks = (await alerts.listAlerts()).filter((a) => a.labels.alertname === "TrunkDown");
    expect(trunks.every((a) => a.inhibited)).toBe(true);
    // t2 fired while inhibited: never notified. t1 resolves while inhibited: its resolution is delivered.
    await alerts.postAlerts([
      { labels: { alertname: "TrunkDown", host: "pbx-01", trunk: "t1" }, endsAt: at(base + 100).toISOString() },
    ]);
    const [trunkGroup] = of("TrunkDown", await alertEngine.tick(at(base + 150)));
    expect(trunkGroup!.firing).toEqual([]);
    expect(trunkGroup!.resolved).toHaveLength(1);
    await sentMail();
  });

  it("deduplicates alerts by label set", async () => {
    const ends = new Date(T0 + 40_000_000).toISOString();
    for (let i = 0; i < 3; i++)
      await alerts.postAlerts([
        { labels: { alertname: "Dup", b: "2", a: "1" }, endsAt: ends },
        { labels: { a: "1", b: "2", alertname: "Dup" }, endsAt: ends },
      ]);
    expect((await alerts.listAlerts()).filter((a) => a.labels.alertname === "Dup")).toHaveLength(1);
  });

  it("sends a group at its own group_wait instant between ticks, and once when two routings race", async () => {
    const base = 30_000;
    const ends = new Date(T0 + (base + 3600) * 1000).toISOString();
    const own = (sent: { group: Record<string, string>; firing: string[] }[]) =>
      sent.filter((s) => s.group.alertname === "OwnInstant");
    await alerts.postAlerts([{ labels: { alertname: "OwnInstant", host: "pbx-09" }, endsAt: ends }]);
    // The tick at +7 s opens the group; group_wait (30 s) puts its flush at +37 s, between the ticks of +30 and +45.
    expect(own(await alertEngine.tick(at(base + 7)))).toEqual([]);
    const timer = await t.services.timers.get({ type: "alert-groups", id: "routing" }, "flush");
    expect(timer?.dueAt).toBe(new Date(T0 + (base + 37) * 1000).toISOString());
    at(base + 36);
    expect((await sentMail()).filter((m) => m.text.includes("OwnInstant"))).toEqual([]);
    at(base + 37);
    const mail = (await sentMail()).filter((m) => m.text.includes("OwnInstant"));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.text).toContain("pbx-09");
    // A second host joins the group: sent at the next group_interval (+97 s). Two routings of that instant
    // (two nodes, or a tick beside the timer's flush) send it once.
    await alerts.postAlerts([{ labels: { alertname: "OwnInstant", host: "pbx-10" }, endsAt: ends }]);
    const raced = await Promise.all([alertEngine.flushDue(at(base + 97)), alertEngine.flushDue(at(base + 97))]);
    expect(raced.map((sent) => own(sent).map((s) => s.firing.length))).toEqual(expect.arrayContaining([[2], []]));
    expect((await sentMail()).filter((m) => m.text.includes("OwnInstant"))).toHaveLength(1);
  });

  it("rejects invalid rule expressions and silences with clear errors", async () => {
    await expect(
      alerts.createRule(null, {
        name: "Bad",
        kind: "metric",
        expression: {
          metric: "cpu",
          match: {},
          fn: "avg",
          windowSeconds: 60,
          by: [],
          op: ">",
          threshold: 70,
          recoveryThreshold: 80,
        },
      }),
    ).rejects.toThrow(/recoveryThreshold: must be at or below the threshold 70/);
    await expect(
      alerts.createSilence("x", {
        matchers: [{ name: "a", value: "(", isRegex: true }],
        startsAt: at(0).toISOString(),
        endsAt: at(60).toISOString(),
        comment: "",
      }),
    ).rejects.toThrow(/invalid regular expression/);
    await expect(
      alerts.createSilence("x", {
        matchers: [{ name: "a", value: ".*", isRegex: true }],
        startsAt: at(0).toISOString(),
        endsAt: at(60).toISOString(),
        comment: "",
      }),
    ).rejects.toThrow(/every alert/);
  });
});
