import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { CHROMIUM, CHROMIUM_ARGS, skipBrowser } from "../fixtures/browser.js";
import { startSmtp } from "../fixtures/smtp.js";
import { engines, type TestContext, testApp, tokenFor } from "../harness.js";

const HOUR = 3_600_000;
// Monday 7 December 2026, 02:00 in São Paulo; the window is Thursday 02:00–05:00, 72 h ahead.
const T0 = Date.parse("2026-12-07T05:00:00.000Z");
const WINDOW_START = T0 + 72 * HOUR;
const WINDOW_END = WINDOW_START + 3 * HOUR;

/**
 * The issue's acceptance, end to end on a real SMTP server and Chromium with JavaScript off, on an injected
 * clock: notices of a window 72 h ahead reach only its components' subscribers and it shows on /status;
 * during it a failing monitor shows MAINTENANCE and nobody is alerted; afterwards uptime leaves it out.
 */
describe.skipIf(skipBrowser).each(engines)("maintenance window end to end on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let admin: Record<string, string>;
  let target: Server;
  let healthy = true;
  let base: string;
  const clock = new ManualClock(new Date(T0));

  beforeAll(async () => {
    smtp = await startSmtp();
    target = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 500, { connection: "close" });
      res.end(healthy ? "ok" : "failing");
    });
    await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
    t = await testApp(engine, { clock, start: true, config: { jobsEnabled: false, smtpUrl: smtp.url } });
    admin = (await tokenFor(t, "admin")).headers;
    await t.services.alerts.ensureDefaults();
    await t.services.alerts.saveReceiver(null, {
      name: "default",
      targets: [{ type: "email", to: "noc@example.com" }],
    });
    await t.services.monitoring.start();
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  }, 120_000);
  afterAll(async () => {
    await t?.services.monitoring.stop();
    await t?.close();
    await smtp?.close();
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
  /** Runs what fell due: timers and mail (the job queue), checks (the engine), alert rules and routing. */
  const settle = async () => {
    await t.services.monitoring.engine.runDue();
    await t.services.monitoring.engine.idle();
    await t.services.alerts.engine.tick();
    for (let i = 0; i < 3; i++) await t.platform.jobs.drain();
  };
  const at = async (ms: number) => {
    clock.set(new Date(ms));
    await settle();
  };
  const statusOf = async (id: string) => (await call("GET", `/api/v1/monitors/${id}`)).state?.status;
  const mailTo = (who: string) => smtp.inbox.filter((m) => m.to === who);
  const noJs = async (path: string) => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, locale: "pt-BR" });
      const page = await context.newPage();
      const res = await page.goto(`${base}${path}`);
      expect(res?.status()).toBe(200);
      return {
        text: (await page.locator("main").textContent()) ?? "",
        statuses: Object.fromEntries(
          await page
            .locator("[data-component]")
            .evaluateAll((els) =>
              els.map((e) => [e.querySelector("strong")?.textContent, e.getAttribute("data-status")]),
            ),
        ) as Record<string, string>,
        overall: await page.locator("#overall").getAttribute("data-status"),
        maintenance: await page.locator("[data-maintenance]").allInnerTexts(),
      };
    } finally {
      await browser.close();
    }
  };

  it("notices only subscribers of the window's components, shows MAINTENANCE, alerts nobody and leaves the window out of uptime", async () => {
    const monitor = await call("POST", "/api/v1/monitors", {
      name: "SIP trunk",
      type: "http",
      target: `http://127.0.0.1:${(target.address() as AddressInfo).port}/`,
      intervalSeconds: 60,
      timeoutSeconds: 5,
      retries: 0,
    });
    await settle();
    expect(await statusOf(monitor.id)).toBe("UP");
    const sip = await call("POST", "/api/v1/components", { name: "Registro SIP", monitorIds: [monitor.id] });
    const portal = await call("POST", "/api/v1/components", { name: "Portal web" });

    // Two subscribers, each confirming through the link of the mail they received.
    for (const [email, componentIds] of [
      ["ana@example.com", [sip.id]],
      ["bruno@example.com", [portal.id]],
    ] as const) {
      await call("POST", "/api/v1/status-subscriptions", { email, componentIds }, {});
      await settle();
      const link = /https?:\/\/\S+\/status\/confirm\?token=(\S+)/.exec(mailTo(email).at(-1)!.text)!;
      await call("POST", "/api/v1/status-subscriptions/confirm", { token: decodeURIComponent(link[1]!) }, {});
    }
    const before = smtp.inbox.length;

    const window = await call("POST", "/api/v1/maintenance-windows", {
      title: "Atualização do Asterisk",
      description: "Chamadas podem cair por alguns segundos.",
      startsAt: new Date(WINDOW_START).toISOString(),
      endsAt: new Date(WINDOW_END).toISOString(),
      componentIds: [sip.id],
    });
    expect(window).toMatchObject({ state: "scheduled", warnings: [], announcedInTime: true });
    await settle();
    const notices = smtp.inbox.slice(before);
    expect(notices.map((m) => m.to)).toEqual(["ana@example.com"]);
    expect(notices[0]!.subject).toBe("[Manutenção programada] Atualização do Asterisk");
    expect(notices[0]!.text).toContain("Registro SIP");
    expect(notices[0]!.text).not.toContain("Portal web");
    expect(notices[0]!.listUnsubscribe).toMatch(/^<http:\/\/\S+\/status\/unsubscribe\?token=/);
    expect(notices[0]!.listUnsubscribePost).toBe("List-Unsubscribe=One-Click");

    let page = await noJs("/status");
    expect(page.maintenance.join(" ")).toContain("Atualização do Asterisk");
    expect(page.text).toContain("Programada");

    await at(WINDOW_START - 24 * HOUR);
    expect(mailTo("ana@example.com").filter((m) => m.subject.includes("Manutenção programada"))).toHaveLength(2);

    // The window starts; the trunk fails while it runs: MAINTENANCE, and no alert mail.
    await at(WINDOW_START);
    expect((await call("GET", `/api/v1/maintenance-windows/${window.id}`)).state).toBe("in_progress");
    healthy = false;
    for (let m = 1; m <= 10; m++) await at(WINDOW_START + m * 60_000);
    expect(await statusOf(monitor.id)).toBe("MAINTENANCE");
    await t.services.status.page.refresh();
    page = await noJs("/status");
    expect(page.statuses).toEqual({ "Registro SIP": "maintenance", "Portal web": "operational" });
    expect(page.overall).toBe("maintenance");
    expect(page.text).toContain("Em andamento");
    expect(smtp.inbox.filter((m) => m.to === "noc@example.com")).toEqual([]);
    const silences = await call("GET", "/api/v1/silences");
    expect(silences.items.some((s: { comment: string }) => s.comment === `maintenance:${window.id}`)).toBe(true);

    // Fixed before the end; the window ends on time.
    healthy = true;
    await at(WINDOW_END - 60_000);
    await at(WINDOW_END);
    expect((await call("GET", `/api/v1/maintenance-windows/${window.id}`)).state).toBe("completed");
    await at(WINDOW_END + 60_000);
    await at(WINDOW_END + HOUR);
    expect(await statusOf(monitor.id)).toBe("UP");
    expect(smtp.inbox.filter((m) => m.to === "noc@example.com")).toEqual([]);
    const subjects = mailTo("ana@example.com").map((m) => m.subject);
    expect(subjects).toContain("[Manutenção iniciada] Atualização do Asterisk");
    expect(subjects).toContain("[Manutenção concluída] Atualização do Asterisk");
    expect(mailTo("bruno@example.com").filter((m) => m.subject.includes("Manutenção"))).toEqual([]);

    // Uptime over the hour before, the window and the hour after: the window is left out.
    const from = new Date(WINDOW_START - HOUR).toISOString();
    const to = new Date(WINDOW_END + HOUR).toISOString();
    const uptime = await call("GET", `/api/v1/monitors/${monitor.id}/uptime?from=${from}&to=${to}`);
    expect(uptime.uptime).toBe(1);
    expect(uptime.seconds.MAINTENANCE).toBeGreaterThanOrEqual(3 * 3600 - 60);
    expect(uptime.downSeconds).toBe(0);

    // The control: the same failure outside a window is DOWN and alerts the NOC by mail.
    healthy = false;
    for (let m = 1; m <= 10; m++) await at(WINDOW_END + HOUR + m * 60_000);
    expect(await statusOf(monitor.id)).toBe("DOWN");
    expect(smtp.inbox.filter((m) => m.to === "noc@example.com").length).toBeGreaterThan(0);
  });
});
