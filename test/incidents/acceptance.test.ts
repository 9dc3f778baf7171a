import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import {
  createOrganization,
  createUser,
  engines,
  harnessActor,
  type TestContext,
  testApp,
  tokenFor,
} from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const req = { ip: "127.0.0.1", headers: {} };
/** The acknowledgement token in a page mail's text. */
const tokenIn = (text: string) => /oncall\/acknowledge\?token=([A-Za-z0-9._-]+)/.exec(text)?.[1];

/**
 * Issue 13's acceptance, end to end on a real SMTP server: a monitor goes DOWN, a critical alert fires, an
 * incident opens, the on-call engineer is emailed, nobody acknowledges, the policy escalates after its delay,
 * the acknowledgement link stops it (and acknowledges the incident); a customer ticket linked to the incident
 * gets the public update and is resolved when the incident resolves.
 */
describe.each(engines)("incident acceptance on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  const clock = new ManualClock("2026-12-01T15:00:10.000Z"); // Tuesday 12:00 in São Paulo
  let first: { id: string; email: string };
  let manager: { id: string; email: string };
  let noc: Record<string, string>;
  let customer: Record<string, string>;

  beforeAll(async () => {
    smtp = await startInbox();
    t = await testApp(engine, {
      clock,
      start: true,
      config: {
        jobsEnabled: false,
        smtpUrl: smtp.url,
        mailFrom: "plantao@suporte.example",
        publicUrl: "https://plantao.example",
      },
    });
    first = await createUser(t, "noc");
    const second = await createUser(t, "noc");
    manager = await createUser(t, "manager");
    noc = (await tokenFor(t, "noc")).headers;
    const org = await createOrganization(t);
    customer = (await tokenFor(t, "customer-admin", { organizationId: org.id })).headers;
    const rotation = await t.services.rotations.create(
      harnessActor(t),
      {
        name: "NOC",
        timezone: "America/Sao_Paulo",
        layers: [
          {
            name: "Primário",
            participants: [first.id, second.id],
            handoff: { every: "day", at: "09:00" },
            startsOn: "2026-12-01",
          },
        ],
      },
      req,
    );
    await t.services.escalationPolicies.create(
      harnessActor(t),
      {
        name: "Crítico: NOC, depois gerente",
        defaultFor: "critical",
        steps: [
          { targets: [{ kind: "rotation", rotationId: rotation.id }], waitMinutes: 5 },
          { targets: [{ kind: "user", userId: manager.id }], waitMinutes: 10 },
        ] as never,
        repeat: 0,
      },
      req,
    );
    await t.services.monitoring.start();
    await t.services.alerts.ensureDefaults();
  }, 60_000);
  afterAll(async () => {
    await t?.services.monitoring.stop();
    await t?.close();
    await smtp?.close();
  });

  /** Everything that follows from a change: fan-out, then jobs and the jobs they enqueue. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      await t.platform.fanOut.drain();
      await t.platform.jobs.drain();
    }
  };
  const tick = async (seconds: number) => {
    clock.advance(seconds * 1000);
    await t.services.monitoring.engine.runDue();
    await t.services.alerts.engine.tick();
    await settle();
  };
  /** Page mails (the incident's title is the page's); the linked ticket's own SLA escalation mails are not. */
  const mailTo = (email: string) => smtp.inbox.filter((m) => m.to === email && m.subject.includes("PBX São Paulo"));
  const api = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.inject({ method: method as "GET", url, headers, payload: payload as object });

  it("monitor DOWN → critical alert → incident → on-call mailed → escalation → link stops it → ticket resolved", async () => {
    const created = await api("POST", "/api/v1/monitors", noc, {
      name: "PBX São Paulo",
      type: "heartbeat",
      intervalSeconds: 60,
      settings: { graceSeconds: 0 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const monitor = created.json() as { id: string; pushToken: string; severity: string };
    expect(monitor.severity).toBe("critical");
    await t.app.inject({ method: "POST", url: `/api/v1/push/${monitor.pushToken}` });
    await t.services.monitoring.engine.idle();
    await tick(15);
    expect((await api("GET", "/api/v1/incidents", noc)).json().items).toEqual([]);

    // No push within the interval: DOWN; the default rule fires critical; the incident opens and pages.
    await tick(50);
    const [incident] = (await api("GET", "/api/v1/incidents", noc)).json().items;
    expect(incident).toMatchObject({ source: "alert", severity: "critical", stage: "identification" });
    expect(incident.title).toContain("PBX São Paulo");
    const pageMail = mailTo(first.email);
    expect(pageMail).toHaveLength(1);
    expect(mailTo(manager.email)).toHaveLength(0);
    const token = tokenIn(pageMail[0]!.text);
    expect(token).toBeTruthy();

    // A customer's report is linked to the incident.
    const ticket = (
      await api("POST", "/api/v1/tickets", customer, {
        subject: "Ramais sem chamadas",
        description: "Nenhuma chamada completa",
        type: "feature_failure",
        severity: "critical",
      })
    ).json();
    expect(
      (await api("POST", `/api/v1/incidents/${incident.id}/tickets`, noc, { ticketId: ticket.id })).statusCode,
    ).toBe(201);

    // Nobody acknowledges: after the policy's 5 minutes the manager is mailed.
    await tick(4 * 60);
    expect(mailTo(manager.email)).toHaveLength(0);
    await tick(60);
    expect(mailTo(manager.email)).toHaveLength(1);

    // The mailed link acknowledges the page, which acknowledges the incident's response clock.
    const ack = await t.app.inject({ method: "POST", url: "/api/v1/pages/link/acknowledge", payload: { token } });
    expect(ack.statusCode, ack.body).toBe(200);
    await settle();
    const acknowledged = (await api("GET", `/api/v1/incidents/${incident.id}`, noc)).json();
    expect(acknowledged.acknowledgedBy).toBe(first.id);
    expect(acknowledged.clocks[0]).toMatchObject({ kind: "response", status: "fulfilled" });
    // Stopped: no further step, however long it stays unresolved.
    await tick(30 * 60);
    expect(mailTo(manager.email)).toHaveLength(1);
    expect(mailTo(first.email)).toHaveLength(1);

    // Resolved with a public update: the linked ticket gets it as a public reply and is resolved.
    for (const step of [
      { stage: "classification", severity: "critical", impact: "Chamadas do PBX São Paulo falham" },
      { stage: "diagnosis" },
      { stage: "resolution", diagnosis: "Processo do PBX parado" },
      {
        stage: "verification",
        fix: "Serviço reiniciado",
        evidence: "Heartbeat de volta, chamadas de teste completam",
        publicUpdate: "O serviço foi restabelecido às 12:40.",
      },
    ]) {
      const moved = await api("POST", `/api/v1/incidents/${incident.id}/stage`, noc, step);
      expect(moved.statusCode, moved.body).toBe(200);
    }
    await settle();
    const seen = (await api("GET", `/api/v1/tickets/${ticket.id}`, customer)).json();
    expect(seen.status).toBe("resolved");
    const timeline = JSON.stringify((await api("GET", `/api/v1/tickets/${ticket.id}/timeline`, customer)).json());
    expect(timeline).toContain("O serviço foi restabelecido às 12:40.");
    const page = (await t.platform.db.selectFrom("pages").select("status").executeTakeFirst())!;
    expect(page.status).toBe("resolved");
  });
});
