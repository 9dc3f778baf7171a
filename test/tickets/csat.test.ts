import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/platform/clock.js";
import { startSmtp } from "../fixtures/smtp.js";
import { createOrganization, engines, type TestContext, testApp, tokenFor, withoutRoutingRules } from "../harness.js";

type Headers = Record<string, string>;
const DAY = 24 * 3_600_000;

/**
 * Satisfaction surveys over a real SMTP server: the resolved mail with a signed link on every resolution, one
 * reminder, rating without login, the rating on the ticket's timeline, clear answers for tampered, reused,
 * replaced and expired links, the organization's opt-out, and the report against figures worked out by hand.
 */
describe.each(engines)("satisfaction surveys on %s", (engine) => {
  let t: TestContext;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const clock = new ManualClock("2026-11-10T12:00:00.000Z");
  let agent: { headers: Headers; user: { id: string; name: string } };
  let manager: Headers;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await testApp(engine, { clock, config: { smtpUrl: smtp.url } });
    // Every ticket starts at L1 (the report by tier counts them there), whatever triage would route it to.
    await withoutRoutingRules(t);
    agent = await tokenFor(t, "agent");
    manager = (await tokenFor(t, "manager")).headers;
  });
  afterAll(async () => {
    await t.close();
    await smtp.close();
  });

  const call = async (method: "POST" | "PATCH" | "GET" | "PUT", url: string, headers: Headers, payload?: object) => {
    const res = await t.app.inject({ method, url, headers, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const settle = async () => {
    await t.platform.fanOut.drain();
    await t.platform.jobs.drain();
    await t.platform.jobs.drain();
  };
  const customer = async () => {
    const org = (await createOrganization(t)).id;
    const c = await tokenFor(t, "customer", { organizationId: org });
    return { org, headers: c.headers, email: c.user.email };
  };
  const resolvedTicket = async (c: { headers: Headers }, patch: Record<string, unknown> = {}) => {
    const ticket = await call("POST", "/api/v1/tickets", c.headers, {
      subject: "Sem áudio",
      description: "Chamadas sem áudio",
      type: "feature_failure",
      severity: "high",
    });
    await call("PATCH", `/api/v1/tickets/${ticket.id}`, agent.headers, { assigneeId: agent.user.id, ...patch });
    await call("POST", `/api/v1/tickets/${ticket.id}/messages`, agent.headers, {
      body: "Corrigido",
      visibility: "public",
    });
    await call("PATCH", `/api/v1/tickets/${ticket.id}`, agent.headers, { status: "resolved" });
    await settle();
    return ticket as { id: string; number: number };
  };
  const mailsTo = (email: string) => smtp.inbox.filter((m) => m.to === email);
  /**
   * The newest resolved mail: the agent's public reply is mailed too (ticket notifications), and the outbox sends
   * several messages at once, so the resolved mail need not be the last to arrive.
   */
  const resolvedMailTo = (email: string) => mailsTo(email).findLast((m) => m.subject.includes("resolvido"));
  const linkIn = (text: string) => /https?:\/\/\S+\/survey\/(\S+)/.exec(text)?.[1];
  const survey = (token: string) => t.app.inject({ url: `/api/v1/surveys/${token}` });
  const rate = (token: string, rating: number, comment?: string) =>
    t.app.inject({ method: "POST", url: `/api/v1/surveys/${token}`, payload: { rating, comment } });

  it("mails the resolution with a link that rates without login, once, onto the timeline", async () => {
    const c = await customer();
    const ticket = await resolvedTicket(c);
    const mails = mailsTo(c.email).filter((m) => m.subject.includes("resolvido"));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`[Plantão] #${ticket.number} Sem áudio: resolvido`);
    const token = linkIn(mails[0]!.text)!;
    expect(token).toBeTruthy();

    const view = await survey(token);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ state: "open", number: ticket.number, subject: "Sem áudio", rating: null });

    const rated = await rate(token, 5, "Rápido e claro");
    expect(rated.statusCode).toBe(200);
    expect(rated.json()).toMatchObject({ state: "rated", rating: 5, comment: "Rápido e claro" });

    const again = await rate(token, 1);
    expect(again.statusCode).toBe(409);
    expect(again.json().type).toBe("urn:plantao:problem:survey-answered");
    expect((await survey(token)).json()).toMatchObject({ state: "rated", rating: 5 });

    const timeline = await call("GET", `/api/v1/tickets/${ticket.id}/timeline`, agent.headers);
    expect(timeline.messages.at(-1)).toMatchObject({
      bodyKey: "csat.rated",
      body: 'Avaliação do cliente: 5/5 — "Rápido e claro"',
    });
    const surveys = await call("GET", `/api/v1/tickets/${ticket.id}/csat`, agent.headers);
    expect(surveys.items).toMatchObject([{ status: "rated", rating: 5 }]);
    // The customer's own timeline has no internal note, and the portal shows the rating.
    const own = await call("GET", `/api/v1/tickets/${ticket.id}/timeline`, c.headers);
    expect(own.messages.some((m: { bodyKey: string | null }) => m.bodyKey === "csat.rated")).toBe(false);
    const portal = await call("GET", `/api/v1/portal/tickets/${ticket.number}`, c.headers);
    expect(portal.survey).toMatchObject({ status: "rated", rating: 5 });
  });

  it("a changed letter, a foreign token or garbage is a clear 404, not an error", async () => {
    const c = await customer();
    await resolvedTicket(c);
    const token = linkIn(resolvedMailTo(c.email)!.text)!;
    const swap = (i: number) => token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
    // Every position: the last letters carry unused bits, which a lenient decoder would let through.
    const tampered = Array.from({ length: token.length }, (_, i) => swap(i));
    for (const bad of [...tampered, `${token}A`, token.slice(0, -1), "v1.abc.def.ghi", "nothing"]) {
      const res = await survey(bad);
      expect(res.statusCode).toBe(404);
      expect(res.json().type).toBe("urn:plantao:problem:survey-link-invalid");
      expect((await rate(bad, 3)).statusCode).toBe(404);
    }
    expect((await rate(token, 6)).statusCode).toBe(400);
    expect((await survey(token)).json().state).toBe("open");
  });

  it("sends one reminder while unanswered; none once rated; the link expires after 14 days", async () => {
    const c = await customer();
    await resolvedTicket(c);
    const token = linkIn(resolvedMailTo(c.email)!.text)!;
    clock.advance(3 * DAY + 1000);
    await settle();
    const reminders = () => mailsTo(c.email).filter((m) => m.subject.includes("como foi o atendimento"));
    expect(reminders()).toHaveLength(1);
    expect(linkIn(reminders()[0]!.text)).toBeTruthy();
    clock.advance(3 * DAY);
    await settle();
    expect(reminders()).toHaveLength(1);

    const rated = await customer();
    await resolvedTicket(rated);
    const ratedToken = linkIn(resolvedMailTo(rated.email)!.text)!;
    expect((await rate(ratedToken, 4)).statusCode).toBe(200);
    clock.advance(4 * DAY);
    await settle();
    expect(mailsTo(rated.email).filter((m) => m.subject.includes("como foi o atendimento"))).toHaveLength(0);

    clock.advance(8 * DAY); // 15 days after the first resolution
    expect((await survey(token)).json().state).toBe("expired");
    const late = await rate(token, 5);
    expect(late.statusCode).toBe(410);
    expect(late.json().type).toBe("urn:plantao:problem:survey-expired");
  });

  it("every resolution gets its survey; the older link says it was replaced", async () => {
    const c = await customer();
    const ticket = await resolvedTicket(c);
    const first = linkIn(resolvedMailTo(c.email)!.text)!;
    await call("POST", `/api/v1/portal/tickets/${ticket.number}/messages`, c.headers, { body: "Voltou a falhar" });
    await call("PATCH", `/api/v1/tickets/${ticket.id}`, agent.headers, { status: "resolved" });
    await settle();
    const resolvedMails = mailsTo(c.email).filter((m) => m.subject.includes("resolvido"));
    expect(resolvedMails).toHaveLength(2);
    const second = linkIn(resolvedMails[1]!.text)!;
    expect(second).not.toBe(first);
    expect((await survey(first)).json().state).toBe("superseded");
    expect((await rate(first, 2)).json().type).toBe("urn:plantao:problem:survey-superseded");
    // The portal rates the newest one.
    const viaPortal = await call("POST", `/api/v1/portal/tickets/${ticket.number}/rating`, c.headers, { rating: 3 });
    expect(viaPortal).toMatchObject({ status: "rated", rating: 3 });
    expect((await survey(second)).json()).toMatchObject({ state: "rated", rating: 3 });
    const surveys = await call("GET", `/api/v1/tickets/${ticket.id}/csat`, agent.headers);
    expect(surveys.items.map((s: { status: string }) => s.status)).toEqual(["superseded", "rated"]);
  });

  it("an organization that opted out gets the resolved mail without a survey", async () => {
    const c = await customer();
    expect(await call("GET", `/api/v1/organizations/${c.org}/csat`, c.headers)).toEqual({ surveysEnabled: true });
    const refused = await t.app.inject({
      method: "PUT",
      url: `/api/v1/organizations/${c.org}/csat`,
      headers: c.headers,
      payload: { surveysEnabled: false },
    });
    expect(refused.statusCode).toBe(403);
    await call("PUT", `/api/v1/organizations/${c.org}/csat`, manager, { surveysEnabled: false });
    const ticket = await resolvedTicket(c);
    const resolvedMails = mailsTo(c.email).filter((m) => m.subject.includes("resolvido"));
    expect(resolvedMails).toHaveLength(1);
    const mail = resolvedMails[0]!;
    expect(linkIn(mail.text)).toBeUndefined();
    expect((await call("GET", `/api/v1/tickets/${ticket.id}/csat`, agent.headers)).items).toEqual([]);
  });

  it("the report equals the figures worked out by hand", async () => {
    // A fresh period: resolutions on 1 December, by two agents of two teams, in two organizations.
    clock.set("2026-12-01T12:00:00.000Z");
    const a2 = await tokenFor(t, "agent");
    const [x, y] = [await customer(), await customer()];
    const rated: [typeof x, Record<string, unknown>, number | null][] = [
      [x, { team: "voip", assigneeId: agent.user.id }, 5],
      [x, { team: "voip", assigneeId: agent.user.id }, 4],
      [x, { team: "voip", assigneeId: agent.user.id }, 2],
      [y, { team: "voip", assigneeId: a2.user.id }, 5],
      [y, { team: "core", assigneeId: a2.user.id }, 1],
      [y, { team: "core", assigneeId: a2.user.id }, null],
    ];
    for (const [c, patch, rating] of rated) {
      await resolvedTicket(c, patch);
      if (rating !== null) expect((await rate(linkIn(resolvedMailTo(c.email)!.text)!, rating)).statusCode).toBe(200);
    }
    const report = (groupBy: string) =>
      call(
        "GET",
        `/api/v1/reports/csat?from=2026-12-01T00:00:00.000Z&to=2026-12-02T00:00:00.000Z&groupBy=${groupBy}`,
        manager,
      );
    const byAgent = await report("agent");
    // Ratings 5, 4, 2, 5, 1 of 6 surveys: mean 17/5, CSAT 3/5.
    expect(byAgent.total).toEqual({
      surveys: 6,
      responses: 5,
      responseRate: 5 / 6,
      average: 17 / 5,
      csat: 3 / 5,
      distribution: [1, 1, 0, 1, 2],
    });
    const g = (r: { groups: { key: string | null }[] }, key: string) => r.groups.find((x) => x.key === key);
    expect(g(byAgent, agent.user.id)).toMatchObject({
      label: agent.user.name,
      surveys: 3,
      responses: 3,
      average: 11 / 3,
      csat: 2 / 3,
    });
    expect(g(byAgent, a2.user.id)).toMatchObject({ surveys: 3, responses: 2, average: 3, csat: 1 / 2 });
    const byTeam = await report("team");
    expect(g(byTeam, "voip")).toMatchObject({ surveys: 4, responses: 4, average: 4, csat: 3 / 4 });
    expect(g(byTeam, "core")).toMatchObject({ surveys: 2, responses: 1, average: 1, csat: 0, responseRate: 0.5 });
    const byOrg = await report("organization");
    expect(g(byOrg, x.org)).toMatchObject({ surveys: 3, average: 11 / 3 });
    const byType = await report("type");
    expect(byType.groups).toHaveLength(1);
    expect(g(byType, "feature_failure")).toMatchObject({ surveys: 6, responses: 5 });
    const byTier = await report("tier");
    expect(g(byTier, "L1")).toMatchObject({ surveys: 6 });
  });
});
