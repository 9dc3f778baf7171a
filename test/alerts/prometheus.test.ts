import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../fixtures/nodes.js";
import { type TestContext, testApp, tokenFor } from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const PROMETHEUS = "/usr/bin/prometheus";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Debian's Prometheus names Plantão as its Alertmanager (basic_auth with an API token as the password, as in
 * a stock prometheus.yml) and evaluates `vector(1) > 0` every second (resending every second): its alert arrives on /api/v2/alerts,
 * is routed to the NOC's receiver and mailed.
 */
describe.skipIf(!existsSync(PROMETHEUS))("Debian's Prometheus with Plantão as its Alertmanager", () => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  let prometheus: ChildProcess | undefined;
  let dir: string;
  let address: string;
  let token: string;
  let log = "";

  beforeAll(async () => {
    smtp = await startInbox();
    t = await testApp("sqlite", { config: { smtpUrl: smtp.url, mailFrom: "plantao@suporte.example" } });
    address = await t.app.listen({ port: 0, host: "127.0.0.1" });
    token = (await tokenFor(t, "admin")).token;
    dir = mkdtempSync(join(tmpdir(), "prometheus-"));
  }, 60_000);
  afterAll(async () => {
    prometheus?.kill();
    await t?.close();
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("posts its firing alert, which is routed and notified", async () => {
    await t.services.alerts.saveReceiver(null, {
      name: "noc",
      targets: [{ type: "email", to: "noc@provedor.example" }],
    });
    await t.services.alerts.saveRouting(null, {
      route: {
        id: "root",
        receiver: "noc",
        matchers: [],
        groupBy: ["alertname"],
        groupWaitSeconds: 0,
        groupIntervalSeconds: 60,
        repeatIntervalSeconds: 3600,
      },
      inhibitRules: [],
      muteIntervals: {},
    });
    const host = new URL(address).host;
    writeFileSync(
      join(dir, "rules.yml"),
      [
        "groups:",
        "  - name: plantao-test",
        "    interval: 1s",
        "    rules:",
        "      - alert: AlwaysFiring",
        "        expr: vector(1) > 0",
        "        for: 0s",
        "        labels: {severity: critical, team: noc}",
        "        annotations: {summary: Prometheus says hello}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global: {evaluation_interval: 1s, scrape_interval: 15s}",
        "rule_files: [rules.yml]",
        "alerting:",
        "  alertmanagers:",
        "    - api_version: v2",
        "      basic_auth: {username: prometheus, password: " + token + "}",
        `      static_configs: [{targets: ["${host}"]}]`,
        "",
      ].join("\n"),
    );
    const port = await freePort();
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Its first evaluation fires before its Alertmanager list is discovered (up to 5 s), and that send is
        // dropped; the default resend delay (1 min) would then hold the alert back for a minute.
        "--rules.alert.resend-delay=1s",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    prometheus.stderr!.on("data", (c: Buffer) => {
      log = (log + c.toString()).slice(-4000);
    });

    const alert = await waitFor(
      "Prometheus' alert",
      async () => (await t.services.alerts.listAlerts()).find((a) => a.labels.alertname === "AlwaysFiring"),
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${log}`);
    });
    expect(alert).toMatchObject({
      source: "api",
      state: "firing",
      labels: { alertname: "AlwaysFiring", severity: "critical", team: "noc" },
      annotations: { summary: "Prometheus says hello" },
    });
    expect(alert.generatorUrl).toContain("/graph?");

    expect(await t.services.alerts.engine.tick()).toEqual([
      { receiver: "noc", group: { alertname: "AlwaysFiring" }, firing: [alert.fingerprint], resolved: [] },
    ]);
    await t.platform.jobs.drain();
    const mail = smtp.inbox.splice(0);
    expect(mail.map((m) => m.subject)).toEqual(["[ALERTA 1] alertname=AlwaysFiring"]);
    expect(mail[0]!.text).toContain("Prometheus says hello");
    // Prometheus resends it every evaluation: still one alert.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await t.services.alerts.listAlerts()).filter((a) => a.labels.alertname === "AlwaysFiring")).toHaveLength(1);
  }, 60_000);

  it("takes basic auth with an API token as the password on /api/v2 only, and refuses a wrong one", async () => {
    const basic = (password: string) => `Basic ${Buffer.from(`prometheus:${password}`).toString("base64")}`;
    const ok = await t.app.inject({ url: "/api/v2/status", headers: { authorization: basic(token) } });
    expect(ok.statusCode).toBe(200);
    const wrong = await t.app.inject({ url: "/api/v2/alerts", headers: { authorization: basic("nope") } });
    expect(wrong.statusCode).toBe(401);
    const v1 = await t.app.inject({ url: "/api/v1/alerts", headers: { authorization: basic(token) } });
    expect(v1.statusCode).toBe(401);
    const bearer = await t.app.inject({ url: "/api/v2/alerts", headers: { authorization: `Bearer ${token}` } });
    expect(bearer.statusCode).toBe(200);
  });
});
