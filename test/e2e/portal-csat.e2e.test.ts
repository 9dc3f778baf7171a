import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/platform/version.js";
import { ADMIN, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";
import { startSmtp } from "../fixtures/smtp.js";

const AGENT = { email: "agente@example.com", name: "Agente Silva", password: "agent password 123" };
const CUSTOMER = { email: "cliente@acme.example", name: "Ana Lima", password: "customer password 123" };
const CUSTOMER_ADMIN = { email: "gestor@acme.example", name: "Bruno Costa", password: "customer admin password 1" };
const SUBJECT = "Tronco SIP sem registro desde as 8h";
const REPLY = "Refizemos o registro do tronco; pode testar novamente?";
const WAIT_MS = 10_000;
/** Screenshots of the queue, the ticket page and the portal, for people to look at (git-ignored). */
const screens = join(projectRoot, "test-results/screens");

/**
 * The first acceptance line, in Chromium and in pt-BR: a customer opens a ticket in the portal, the agent's
 * open queue shows it without a reload, the agent replies, the customer gets the mail (a real SMTP server) and
 * sees the reply in the portal, the agent resolves, the customer rates through the survey link from the resolved
 * mail, and the staff ticket page shows the rating.
 */
describe.skipIf(skipBrowser)("customer portal, reply, resolution and rating in Chromium", () => {
  let session: BrowserSession;
  let agent: Page;
  let customer: { page: Page; close(): Promise<void> };
  let base: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;

  beforeAll(async () => {
    smtp = await startSmtp();
    mkdirSync(screens, { recursive: true });
    session = await openBrowserSession({
      name: "portal",
      env: { PLANTAO_JOB_POLL_MS: "200" },
      config: { smtpUrl: smtp.url },
      locale: "pt-BR",
      waitMs: WAIT_MS,
    });
    base = session.base;
    agent = session.page;
    const { server } = session;
    const login = await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    const headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    const post = async (url: string, payload: object) => {
      const res = await server.app.inject({ method: "POST", url, payload, headers });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const org = await post("/api/v1/organizations", { name: "Acme Telecom" });
    await post("/api/v1/users", { ...AGENT, role: "agent", tier: "L1" });
    await post("/api/v1/users", { ...CUSTOMER, role: "customer", organizationId: org.id });
    await post("/api/v1/users", { ...CUSTOMER_ADMIN, role: "customer-admin", organizationId: org.id });
    await post("/api/v1/canned-responses", { title: "Registro refeito", body: `Olá, {{customer.name}}. ${REPLY}` });
    customer = await session.newPage({ label: "customer" });
  }, 180_000);

  afterEach(() => expect(session.errors).toEqual([]));
  afterAll(async () => {
    await customer?.close();
    await session?.close();
    await smtp?.close();
  });

  const shot = (page: Page, name: string) => page.screenshot({ path: join(screens, `${name}.png`), fullPage: true });
  /** The first mail to the customer whose subject matches and, if given, whose text contains `text`. */
  const mailTo = async (subject: RegExp, text?: string) => {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const mail = smtp.inbox.find(
        (m) => m.to === CUSTOMER.email && subject.test(m.subject) && (!text || m.text.includes(text)),
      );
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no mail to ${CUSTOMER.email} matching ${subject}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  let number = 0;

  it("a customer opens a ticket in the portal; the agent's open queue shows it without a reload", async () => {
    await session.signIn(agent, { email: AGENT.email, password: AGENT.password });
    await agent.getByRole("navigation").waitFor();
    await agent.goto(`${base}/tickets`);
    await agent.getByRole("heading", { name: "Chamados", exact: true }).waitFor();
    // Gone if the page reloads: the queue must show the new ticket by itself.
    await agent.evaluate("window.__notReloaded = true");

    const page = customer.page;
    await session.signIn(page, CUSTOMER);
    // Customers land in the portal: its own navigation, no staff menus.
    await page.waitForURL(`${base}/portal`);
    const nav = page.getByRole("navigation", { name: "Navegação do portal" });
    await nav.waitFor();
    expect(await nav.getByRole("link").allInnerTexts()).toEqual([
      "Início",
      "Chamados",
      "Agendar chamada",
      "Status dos serviços",
      "Meu perfil",
    ]);
    await page.goto(`${base}/tickets`); // the staff app sends a customer back to the portal
    await page.waitForURL(`${base}/portal`);

    await page.getByRole("link", { name: "Abrir chamado" }).first().click();
    await page.getByRole("heading", { name: "Abrir chamado" }).waitFor();
    await page.getByLabel(field("Tipo")).first().click();
    await page.getByRole("option", { name: "Integração de tronco SIP", exact: true }).click();
    // The severity guide: the plan's definitions and promised times.
    await page.getByText("Sistema indisponível ou função crítica afetada").waitFor();
    await page.getByText("Resposta em até 30 minutos · resolução em até 4 horas (24 horas, todos os dias)").waitFor();
    await page.getByTestId("severity-high").check();
    await page.getByLabel(field("Assunto")).fill(SUBJECT);
    await page.getByLabel(field("Descrição")).fill("Nenhuma chamada sai pelo tronco principal.");
    await page
      .locator('input[type="file"]')
      .setInputFiles({ name: "registro-sip.txt", mimeType: "text/plain", buffer: Buffer.from("REGISTER 403") });
    await shot(page, "portal-new-ticket");
    await page.getByRole("button", { name: "Abrir chamado" }).click();
    await page.waitForURL(/\/portal\/tickets\/\d+$/);
    number = Number(page.url().split("/").at(-1));
    await page.getByRole("heading", { name: `#${number} ${SUBJECT}` }).waitFor();
    await page.getByText("Prazos prometidos").waitFor();
    expect(await page.getByTestId("promise").count()).toBe(2);
    await page.getByRole("link", { name: "registro-sip.txt" }).waitFor();

    // The agent's queue was open all along, and was not reloaded.
    await agent.getByText(SUBJECT).waitFor();
    expect(await agent.evaluate("window.__notReloaded")).toBe(true);
    await shot(agent, "portal-flow-queue");
  });

  it("the agent replies; the customer gets the mail and sees the reply in the portal", async () => {
    await agent.getByText(SUBJECT).click();
    await agent.getByRole("heading", { name: `#${number} ${SUBJECT}` }).waitFor();
    await agent.getByTestId("attachment").filter({ hasText: "registro-sip.txt" }).first().waitFor();
    // The reply from a canned response, its placeholder filled with the customer's name.
    await agent.getByTestId("canned-select").click();
    await agent.getByRole("option", { name: "Registro refeito" }).click();
    await expect.poll(() => agent.getByTestId("reply-body").inputValue()).toBe(`Olá, ${CUSTOMER.name}. ${REPLY}`);
    await agent.getByRole("button", { name: "Enviar resposta" }).click();
    await agent.getByText(REPLY).waitFor();
    await shot(agent, "portal-flow-ticket");

    // The ticket-received mail came first; the reply's is the one that carries it.
    const mail = await mailTo(new RegExp(`#${number}`), REPLY);
    expect(mail.text).toContain(`Olá, ${CUSTOMER.name}. ${REPLY}`);

    await customer.page.getByText(REPLY).waitFor();
    await shot(customer.page, "portal-flow-ticket-customer");
  });

  it("the agent resolves; the customer rates through the survey link; the ticket shows the rating", async () => {
    await agent.getByLabel(field("Status")).first().click();
    await agent.getByRole("option", { name: "Resolvido", exact: true }).click();
    const mail = await mailTo(/resolvido$/);
    const link = /https?:\/\/\S+\/survey\/\S+/.exec(mail.text)?.[0];
    expect(link).toBeTruthy();

    // Opened as from the mail: no login, on this server.
    const survey = await session.newPage({ label: "survey" });
    try {
      await survey.page.goto(`${base}${new URL(link!).pathname}`);
      await survey.page.getByText(`Como foi o atendimento do chamado #${number}`).waitFor();
      await survey.page.getByTestId("rating").locator("label").last().click();
      await survey.page.getByLabel("Comentário (opcional)").fill("Resolvido rápido");
      await survey.page.getByRole("button", { name: "Enviar avaliação" }).click();
      await survey.page.getByText("Obrigado pela avaliação!").waitFor();
      await shot(survey.page, "portal-survey");
      // The same link again: a clear page, not an error.
      await survey.page.reload();
      await survey.page.getByText("Este chamado já foi avaliado").waitFor();
      await survey.page.goto(`${base}/survey/${new URL(link!).pathname.split("/").at(-1)!.slice(0, -3)}abc`);
      await survey.page.getByText("Link de avaliação inválido").waitFor();
    } finally {
      await survey.close();
    }

    await agent.reload();
    await agent.getByText('Avaliação do cliente: 5/5 — "Resolvido rápido"').waitFor();
    await shot(agent, "portal-flow-ticket-rated");
    await customer.page.getByTestId("portal-rated").waitFor();
    await shot(customer.page, "portal-flow-portal");
  });
  it("the preferences link of a mail leads the customer to choose what it receives, in the portal", async () => {
    const mail = await mailTo(new RegExp(`#${number}`));
    const link = /<(https?:\/\/\S+)>/.exec(mail.listUnsubscribe ?? "")?.[1];
    expect(link).toMatch(/\/notifications\/preferences$/);
    const page = customer.page;
    await page.goto(`${base}${new URL(link!).pathname}`);
    await page.waitForURL(`${base}/portal/notifications`);
    await page.getByRole("navigation", { name: "Navegação do portal" }).waitFor();
    const table = page.getByTestId("notification-preferences");
    // A customer's kinds only: nothing about assignments, mentions or SLA warnings.
    expect(await table.textContent()).not.toMatch(/atribuído|mencionado|O cliente respondeu|SLA/);
    await table.getByRole("switch", { name: "A situação do meu chamado mudou — E-mail" }).uncheck({ force: true });
    await page.getByRole("button", { name: "Salvar preferências" }).click();
    await page.getByText("Preferências salvas.").waitFor();
    await shot(page, "portal-notifications");
    const login = await session.server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: CUSTOMER.email, password: CUSTOMER.password },
    });
    const prefs = await session.server.app.inject({
      url: "/api/v1/me/notification-preferences",
      headers: { cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    });
    expect(prefs.json().items).toContainEqual({ kind: "ticket.status", channel: "email", enabled: false });
    // The bell leads there too.
    await page.goto(`${base}/portal`);
    await page.getByTestId("notification-bell").click();
    await page.getByTestId("notification-preferences-link").click();
    await page.waitForURL(`${base}/portal/notifications`);
  });

  it("a customer-admin sees the organization's tickets and manages its users in the portal", async () => {
    const admin = await session.newPage({ label: "customer-admin" });
    try {
      await session.signIn(admin.page, CUSTOMER_ADMIN);
      await admin.page.waitForURL(`${base}/portal`);
      const nav = admin.page.getByRole("navigation", { name: "Navegação do portal" });
      await nav.getByRole("link", { name: "Usuários" }).waitFor();
      expect(await nav.getByRole("link").allInnerTexts()).toEqual([
        "Início",
        "Chamados",
        "Agendar chamada",
        "Status dos serviços",
        "Usuários",
        "Meu perfil",
      ]);
      await nav.getByRole("link", { name: "Chamados" }).click();
      await admin.page.getByText(`#${number} ${SUBJECT}`).waitFor(); // Ana's ticket, seen by her organization's admin
      await nav.getByRole("link", { name: "Usuários" }).click();
      await admin.page.getByRole("heading", { name: "Usuários" }).waitFor();
      await admin.page.getByText(CUSTOMER.email).waitFor();
      await admin.page.getByRole("button", { name: "Novo usuário" }).waitFor();
      expect(await admin.page.getByText(AGENT.email).count()).toBe(0);
      await shot(admin.page, "portal-users");
    } finally {
      await admin.close();
    }
  });

  it("the portal's pages fit 1440 and 390 px and show no staff menu, field or clock", async () => {
    const page = customer.page;
    const staffWords = [
      "Nível",
      "L1",
      "L2",
      "L3",
      "Responsável",
      "Equipe",
      "Nota interna",
      "Fila",
      "Auditoria",
      "Plano",
    ];
    for (const width of [1440, 390]) {
      await page.setViewportSize({ width, height: 900 });
      for (const [name, path, loaded] of [
        ["home", "/portal", "home-tickets"],
        ["tickets", "/portal/tickets", "portal-ticket"],
        ["new", "/portal/tickets/new", "severity-critical"],
        ["ticket", `/portal/tickets/${number}`, "conversation"],
      ] as const) {
        await page.goto(`${base}${path}`);
        await page.getByTestId(loaded).first().waitFor();
        // A string, as the test program is compiled without the DOM's types.
        const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
        expect(overflow, `${path} at ${width} px scrolls sideways`).toBeLessThanOrEqual(0);
        const text = (await page.locator("body").allInnerTexts()).join("\n");
        for (const word of staffWords) expect(text, `${word} on ${path}`).not.toMatch(new RegExp(`\\b${word}\\b`));
        await shot(page, `portal-${name}-${width}`);
      }
    }
  });
});
