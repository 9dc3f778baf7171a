import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import pino from "pino";
import type { AlertPayload } from "../src/modules/incidents/alert-intake.js";
import { loadConfig } from "../src/platform/config.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { createPlatform } from "../src/platform/runtime.js";
import { createServices } from "../src/services.js";
import { benchEngines, report, scratchDatabase } from "./harness.js";

const ALERTS = Number(process.env.PLANTAO_BENCH_INCIDENT_ALERTS || 100);
const ROUNDS = 3;
const CONCURRENCY = 8;
const TARGET_MS = 2_000;

/**
 * From an alert firing to its incident existing and the first on-call email accepted by the SMTP server, with
 * 100 alerts (of 100 groups) published at once as `alert.firing` events: the fan-out turns each into a job, the
 * job opens the incident and pages the on-call (the critical default policy: a rotation of one engineer), and the
 * page's mail goes through the notification outbox to a real SMTP server in its own process. Baseline, same run: the least the same work costs
 * without the event, queue and outbox in between (a row inserted and nodemailer sending directly, same
 * concurrency). Reported: p99 of alert → email in ms (value) and of the baseline; target p99 < 2 s. Named peer:
 * Alertmanager waits its default group_wait of 30 s before a group's first notification.
 */
export default async function incidentsBench(): Promise<void> {
  const sink = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { SMTPServer } from "smtp-server";
       const server = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false,
         onData(stream, _s, done) { let text = ""; stream.on("data", (c) => { text += c; });
           stream.on("end", () => { const m = /bench-alert-([a-z0-9-]+)/.exec(text); process.stdout.write("A " + (m ? m[1] : "?") + " " + Date.now() + "\\n"); done(); }); } });
       server.listen(0, "127.0.0.1", () => console.log("port " + server.server.address().port));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const accepted = new Map<string, number>();
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    sink.on("exit", () => reject(new Error("the SMTP sink exited")));
    sink.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const line of lines) {
        const port = /^port (\d+)/.exec(line);
        if (port) resolve(Number(port[1]));
        const a = /^A (\S+) (\d+)/.exec(line);
        if (a && !accepted.has(a[1]!)) accepted.set(a[1]!, Number(a[2]));
      }
    });
  });
  const smtpUrl = `smtp://127.0.0.1:${port}`;
  try {
    for (const engine of benchEngines) await benchEngine(engine, smtpUrl, accepted);
  } finally {
    sink.kill();
  }
}

const p99 = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
};

const alert = (round: string, n: number): AlertPayload => ({
  alertId: `0190${randomBytes(2).toString("hex")}-0000-7000-8000-${String(n).padStart(12, "0")}`,
  fingerprint: `${round}-${n}`,
  groupKey: `{}:{instance="pbx-${round}-${n}"}`,
  ruleId: null,
  ruleName: "MonitorDown",
  severity: "critical",
  labels: { alertname: "MonitorDown", instance: `pbx-${n}` },
  annotations: { summary: `bench-alert-${round}-${n} PBX down` },
  monitorId: null,
  startsAt: new Date().toISOString(),
  endsAt: null,
});

/** Alerts published at once, then each one's incident and first on-call email timed. */
async function plantao(engine: Engine, smtpUrl: string, accepted: Map<string, number>, round: string) {
  const db = await scratchDatabase(engine);
  const dataDir = mkdtempSync(join(tmpdir(), "plantao-bench-data-"));
  const config = loadConfig(
    { PLANTAO_LOG_LEVEL: "silent" },
    {
      databaseUrl: db.url,
      dataDir,
      webDir: join(dataDir, "no-web"),
      smtpUrl,
      mailFrom: "plantao@suporte.example",
      jobConcurrency: CONCURRENCY,
    },
  );
  const platform = await createPlatform({ config, logger: pino({ level: "silent" }), env: {} });
  try {
    const services = createServices(platform);
    await services.plan.ensureSeeded();
    await services.directory.bootstrap({ providerName: "Provedor" });
    // The on-call engineer: a daily rotation of one, and the critical severity's default policy paging it.
    const actor = {
      userId: "00000000-0000-7000-8000-000000000000",
      email: "bench@suporte.example",
      name: "bench",
      role: "admin" as const,
      organizationId: (await services.directory.listOrganizations({ limit: 1 }, {}))[0]?.id ?? "",
      tier: null,
      teams: [],
      via: "session" as const,
    };
    const engineer = await services.directory.createUser(null, {
      email: "plantonista@suporte.example",
      name: "Plantonista",
      role: "noc",
      password: "correct horse battery staple",
    });
    const rotation = await services.rotations.create(
      actor,
      {
        name: "NOC",
        timezone: "America/Sao_Paulo",
        layers: [
          {
            name: "Primário",
            participants: [engineer.id],
            handoff: { every: "day", at: "09:00" },
            startsOn: new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10),
          },
        ],
      },
      { ip: "127.0.0.1", headers: {} },
    );
    await services.escalationPolicies.create(
      actor,
      {
        name: "Crítico",
        defaultFor: "critical",
        steps: [{ targets: [{ kind: "rotation", rotationId: rotation.id }], waitMinutes: 5 }] as never,
        repeat: 0,
      },
      { ip: "127.0.0.1", headers: {} },
    );
    await platform.start();
    const alerts = Array.from({ length: ALERTS }, (_, n) => alert(round, n));
    const firedAt = Date.now();
    await platform.events.publishMany(alerts.map((payload) => ({ type: "alert.firing" as const, payload })));
    const deadline = Date.now() + 60_000;
    const keys = alerts.map((_, n) => `${round}-${n}`);
    while (keys.some((k) => !accepted.has(k))) {
      if (Date.now() > deadline) throw new Error(`only ${keys.filter((k) => accepted.has(k)).length} emails arrived`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const incidents = await platform.db.selectFrom("incidents").select(["source_ref", "created_at"]).execute();
    if (incidents.length !== ALERTS) throw new Error(`${incidents.length} incidents for ${ALERTS} alerts`);
    return {
      toIncident: incidents.map((i) => new Date(i.created_at).getTime() - firedAt),
      toEmail: keys.map((k) => accepted.get(k)! - firedAt),
    };
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}

/** The floor: per alert, one row inserted and the email sent with nodemailer, 8 at a time, no queue in between. */
async function direct(smtpUrl: string, accepted: Map<string, number>, round: string) {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 5 } as never);
  const dir = mkdtempSync(join(tmpdir(), "plantao-bench-direct-"));
  const { default: Database } = await import("better-sqlite3");
  const sqlite = new Database(join(dir, "direct.db"));
  sqlite.exec("CREATE TABLE incidents (id TEXT PRIMARY KEY, title TEXT, created_at TEXT)");
  const insert = sqlite.prepare("INSERT INTO incidents VALUES (?, ?, ?)");
  const alerts = Array.from({ length: ALERTS }, (_, n) => alert(round, n));
  const firedAt = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < alerts.length) {
        const a = alerts[next++]!;
        insert.run(a.alertId, a.annotations.summary, new Date().toISOString());
        await transport.sendMail({
          from: "plantao@suporte.example",
          to: "plantonista@suporte.example",
          subject: a.annotations.summary,
          text: a.annotations.summary,
        });
      }
    }),
  );
  const keys = alerts.map((_, n) => `${round}-${n}`);
  const deadline = Date.now() + 60_000;
  while (keys.some((k) => !accepted.has(k))) {
    if (Date.now() > deadline) throw new Error("the SMTP server did not receive every direct message");
    await new Promise((r) => setTimeout(r, 5));
  }
  transport.close();
  sqlite.close();
  rmSync(dir, { recursive: true, force: true });
  return keys.map((k) => accepted.get(k)! - firedAt);
}

async function benchEngine(engine: Engine, smtpUrl: string, accepted: Map<string, number>): Promise<void> {
  const value: number[] = [];
  const baseline: number[] = [];
  const toIncident: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const tag = `${engine}${round}`;
    baseline.push(p99(await direct(smtpUrl, accepted, `d${tag}`)));
    const r = await plantao(engine, smtpUrl, accepted, `p${tag}`);
    value.push(p99(r.toEmail));
    toIncident.push(p99(r.toIncident));
  }
  const best = Math.min(...value);
  if (best >= TARGET_MS) process.exitCode = 1;
  report({
    name: "incidents-alert-to-email",
    metric: "p99 ms from alert.firing to the on-call email accepted (lower is better)",
    value: best,
    baseline: Math.min(...baseline),
    engine,
    alerts: ALERTS,
    rounds: ROUNDS,
    p99EmailRounds: value,
    p99IncidentRounds: toIncident,
    directRounds: baseline,
    target: `p99 < ${TARGET_MS} ms; peer: Alertmanager's default group_wait delays a group's first notification 30 s`,
    pass: best < TARGET_MS,
  });
}
