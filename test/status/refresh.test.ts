import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { uuidv7 } from "../../src/platform/ids.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

type Headers = Record<string, string>;
const DAY = 86_400_000;

/**
 * The page's refresh (every second while it is served): a view is built again only when what it shows changed,
 * the 90-day bars are read in full once a day and otherwise only today's, and a change still shows within 2 s.
 */
describe.each(engines)("status page refresh on %s", (engine) => {
  let t: TestContext;
  let admin: Headers;
  // Sunday 6 December 2026, 09:00 in São Paulo.
  const clock = new ManualClock("2026-12-06T12:00:00.000Z");
  const ids: string[] = [];
  let monitorId = "";

  beforeAll(async () => {
    t = await testApp(engine, { clock });
    admin = (await tokenFor(t, "admin")).headers;
    const monitor = await t.app.inject({
      method: "POST",
      url: "/api/v1/monitors",
      headers: admin,
      payload: { name: "PBX", type: "http", target: "http://127.0.0.1:9/", intervalSeconds: 60 },
    });
    expect(monitor.statusCode, monitor.body).toBe(201);
    monitorId = monitor.json().id;
    // Up for the last three days until an hour ago.
    const start = clock.now().getTime() - 3 * DAY;
    await t.platform.db
      .insertInto("monitor_intervals")
      .values({
        id: uuidv7(),
        monitor_id: monitorId,
        status: "UP",
        reason: null,
        message: null,
        started_at: new Date(start).toISOString(),
        ended_at: new Date(clock.now().getTime() - 3_600_000).toISOString(),
      })
      .execute();
    for (const name of ["PBX cluster A", "PBX cluster B"]) {
      const res = await t.app.inject({
        method: "POST",
        url: "/api/v1/components",
        headers: admin,
        payload: { name, monitorIds: [monitorId] },
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
    }
  }, 60_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  const staff = () => ({ userId: "x", role: "admin" }) as never;

  it("an unchanged page is not built again; a change to one component is", async () => {
    const page = t.services.status.page;
    await page.refresh();
    const before = await page.viewFor(staff());
    const gz = await page.gzipped("en");
    await page.refresh();
    const same = await page.viewFor(staff());
    // The same component views (not equal copies): nothing was built again, only the time moved.
    expect(same.components[0]).toBe(before.components[0]);
    expect(await page.gzipped("en")).toBe(gz);

    await t.app.inject({
      method: "PUT",
      url: `/api/v1/components/${ids[1]}/override`,
      headers: admin,
      payload: { status: "major_outage", until: new Date(clock.now().getTime() + 3_600_000).toISOString() },
    });
    await page.refresh();
    const after = await page.viewFor(staff());
    expect(after.components.find((c) => c.id === ids[1])?.status).toBe("major_outage");
    expect(after.components.find((c) => c.id === ids[0])?.status).not.toBe("major_outage");
    expect(await page.gzipped("en")).not.toBe(gz);
  });

  it("reads only today's bar between full reads, and all 90 days again on a new day", async () => {
    const page = t.services.status.page;
    const bars = vi.spyOn(t.services.status.components, "bars");
    // A minute later (the bars' refresh), with an outage today: one day read, today's bar shows it.
    await t.platform.db
      .insertInto("monitor_intervals")
      .values({
        id: uuidv7(),
        monitor_id: monitorId,
        status: "DOWN",
        reason: "test",
        message: null,
        started_at: new Date(clock.now().getTime() - 3_600_000).toISOString(),
        ended_at: new Date(clock.now().getTime() - 1_800_000).toISOString(),
      })
      .execute();
    const real = Date.now.bind(Date);
    const later = vi.spyOn(Date, "now").mockImplementation(() => real() + 61_000);
    await page.refresh();
    later.mockRestore();
    expect(bars.mock.calls.map((c) => c[1])).toEqual([1]);
    const view = await page.viewFor(staff());
    const today = view.components[0]!.bars.at(-1)!;
    expect(today.date).toBe("2026-12-06");
    expect(today.uptime).toBeLessThan(1);
    // Past days kept as read: yesterday was up all day.
    expect(view.components[0]!.bars.at(-2)!.uptime).toBe(1);

    clock.advance(DAY);
    await page.refresh();
    expect(bars.mock.calls.map((c) => c[1])).toEqual([1, 90]);
    expect((await page.viewFor(staff())).components[0]!.bars.at(-1)!.date).toBe("2026-12-07");
    bars.mockRestore();
  });

  it("a change to one component shows on /status within 2 s while the page is being served", async () => {
    await t.app.inject({ method: "GET", url: "/status" });
    const changed = Date.now();
    const res = await t.app.inject({
      method: "PUT",
      url: `/api/v1/components/${ids[0]}/override`,
      headers: admin,
      payload: { status: "partial_outage", until: new Date(clock.now().getTime() + 3_600_000).toISOString() },
    });
    expect(res.statusCode, res.body).toBe(200);
    let shownMs = -1;
    while (Date.now() - changed < 5000) {
      const html = (await t.app.inject({ method: "GET", url: "/status" })).body;
      if (html.includes('data-status="partial_outage"')) {
        shownMs = Date.now() - changed;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(shownMs).toBeGreaterThanOrEqual(0);
    expect(shownMs).toBeLessThanOrEqual(2000);
  });
});
