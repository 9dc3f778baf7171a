import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { createUser, engines, harnessActor, type TestContext, testApp } from "../harness.js";
import { startInbox } from "../notifications/smtp.js";

const req = { ip: "127.0.0.1", headers: {} };

/** The acknowledgement token in a page mail's text. */
const tokenIn = (text: string) => /oncall\/acknowledge\?token=([A-Za-z0-9._-]+)/.exec(text)?.[1];

describe.each(engines)("escalation on %s (real SMTP)", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startInbox>>;
  const clock = new ManualClock("2026-12-01T15:00:00.000Z"); // Tuesday 12:00 in São Paulo
  let first: { id: string; email: string };
  let second: { id: string; email: string };
  let manager: { id: string; email: string };
  let rotationId: string;

  const mailTo = (email: string) => smtp.inbox.filter((m) => m.to === email);
  const settle = async () => {
    // Timer jobs, then the notification jobs they enqueued, and the failures those cause.
    for (let i = 0; i < 4; i++) await t.platform.jobs.drain();
  };
  const events = async (type: string) =>
    (await t.platform.db.selectFrom("events").selectAll().where("type", "=", type).orderBy("id").execute()).map(
      (e) => JSON.parse(e.payload) as Record<string, unknown>,
    );

  beforeAll(async () => {
    smtp = await startInbox();
    t = await testApp(engine, {
      clock,
      config: { smtpUrl: smtp.url, mailFrom: "plantao@suporte.example", publicUrl: "https://plantao.example" },
    });
    first = await createUser(t, "noc");
    second = await createUser(t, "noc");
    manager = await createUser(t, "manager");
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
    rotationId = rotation.id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  async function policy(steps: unknown[], repeat = 0) {
    return t.services.escalationPolicies.create(
      harnessActor(t),
      { name: `Política ${randomUUID().slice(0, 6)}`, steps: steps as never, repeat },
      req,
    );
  }

  it("pages the on-call, escalates after the delay to the next step, and the mailed link stops it", async () => {
    clock.set("2026-12-01T15:00:00.000Z");
    const p = await policy([
      { targets: [{ kind: "rotation", rotationId }], waitMinutes: 5 },
      { targets: [{ kind: "user", userId: manager.id }], waitMinutes: 10 },
      { targets: [{ kind: "role", role: "admin" }], waitMinutes: 10 },
    ]);
    const subject = { type: "incident", id: randomUUID() };
    const { pageId } = await t.services.escalations.page({
      subject,
      policyId: p.id,
      severity: "critical",
      title: "Tronco SIP fora do ar",
      url: "https://plantao.example/incidents/1",
      summary: "Chamadas falhando",
    });
    // The same subject again: the open page, not a second one.
    expect(
      (await t.services.escalations.page({ subject, policyId: p.id, severity: "critical", title: "x" })).pageId,
    ).toBe(pageId);
    await settle();
    // The first participant is on call on the rotation's first day, after 09:00.
    expect(mailTo(first.email)).toHaveLength(1);
    expect(mailTo(manager.email)).toHaveLength(0);
    const mail = mailTo(first.email)[0]!;
    expect(mail.subject).toContain("Tronco SIP fora do ar");
    const token = tokenIn(mail.text);
    expect(token).toBeTruthy();

    // Nobody acknowledges: 4 minutes is not yet the delay, 5 is.
    clock.set("2026-12-01T15:04:00.000Z");
    await settle();
    expect(mailTo(manager.email)).toHaveLength(0);
    clock.set("2026-12-01T15:05:00.000Z");
    await settle();
    expect(mailTo(manager.email)).toHaveLength(1);
    expect((await events("page.escalated")).filter((e) => e.pageId === pageId)).toEqual([
      expect.objectContaining({ step: 1, round: 0, reason: "timeout" }),
    ]);

    // The link shows the page without logging in, then acknowledges it.
    const preview = await t.app.inject({ method: "GET", url: `/api/v1/pages/link?token=${token}` });
    expect(preview.statusCode).toBe(200);
    expect(preview.json()).toMatchObject({ page: { title: "Tronco SIP fora do ar", status: "triggered" } });
    const ack = await t.app.inject({ method: "POST", url: "/api/v1/pages/link/acknowledge", payload: { token } });
    expect(ack.statusCode).toBe(200);
    expect((await events("page.acknowledged")).filter((e) => e.pageId === pageId)).toEqual([
      { pageId, subjectType: "incident", subjectId: subject.id, userId: first.id },
    ]);
    // Stopped: the third step never runs.
    clock.set("2026-12-01T16:00:00.000Z");
    await settle();
    expect(smtp.inbox.filter((m) => m.subject.includes("Tronco")).length).toBe(2);
    const page = await t.services.pages.get(harnessActor(t), pageId);
    expect(page).toMatchObject({ status: "acknowledged", step: 1, acknowledgedBy: { id: first.id } });

    // The link again: used. A changed link: not valid. Acknowledging again through the interface: idempotent.
    const again = await t.app.inject({ method: "POST", url: "/api/v1/pages/link/acknowledge", payload: { token } });
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe("urn:plantao:problem:page-link-used");
    const tampered = `${token!.slice(0, -2)}${token!.endsWith("A") ? "B" : "A"}A`;
    const bad = await t.app.inject({
      method: "POST",
      url: "/api/v1/pages/link/acknowledge",
      payload: { token: tampered },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().type).toBe("urn:plantao:problem:page-link-invalid");
    expect(await t.services.escalations.acknowledge({ subject, by: { userId: manager.id } })).toEqual({
      pageId,
      already: true,
    });

    await t.services.escalations.resolve({ subject });
    expect((await t.services.pages.get(harnessActor(t), pageId)).status).toBe("resolved");
    expect((await events("page.resolved")).filter((e) => e.pageId === pageId)).toHaveLength(1);
  });

  it("a link past its 24 hours is expired", async () => {
    clock.set("2026-12-02T15:00:00.000Z"); // the second participant's day
    const p = await policy([{ targets: [{ kind: "rotation", rotationId }], waitMinutes: 30 }]);
    const subject = { type: "incident", id: randomUUID() };
    const { pageId } = await t.services.escalations.page({
      subject,
      policyId: p.id,
      severity: "high",
      title: "Fila parada",
    });
    await settle();
    const mail = mailTo(second.email).find((m) => m.subject.includes("Fila parada"))!;
    const token = tokenIn(mail.text)!;
    clock.set("2026-12-03T15:00:01.000Z");
    const expired = await t.app.inject({ method: "POST", url: "/api/v1/pages/link/acknowledge", payload: { token } });
    expect(expired.statusCode).toBe(410);
    expect(expired.json().type).toBe("urn:plantao:problem:page-link-expired");
    await t.services.escalations.resolve({ subject });
    expect((await t.services.pages.get(harnessActor(t), pageId)).status).toBe("resolved");
  });

  it("a failing channel moves the page to its next step at once instead of waiting", async () => {
    clock.set("2026-12-04T15:00:00.000Z");
    // A chat webhook that answers 500.
    const server: Server = createServer((_req, res) => {
      res.statusCode = 500;
      res.end("down");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const hook = await t.services.webhooks.create(
      harnessActor(t),
      { name: "chat", url: `http://127.0.0.1:${port}/hook`, eventTypes: ["webhook.test"] },
      req,
    );
    const p = await policy([
      { targets: [{ kind: "webhook", webhookId: hook.id, flavour: "slack" }], waitMinutes: 60 },
      { targets: [{ kind: "user", userId: manager.id }], waitMinutes: 60 },
    ]);
    const subject = { type: "incident", id: randomUUID() };
    const { pageId } = await t.services.escalations.page({
      subject,
      policyId: p.id,
      severity: "critical",
      title: "Chat caiu",
    });
    await settle();
    // No clock movement: the failed webhook moved the page on, and the manager was told.
    expect(mailTo(manager.email).filter((m) => m.subject.includes("Chat caiu"))).toHaveLength(1);
    const page = await t.services.pages.get(harnessActor(t), pageId);
    expect(page.step).toBe(1);
    expect((await events("page.escalated")).filter((e) => e.pageId === pageId)).toEqual([
      expect.objectContaining({ step: 1, reason: "channel-failed" }),
    ]);
    await new Promise<void>((r) => server.close(() => r()));
    await t.services.escalations.resolve({ subject });
  });
});
