import ICAL from "ical.js";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type BrowserSession, openBrowserSession, skipBrowser } from "../fixtures/browser.js";
import { startSmtp } from "../fixtures/smtp.js";

const ENGINEER = {
  email: "engenheira@provedor.example",
  name: "Beatriz Engenheira",
  password: "engineer password 123",
};
const CUSTOMER = { email: "cliente@acme.example", name: "Ana Lima", password: "customer password 123" };
const SUBJECT = "Áudio unidirecional no ramal 204";
const WAIT_MS = 10_000;

/**
 * The scheduled-call acceptance line in Chromium (pt-BR): a customer picks a free slot in the portal, the
 * invitation arrives by mail (a real SMTP server) with an ICS part that ical.js reads back at the slot's time,
 * organized by the engineer with the customer as attendee; the customer moves the call (SEQUENCE 1) and cancels
 * it (METHOD:CANCEL), and the engineer's own view lists it.
 */
describe.skipIf(skipBrowser)("scheduled calls booked from the portal in Chromium", () => {
  let session: BrowserSession;
  let customer: Page;
  let base: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    session = await openBrowserSession({
      name: "scheduled-calls",
      env: { PLANTAO_JOB_POLL_MS: "200" },
      config: { smtpUrl: smtp.url },
      locale: "pt-BR",
      waitMs: WAIT_MS,
    });
    base = session.base;
    customer = session.page;
    const { server } = session;
    const login = async (who: { email: string; password: string }) => {
      const res = await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: who });
      if (res.statusCode !== 200) throw new Error(`login ${who.email}: ${res.statusCode} ${res.body}`);
      return {
        cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
        "x-csrf-token": res.json().csrfToken as string,
      };
    };
    const admin = await login(ADMIN);
    const post = async (url: string, payload: object, headers = admin) => {
      const res = await server.app.inject({ method: "POST", url, payload, headers });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const org = await post("/api/v1/organizations", { name: "Acme Telecom" });
    await post("/api/v1/users", { ...ENGINEER, role: "agent", tier: "L2" });
    await post("/api/v1/users", { ...CUSTOMER, role: "customer", organizationId: org.id });
    await post(
      "/api/v1/tickets",
      { subject: SUBJECT, description: "Só um lado ouve", type: "feature_failure", severity: "medium" },
      await login({ email: CUSTOMER.email, password: CUSTOMER.password }),
    );
  }, 180_000);

  afterEach(() => expect(session.errors).toEqual([]));
  afterAll(async () => {
    await session?.close();
    await smtp?.close();
  });

  /** The calendar parts mailed to `to` for one UID, by sequence, once `count` of them arrived. */
  const invitations = async (to: string, count: number) => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const parts = smtp.inbox
        .filter((m) => m.to === to)
        .flatMap((m) => m.calendars.filter((c) => c.contentType.startsWith("text/calendar")))
        .map((c) => {
          const cal = new ICAL.Component(ICAL.parse(c.content));
          return {
            method: cal.getFirstPropertyValue("method"),
            event: new ICAL.Event(cal.getFirstSubcomponent("vevent")!),
          };
        })
        .sort((a, b) => a.event.sequence - b.event.sequence);
      if (parts.length >= count) return parts;
      if (Date.now() > deadline) throw new Error(`only ${parts.length} invitations to ${to}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it("a customer books a free slot in the portal and receives the ICS invitation", async () => {
    await session.signIn(customer, CUSTOMER);
    await customer.waitForURL(`${base}/portal`);
    await customer
      .getByRole("navigation", { name: "Navegação do portal" })
      .getByRole("link", { name: "Agendar chamada" })
      .click();
    await customer.getByRole("heading", { name: "Agendar chamada", level: 2 }).waitFor();
    await customer.getByText("Horários em").waitFor();
    // The one open ticket is chosen already; the engineer's free slots of the week are buttons.
    const slot = customer.getByTestId("slot").first();
    await slot.waitFor();
    const start = (await slot.getAttribute("data-start"))!;
    const label = (await slot.textContent())?.trim();
    await slot.click();
    await customer.getByRole("status").getByText("Chamada agendada para").waitFor();
    const row = customer.getByTestId("call-row");
    await row.getByText("Agendada").waitFor();
    await row.getByText(ENGINEER.name).waitFor();
    // The booked slot is no longer offered.
    await customer.locator(`[data-testid="slot"][data-start="${start}"]`).waitFor({ state: "detached" });

    const [invite] = await invitations(CUSTOMER.email, 1);
    expect(invite!.method).toBe("REQUEST");
    expect(invite!.event.startDate.toJSDate().toISOString()).toBe(start);
    expect(invite!.event.endDate.toJSDate().getTime() - new Date(start).getTime()).toBe(30 * 60_000);
    expect(invite!.event.organizer).toBe(`mailto:${ENGINEER.email}`);
    expect(invite!.event.attendees.map((a) => a.getFirstValue())).toEqual([`mailto:${CUSTOMER.email}`]);
    // The slot's label is its local time in the viewer's zone (the browser's, São Paulo by default here).
    expect(label).toMatch(/^\d{2}:\d{2}$/);
    await invitations(ENGINEER.email, 1);
  });

  it("the customer moves the call, then cancels it; each change updates the invitation", async () => {
    const row = customer.getByTestId("call-row");
    await row.getByRole("button", { name: "Remarcar" }).click();
    const dialog = customer.getByRole("dialog", { name: "Remarcar a chamada" });
    const other = dialog.getByTestId("slot").nth(3);
    await other.waitFor();
    const start = (await other.getAttribute("data-start"))!;
    await other.click();
    await dialog.waitFor({ state: "detached" });
    const moved = await invitations(CUSTOMER.email, 2);
    expect(moved.map((p) => [p.method, p.event.sequence])).toEqual([
      ["REQUEST", 0],
      ["REQUEST", 1],
    ]);
    expect(moved[1]!.event.uid).toBe(moved[0]!.event.uid);
    expect(moved[1]!.event.startDate.toJSDate().toISOString()).toBe(start);

    await row.getByRole("button", { name: "Cancelar chamada" }).click();
    const confirm = customer.getByRole("dialog", { name: "Cancelar chamada" });
    await confirm.getByLabel("Motivo (opcional)").fill("Resolvido por telefone");
    await confirm.getByRole("button", { name: "Cancelar chamada" }).click();
    await row.getByText("Cancelada").waitFor();
    const all = await invitations(CUSTOMER.email, 3);
    expect(all.map((p) => [p.method, p.event.sequence])).toEqual([
      ["REQUEST", 0],
      ["REQUEST", 1],
      ["CANCEL", 2],
    ]);
  });

  it("the engineer sees the call in their own view", async () => {
    const engineer = await session.newPage({ label: "engineer" });
    try {
      await session.signIn(engineer.page, ENGINEER);
      await engineer.page.getByRole("navigation").waitFor();
      await engineer.page.goto(`${base}/scheduled-calls`);
      await engineer.page.getByRole("heading", { name: "Chamadas agendadas", level: 2 }).waitFor();
      await engineer.page.getByTestId("call-row").getByText(CUSTOMER.name).waitFor();
    } finally {
      await engineer.close();
    }
  });
});
