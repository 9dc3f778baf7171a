import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { loadConfig } from "../src/platform/config.js";
import type { Engine } from "../src/platform/db/dialect.js";
import { createPlatform } from "../src/platform/runtime.js";
import { createServices } from "../src/services.js";
import { benchEngines, report, scratchDatabase } from "./harness.js";

const PAGES = Number(process.env.PLANTAO_BENCH_PAGES || 100);
const ROUNDS = 3;
const TARGET_P99_MS = 2_000;

/**
 * On-call paging against a real SMTP server in its own process: 100 pages started at once (`escalations.page`),
 * each resolving the rotation's on-call, moving through its timer and the outbox to an email the server accepts.
 * Latency per page = from the `page()` call to the server accepting its email. The baseline in the same run is
 * the outbox alone: 100 notifications of the same template enqueued at once, from enqueue to acceptance. The
 * value is the outbox-alone p99 and the baseline the paging p99 (ratio = outbox / paging: what the timer hop, the
 * rotation lookup and the page rows cost). The target is p99 < 2 s for 100 at once; a run above it fails.
 */
export default async function pagingBench(): Promise<void> {
  const sink = spawn(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `import { SMTPServer } from "smtp-server";
       const server = new SMTPServer({ authOptional: true, disabledCommands: ["STARTTLS"], logger: false,
         onData(stream, _s, done) { let head = ""; stream.on("data", (c) => { if (head.length < 65536) head += c; });
           stream.on("end", () => { const m = /((?:bench|base)-[0-9]+)/.exec(head); process.stdout.write((m ? m[1] : "?") + "\\n"); done(); }); } });
       server.listen(0, "127.0.0.1", () => console.log("port " + server.server.address().port));`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const accepted = new Map<string, number>();
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    sink.on("exit", () => reject(new Error("the SMTP sink exited")));
    sink.stdout!.on("data", (chunk: Buffer) => {
      const now = performance.now();
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^port (\d+)$/.exec(line);
        if (m) resolve(Number(m[1]));
        else if (!accepted.has(line)) accepted.set(line, now);
      }
    });
  });
  try {
    // Each engine's emails carry numbers of their own: the sink's acceptances are shared, and a number already
    // accepted for the other engine would make its latency negative.
    for (const [i, engine] of benchEngines.entries())
      await benchEngine(engine, `smtp://127.0.0.1:${port}`, accepted, i * ROUNDS * PAGES);
  } finally {
    sink.kill();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!);
};

async function waitAll(keys: string[], accepted: Map<string, number>): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (keys.some((k) => !accepted.has(k))) {
    if (performance.now() > deadline) throw new Error("not every email arrived within 60 s");
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function benchEngine(
  engine: Engine,
  smtpUrl: string,
  accepted: Map<string, number>,
  offset: number,
): Promise<void> {
  const db = await scratchDatabase(engine);
  const dataDir = mkdtempSync(join(tmpdir(), "plantao-bench-data-"));
  const config = loadConfig(
    { PLANTAO_LOG_LEVEL: "silent" },
    { databaseUrl: db.url, dataDir, webDir: join(dataDir, "no-web"), smtpUrl, mailFrom: "plantao@suporte.example" },
  );
  const platform = await createPlatform({ config, logger: pino({ level: "silent" }), env: {} });
  try {
    const services = createServices(platform);
    await services.plan.ensureSeeded();
    await services.directory.bootstrap({ providerName: "Provedor" });
    const engineer = await services.directory.createUser(null, {
      email: "plantonista@provedor.example",
      name: "Plantonista",
      role: "noc",
      password: "bench password 123",
    });
    const actor = (await services.directory.findUserByEmail(engineer.email))!;
    const req = { ip: "127.0.0.1", headers: {} };
    const rotation = await services.rotations.create(
      actor,
      {
        name: "NOC",
        timezone: "America/Sao_Paulo",
        layers: [
          { name: "L", participants: [engineer.id], handoff: { every: "week", at: "09:00" }, startsOn: "2020-01-06" },
        ],
      },
      req,
    );
    const policy = await services.escalationPolicies.create(
      actor,
      {
        name: "Bench",
        steps: [{ targets: [{ kind: "rotation", rotationId: rotation.id }], channels: ["email"], waitMinutes: 30 }],
      },
      req,
    );
    await platform.start();
    const paging: number[] = [];
    const outbox: number[] = [];
    const pagingRounds: number[] = [];
    const outboxRounds: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Outbox alone: the same template to the same person, enqueued at once.
      const baseKeys = Array.from({ length: PAGES }, (_, n) => `base-${offset + round * PAGES + n}`);
      const baseStart = new Map<string, number>();
      await Promise.all(
        baseKeys.map(async (key) => {
          baseStart.set(key, performance.now());
          await services.notifications.enqueue([
            {
              to: { userId: engineer.id },
              channel: "email",
              template: "page.staff",
              params: { title: key, severity: "critical", severityName: "Crítico", step: 0, round: 0 },
            },
          ]);
        }),
      );
      await waitAll(baseKeys, accepted);
      const o = baseKeys.map((k) => accepted.get(k)! - baseStart.get(k)!);
      outbox.push(...o);
      outboxRounds.push(pct(o, 0.99));

      // Paging: 100 incidents page at once.
      const keys = Array.from({ length: PAGES }, (_, n) => `bench-${offset + round * PAGES + n}`);
      const start = new Map<string, number>();
      await Promise.all(
        keys.map(async (key) => {
          start.set(key, performance.now());
          await services.escalations.page({
            subject: { type: "incident", id: randomUUID() },
            policyId: policy.id,
            severity: "critical",
            title: key,
          });
        }),
      );
      await waitAll(keys, accepted);
      const p = keys.map((k) => accepted.get(k)! - start.get(k)!);
      paging.push(...p);
      pagingRounds.push(pct(p, 0.99));
    }
    const p99 = pct(paging, 0.99);
    report({
      name: "oncall-paging",
      metric: "p99 ms to the first email accepted by SMTP: outbox alone (value) vs through a page (baseline)",
      value: pct(outbox, 0.99),
      baseline: p99,
      engine,
      pages: PAGES,
      rounds: ROUNDS,
      pagingP50Ms: pct(paging, 0.5),
      pagingP99Ms: p99,
      outboxP50Ms: pct(outbox, 0.5),
      pagingRoundsP99: pagingRounds,
      outboxRoundsP99: outboxRounds,
      targetP99Ms: TARGET_P99_MS,
      pass: p99 < TARGET_P99_MS,
      loadAverage: Math.round(loadavg()[0]! * 100) / 100,
    });
    if (p99 >= TARGET_P99_MS) process.exitCode = 1;
  } finally {
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
    await db.drop();
  }
}
