import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MaintenanceGate } from "../../src/modules/status/gate.js";
import { windowView } from "../../src/modules/status/maintenance.js";
import type { WindowRow } from "../../src/modules/status/repository.js";
import type { Component } from "../../src/modules/status/service.js";
import { ManualClock } from "../../src/platform/clock.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

const HOUR = 3_600_000;
const MINUTE = 60_000;
// Monday 7 December 2026, 02:00 in São Paulo. Both windows run Thursday 10 December 02:00–03:00 (inside the
// plan's 02:00–05:00 window); the plan asks for 48 h of notice.
const T0 = Date.parse("2026-12-07T05:00:00.000Z");
const START = T0 + 72 * HOUR;
const END = START + HOUR;
// Friday 11 December, 10:00 in São Paulo: Thursday's bar is a whole past day.
const FRIDAY = Date.parse("2026-12-11T13:00:00.000Z");

/**
 * The contract's policy on planned maintenance (plan: maintenance left out of the uptime targets, 48 h of
 * notice): a window announced with the plan's notice is left out of uptime and availability everywhere they are
 * computed from the monitors (the monitor uptime API, the dashboard overview, the status page's 90-day bars and
 * `GET /api/v1/status`); an emergency window announced later still silences the alerts, but its downtime counts,
 * and it carries the short-notice warning.
 */
describe.each(engines)("maintenance announced in time or late, in uptime, on %s", (engine) => {
  let t: TestContext;
  let admin: Record<string, string>;
  let target: Server;
  let healthy = true;
  const clock = new ManualClock(new Date(T0));

  beforeAll(async () => {
    target = createServer((_req, res) => {
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
    return res;
  };
  const settle = async () => {
    await t.services.monitoring.engine.runDue();
    await t.services.monitoring.engine.idle();
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
    await t.services.status.page.refresh();
    await t.services.monitoring.engine.idle();
  };
  const at = async (ms: number) => {
    clock.set(new Date(ms));
    await settle();
  };
  /** Every minute from `from` to `to` (both included), as the monitors' 60 s checks would see them. */
  const minutes = async (from: number, to: number) => {
    for (let ms = from; ms <= to; ms += MINUTE) await at(ms);
  };

  it("leaves a window announced in time out of uptime and counts a late one's downtime, with its warning", async () => {
    const port = (target.address() as AddressInfo).port;
    const monitor: Record<string, string> = {};
    const component: Record<string, string> = {};
    for (const key of ["ahead", "late"]) {
      monitor[key] = (
        await call("POST", "/api/v1/monitors", {
          name: `Tronco ${key}`,
          type: "http",
          target: `http://127.0.0.1:${port}/${key}`,
          intervalSeconds: 60,
          timeoutSeconds: 5,
          retries: 0,
        })
      ).json().id;
      component[key] = (
        await call("POST", "/api/v1/components", { name: `Componente ${key}`, monitorIds: [monitor[key]] })
      ).json().id;
    }
    await settle();
    const window = (key: string) =>
      call("POST", "/api/v1/maintenance-windows", {
        title: `Janela ${key}`,
        startsAt: new Date(START).toISOString(),
        endsAt: new Date(END).toISOString(),
        componentIds: [component[key]],
        mode: "mute",
      });

    // 72 h ahead: in time. Two hours ahead: an emergency, with less notice than the plan's 48 h.
    const ahead = (await window("ahead")).json();
    expect(ahead).toMatchObject({ warnings: [], announcedInTime: true });
    await minutes(START - 2 * HOUR - 2 * MINUTE, START - 2 * HOUR);
    const late = (await window("late")).json();
    expect(late.announcedInTime).toBe(false);
    expect(late.warnings).toEqual([
      { code: "short-notice", message: "announced 2 h ahead; the plan requires 48 h of notice" },
    ]);
    expect((await call("GET", `/api/v1/maintenance-windows/${late.id}`)).json().warnings).toEqual(late.warnings);
    const scheduled = await t.platform.db
      .selectFrom("events")
      .select(["subject_id", "payload"])
      .where("type", "=", "maintenance.scheduled")
      .execute();
    const warningsOf = (id: string) =>
      JSON.parse(scheduled.find((e) => e.subject_id === id)!.payload).warnings as string[];
    expect(warningsOf(ahead.id)).toEqual([]);
    expect(warningsOf(late.id)).toEqual(["short-notice"]);

    // Both targets fail for the whole hour of the windows.
    await minutes(START - HOUR, START);
    healthy = false;
    await minutes(START + MINUTE, START + 5 * MINUTE);
    const statusOf = async (key: string) =>
      (await call("GET", `/api/v1/monitors/${monitor[key]}`)).json().state?.status;
    expect(await statusOf("ahead")).toBe("MAINTENANCE");
    expect(await statusOf("late")).toBe("DOWN");
    // Both silence their monitors' alerts: a late window is still planned work.
    const silenced = (await call("GET", "/api/v1/silences")).json().items.map((s: { comment: string }) => s.comment);
    expect(silenced).toEqual(expect.arrayContaining([`maintenance:${ahead.id}`, `maintenance:${late.id}`]));
    await minutes(END - 5 * MINUTE, END - MINUTE);
    healthy = true;
    await minutes(END, END + HOUR);
    expect(await statusOf("ahead")).toBe("UP");
    expect(await statusOf("late")).toBe("UP");

    // The monitor uptime API, one monitor and several.
    const range = `from=${new Date(START - HOUR).toISOString()}&to=${new Date(END + HOUR).toISOString()}`;
    const one = async (key: string) => (await call("GET", `/api/v1/monitors/${monitor[key]}/uptime?${range}`)).json();
    const inTime = await one("ahead");
    expect(inTime.uptime).toBe(1);
    expect(inTime.downSeconds).toBe(0);
    expect(inTime.seconds.MAINTENANCE).toBe(3600);
    const counted = await one("late");
    expect(counted.seconds.MAINTENANCE).toBe(0);
    // Down from its first failed check, a minute in, to the first good one at the end.
    expect(counted.downSeconds).toBeGreaterThanOrEqual(3540);
    expect(counted.downSeconds).toBeLessThanOrEqual(3600);
    expect(counted.upSeconds + counted.downSeconds).toBe(3 * 3600);
    expect(counted.uptime).toBeCloseTo(counted.upSeconds / (3 * 3600), 6);
    expect(counted.outages).toBe(1);
    const both = (await call("GET", `/api/v1/monitors/uptime?ids=${monitor.ahead}&ids=${monitor.late}&${range}`)).json()
      .items;
    expect(both.map((u: { uptime: number }) => u.uptime)).toEqual([inTime.uptime, counted.uptime]);

    // The dashboard's cards: the last 24 h.
    const cards = (await call("GET", `/api/v1/monitors/overview?ids=${monitor.ahead}&ids=${monitor.late}`)).json()
      .items;
    expect(cards[0].uptime24h).toBe(1);
    expect(cards[1].uptime24h).toBeCloseTo(1 - counted.downSeconds / 86_400, 6);

    // The status page, the next day: Thursday's bar.
    await at(FRIDAY);
    const page = (await call("GET", "/api/v1/status", undefined, {})).json() as {
      components: { id: string; uptime: number; bars: { date: string; uptime: number | null; level: string }[] }[];
    };
    const barOf = (key: string) =>
      page.components.find((c) => c.id === component[key])!.bars.find((b) => b.date === "2026-12-10")!;
    expect(barOf("ahead")).toEqual({ date: "2026-12-10", uptime: 1, level: "operational" });
    const thursday = barOf("late");
    expect(thursday.uptime).toBeCloseTo(1 - counted.downSeconds / 86_400, 6);
    expect(thursday.level).toBe("partial_outage");
    expect(page.components.find((c) => c.id === component.ahead)!.uptime).toBe(1);
    expect(page.components.find((c) => c.id === component.late)!.uptime).toBeLessThan(1);
    // /status draws the same bars: only the late window's day has something to tell.
    const html = (await call("GET", "/status?lang=en", undefined, {})).body;
    const card = (key: string) =>
      html.slice(html.indexOf(`data-component="${component[key]}"`)).split("</div></div>")[0];
    expect(card("late")).toContain('class="b-partial_outage" title="2026-12-10: 95.');
    expect(card("ahead")).not.toContain("2026-12-10");
  });
});

/** The gate's verdict per occurrence, from the window's warnings, its announcement and the plan (pure). */
describe("maintenance gate: notice per occurrence", () => {
  const monitorId = "m1";
  const components = [{ id: "c1", monitorIds: [monitorId] } as unknown as Component];
  const row = (over: Partial<WindowRow>): WindowRow => ({
    id: "w1",
    title: "Atualização",
    description: "",
    starts_at: new Date(START).toISOString(),
    ends_at: new Date(END).toISOString(),
    timezone: "America/Sao_Paulo",
    rrule: null,
    component_ids: JSON.stringify(["c1"]),
    mode: "mute",
    state: "scheduled",
    occurrence_start: new Date(START).toISOString(),
    warnings: "[]",
    announced_at: new Date(T0).toISOString(),
    created_by: null,
    created_at: new Date(T0).toISOString(),
    updated_at: new Date(T0).toISOString(),
    ...over,
  });
  const lateWarnings = JSON.stringify([{ code: "short-notice", message: "announced 2 h ahead" }]);
  const policy = { maintenanceCountsAsDowntime: false, noticeHours: 48 };
  const reasonAt = (r: WindowRow, at: number, p = policy) => {
    const gate = new MaintenanceGate();
    gate.rebuild([{ row: r, view: windowView(r) }], components, new Date(at), p);
    return gate.reason(monitorId, at);
  };

  it("gates an occurrence announced in time, and not one announced late", () => {
    expect(reasonAt(row({}), START + MINUTE)).toBe("maintenance:w1");
    expect(reasonAt(row({}), END)).toBeNull();
    const late = row({ warnings: lateWarnings, announced_at: new Date(START - 2 * HOUR).toISOString() });
    expect(reasonAt(late, START + MINUTE)).toBeNull();
  });

  it("judges each occurrence of a late recurring window by its own notice", () => {
    const weekly = row({
      rrule: "FREQ=WEEKLY;COUNT=3",
      warnings: lateWarnings,
      announced_at: new Date(START - 2 * HOUR).toISOString(),
    });
    const WEEK = 7 * 24 * HOUR;
    expect(reasonAt(weekly, START + MINUTE)).toBeNull();
    expect(reasonAt(weekly, START + WEEK + MINUTE)).toBe("maintenance:w1");
    expect(reasonAt(weekly, START + 2 * WEEK + MINUTE)).toBe("maintenance:w1");
    // A plan asking for more notice than the week between them: the second is late too, the third is not.
    const strict = { ...policy, noticeHours: 200 };
    expect(reasonAt(weekly, START + WEEK + MINUTE, strict)).toBeNull();
    expect(reasonAt(weekly, START + 2 * WEEK + MINUTE, strict)).toBe("maintenance:w1");
  });

  it("gates nothing when the plan counts maintenance as downtime, nor a show-only window", () => {
    expect(reasonAt(row({}), START + MINUTE, { ...policy, maintenanceCountsAsDowntime: true })).toBeNull();
    expect(reasonAt(row({ mode: "show" }), START + MINUTE)).toBeNull();
  });
});
