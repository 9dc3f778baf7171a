import { loadavg } from "node:os";
import nodemailer from "nodemailer";
import type { Engine } from "../src/platform/db/dialect.js";
import { benchEngines, measureSeconds, report, startBenchServer } from "./harness.js";

const CONNECTIONS = 4;
const TARGET = 50;
const req = { ip: "127.0.0.1", headers: {} };

/**
 * Inbound email: mails per second through the SMTP listener into new tickets (each from a new sender of a customer
 * domain, so each opens a ticket: parse, sender lookup, threading lookups, ticket with its SLA clocks, raw message
 * stored, intake log), with 4 pooled SMTP connections sending as fast as the listener answers 250 (it answers only
 * once the mail is filed). Baseline, same run and app: `POST /api/v1/tickets` as an admin, 4 requests in flight.
 * Target (issue 15): ≥ 50 mails/s on SQLite and PostgreSQL.
 */
export default async function mailIntakeBench(): Promise<void> {
  for (const engine of benchEngines) await run(engine);
}

async function run(engine: Engine): Promise<void> {
  let port = 0;
  let token = "";
  let organizationId = "";
  const server = await startBenchServer(engine, async ({ services }) => {
    await services.plan.ensureSeeded();
    await services.directory.bootstrap({ providerName: "Bench" });
    const provider = (await services.directory.listOrganizations({ limit: 1 }, {}))[0]!;
    const admin = {
      userId: "00000000-0000-7000-8000-000000000000",
      email: "bench@example.com",
      name: "bench",
      role: "admin" as const,
      organizationId: provider.id,
      tier: null,
      teams: [],
      via: "session" as const,
    };
    const org = await services.directory.createOrganization(admin, { name: "Cliente Bench" }, req);
    organizationId = org.id;
    await services.mail.mailboxes.create(admin, { address: "suporte@plantao.example" }, req);
    await services.mail.mailboxes.replaceDomainRules(admin, [{ domain: "cliente.example", organizationId }], req);
    const user = await services.directory.createUser(null, {
      email: "bench-admin@example.com",
      name: "Bench Admin",
      role: "admin",
      password: "correct horse battery staple",
    });
    const actor = await services.directory.findUserByEmail(user.email);
    token = (await services.authentication.createToken(actor!, { name: "bench", scopes: ["*:write"] })).token;
    port = await services.mail.smtp.start();
  });
  try {
    const seconds = measureSeconds;
    const api = async () => {
      const res = await fetch(`${server.origin}/api/v1/tickets`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          subject: "Ramal sem áudio",
          description: "As chamadas ficam mudas.",
          organizationId,
          type: "usage_question",
          severity: "medium",
        }),
      });
      if (res.status !== 201) throw new Error(`POST /api/v1/tickets: ${res.status} ${await res.text()}`);
    };
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port,
      pool: true,
      maxConnections: CONNECTIONS,
      maxMessages: Number.POSITIVE_INFINITY,
      ignoreTLS: true,
    });
    let n = 0;
    const mail = async () => {
      const i = n++;
      await transport.sendMail({
        from: `cliente${i}@cliente.example`,
        to: "suporte@plantao.example",
        subject: `Ramal ${i} sem áudio`,
        text: "Bom dia,\n\nAs chamadas ficam mudas desde ontem.\n\nObrigado",
      });
    };
    const rate = async (op: () => Promise<void>, s: number) => {
      let done = 0;
      const end = Date.now() + s * 1000;
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (Date.now() < end) {
            await op();
            done++;
          }
        }),
      );
      return done / s;
    };
    // Warm-up of both paths, then the measured windows back to back.
    await rate(api, 2);
    await rate(mail, 2);
    const baseline = await rate(api, seconds);
    const value = await rate(mail, seconds);
    transport.close();
    const tickets = await server.platform.db
      .selectFrom("mail_messages")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("outcome", "=", "opened")
      .executeTakeFirstOrThrow();
    report({
      name: "mail-intake",
      metric: "mails per second into tickets",
      value: Math.round(value * 10) / 10,
      baseline: Math.round(baseline * 10) / 10,
      engine,
      seconds,
      connections: CONNECTIONS,
      ticketsOpenedByMail: Number(tickets.n),
      loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
      target: `≥ ${TARGET} mails/s (baseline: POST /api/v1/tickets in the same run)`,
      pass: value >= TARGET,
    });
    if (value < TARGET) process.exitCode = 1;
  } finally {
    await server.services.mail.smtp.stop();
    await server.close();
  }
}
