import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nodemailer from "nodemailer";
import pino from "pino";
import { mailBodies, render, templates } from "../src/modules/notifications/templates.js";
import { loadConfig } from "../src/platform/config.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { createPlatform } from "../src/platform/runtime.js";
import { createServices } from "../src/services.js";
import { benchEngines, report, scratchDatabase } from "./harness.js";

const MESSAGES = Number(process.env.PLANTAO_BENCH_NOTIFICATIONS || 1_000);
const ROUNDS = 5;
const CONNECTIONS = 5;
const CONCURRENCY = 8;

/**
 * The notification outbox against a local SMTP server: 1,000 queued notifications (email, with their Message-ID
 * stored) delivered by the node from the moment it starts: rows claimed in batches, rendered from their
 * template, sent over the pool and their outcomes recorded, against nodemailer sending the same messages, rendered
 * beforehand, directly over the same pool size (5 connections), in the same run. Value and baseline are messages
 * per second (best of the rounds, alternated); ratio = value / baseline, target ≥ 0.8.
 */
export default async function notificationsBench(): Promise<void> {
  // The SMTP server runs in its own process, as a real one would, so it does not share the sender's event loop.
  const sink = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { SMTPServer } from "smtp-server";
       const server = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false,
         onData(stream, _s, done) { stream.on("data", () => {}); stream.on("end", () => { process.stdout.write("."); done(); }); } });
       server.listen(0, "127.0.0.1", () => console.log("port " + server.server.address().port));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let received = 0;
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    sink.on("exit", () => reject(new Error("the SMTP sink exited")));
    sink.stdout!.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      received += text.split(".").length - 1;
      out += text;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  const smtpUrl = `smtp://127.0.0.1:${port}`;
  try {
    for (const engine of benchEngines) await benchEngine(engine, smtpUrl, () => received);
  } finally {
    sink.kill();
  }
}

const params = (n: number) => ({
  number: n,
  subject: "Sem áudio nas chamadas de saída",
  severity: "high",
  tier: "L2",
  status: "open",
  clock: "resolution",
  breachAt: "2026-03-02T16:00:00.000Z",
  link: `https://plantao.example/tickets/${n}`,
});

async function direct(smtpUrl: string, received: () => number): Promise<number> {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: CONNECTIONS } as never);
  const mails = Array.from({ length: MESSAGES }, (_, n) => {
    const r = render(templates, "ticket.escalation.staff", "pt-BR", params(n));
    const { text, html } = mailBodies(r, "pt-BR", "https://plantao.example/notifications/preferences");
    return {
      from: "plantao@suporte.example",
      to: `agente${n}@suporte.example`,
      subject: r.subject,
      text,
      html,
      messageId: `<${randomBytes(8).toString("hex")}@suporte.example>`,
      inReplyTo: `<ticket.${n}@suporte.example>`,
      references: `<ticket.${n}@suporte.example>`,
      headers: { "Auto-Submitted": "auto-generated", "List-Unsubscribe": "<https://plantao.example/x>" },
    };
  });
  const before = received();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < mails.length) await transport.sendMail(mails[next++]!);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  transport.close();
  if (received() - before !== MESSAGES) throw new Error("the SMTP server did not receive every direct message");
  return MESSAGES / seconds;
}

async function outbox(engine: Engine, smtpUrl: string, received: () => number): Promise<number> {
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
    for (let i = 0; i < MESSAGES; i += 250) {
      await services.notifications.enqueue(
        Array.from({ length: Math.min(250, MESSAGES - i) }, (_, k) => ({
          to: { email: `agente${i + k}@suporte.example` },
          template: "ticket.escalation.staff",
          params: params(i + k),
          thread: { kind: "ticket", id: String(i + k) },
        })),
      );
    }
    // Delivered = received by the SMTP server; polling that counter costs the database nothing.
    const before = received();
    const started = performance.now();
    await platform.start();
    while (received() - before < MESSAGES) await new Promise((r) => setTimeout(r, 2));
    return MESSAGES / ((performance.now() - started) / 1000);
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}

async function benchEngine(engine: Engine, smtpUrl: string, received: () => number): Promise<void> {
  const baseline: number[] = [];
  const value: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baseline.push(await direct(smtpUrl, received));
    value.push(await outbox(engine, smtpUrl, received));
  }
  report(
    {
      name: "notifications-smtp",
      metric: "messages per second",
      value: Math.round(Math.max(...value)),
      baseline: Math.round(Math.max(...baseline)),
      engine,
      messages: MESSAGES,
      rounds: ROUNDS,
      outboxRounds: value.map(Math.round),
      directRounds: baseline.map(Math.round),
      target: "outbox throughput ≥ 0.8 of nodemailer sending the same messages directly",
    },
    0.8,
  );
}
