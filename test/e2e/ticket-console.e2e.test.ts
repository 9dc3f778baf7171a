import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, artifacts, type BrowserSession, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

const ANA = { email: "ana@provedor.example", name: "Ana Souza", password: "agent password 123" };
const BRUNO = { email: "bruno@provedor.example", name: "Bruno Lima", password: "agent password 123" };

/**
 * The agent's ticket page in Chromium, in pt-BR: the organization and requester in the header, authors by name,
 * a canned response with its placeholders filled, a note that @mentions, assign-to-me and the help on `?`, and
 * the collision warning when another agent starts replying; at 1440 and 390 px.
 */
describe.skipIf(skipBrowser)("the ticket page of the agent console in Chromium", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let ticket: { id: string; number: number };
  let brunoHeaders: Record<string, string>;
  let adminHeaders: Record<string, string>;
  let orgId: string;

  beforeAll(async () => {
    session = await openBrowserSession({ name: "console", locale: "pt-BR", waitMs: 10_000 });
    ({ page, base } = session);
    const { server } = session;
    const login = async (who: { email: string; password: string }) => {
      const res = await server.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { email: who.email, password: who.password },
      });
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
    adminHeaders = admin;
    orgId = org.id;
    await post("/api/v1/users", { ...ANA, role: "agent", tier: "L1", teams: ["voip"] });
    await post("/api/v1/users", { ...BRUNO, role: "agent", tier: "L2", teams: ["voip"] });
    await post("/api/v1/canned-responses", {
      title: "Saudação",
      body: "Olá {{customer.name}}, sobre o chamado #{{ticket.number}}: já estamos verificando. {{agent.name}}",
    });
    ticket = await post("/api/v1/tickets", {
      organizationId: org.id,
      requester: { name: "Rita Alves", email: "rita@acme.example" },
      subject: "Tronco SIP sem registro",
      description: "O tronco principal parou de registrar.",
      type: "sip_trunk_integration",
      severity: "high",
    });
    brunoHeaders = await login(BRUNO);
    await session.signIn(page, ANA);
    await page.getByRole("navigation").waitFor();
  }, 180_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });
  afterAll(async () => {
    await session?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
  const blur = () => page.evaluate("document.activeElement && document.activeElement.blur()");

  it("replies with a canned response, notes with a mention, assigns by key and names everyone", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByRole("heading", { name: `#${ticket.number} Tronco SIP sem registro` }).waitFor();
    await page.getByText("Acme Telecom — Rita Alves · rita@acme.example").waitFor();

    // `?` lists the shortcuts.
    await blur();
    await page.keyboard.press("?");
    const help = page.getByTestId("shortcuts-help");
    await help.waitFor();
    expect(await help.textContent()).toContain("Atribuir a mim");
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    // R: reply; the canned response arrives with the customer's name, the number and the agent filled in.
    await page.keyboard.press("r");
    await page.getByTestId("canned-select").click();
    await page.getByRole("option", { name: "Saudação" }).click();
    const body = page.getByTestId("reply-body");
    await expect
      .poll(() => body.inputValue())
      .toBe(`Olá Rita Alves, sobre o chamado #${ticket.number}: já estamos verificando. ${ANA.name}`);
    await page.getByRole("button", { name: "Enviar resposta" }).click();
    const reply = page.getByTestId("timeline-message").filter({ hasText: "já estamos verificando" });
    await reply.waitFor();
    expect(await reply.getByTestId("message-author").textContent()).toBe(ANA.name);

    // A file dropped on the reply box goes up with the reply, under its message.
    await body.fill("Segue o log do SBC.");
    await page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(["INVITE sip:201@pbx SIP/2.0"], "sbc.log", { type: "text/plain" }));
      const box = document.querySelector('[data-testid="composer"]');
      box.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, bubbles: true, cancelable: true }));
      box.dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    await page.getByRole("button", { name: "Enviar resposta" }).click();
    await page
      .getByTestId("timeline-message")
      .filter({ hasText: "Segue o log do SBC." })
      .getByTestId("attachment")
      .filter({ hasText: "sbc.log" })
      .waitFor();

    // N: an internal note that mentions Bruno by name.
    await blur();
    await page.keyboard.press("n");
    await body.fill("Pode olhar o SBC?");
    await page.getByTestId("mention-select").click();
    await page.getByRole("option", { name: BRUNO.name }).click();
    await blur();
    expect(await body.inputValue()).toBe(`Pode olhar o SBC? @${BRUNO.name} `);
    await page.getByRole("button", { name: "Adicionar nota" }).click();
    await page.getByTestId("timeline-message").filter({ hasText: "Pode olhar o SBC?" }).waitFor();

    // A: assign to me; the history names the people, never an id.
    await blur();
    await page.keyboard.press("a");
    const change = page.getByTestId("timeline-change").filter({ hasText: `— → ${ANA.name}` });
    await change.waitFor();
    expect(await change.textContent()).toContain(`${ANA.name} alterou Responsável`);
    expect(await page.getByTestId("timeline").textContent()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-7/);

    // Escalate from the page: the move and its reason land on the timeline.
    await page.getByRole("combobox", { name: "Para o nível" }).click();
    await page.getByRole("option", { name: "L3", exact: true }).click();
    await page.getByRole("textbox", { name: "Motivo" }).fill("Falha no SBC, precisa do N3");
    await page.getByRole("button", { name: "Escalonar", exact: true }).click();
    await page.getByTestId("timeline-message").filter({ hasText: "Falha no SBC, precisa do N3" }).waitFor();
    await page
      .getByTestId("timeline-change")
      .filter({ hasText: `${ANA.name} alterou Nível` })
      .waitFor();
    await shot("ticket-console-1440");
  });

  it("steps through the open queue with J and K, and changes the status with S", async () => {
    const later = await session.server.app.inject({
      method: "POST",
      url: "/api/v1/tickets",
      headers: adminHeaders,
      // Low severity: due after the first ticket, so next to it in the queue's urgency order.
      payload: {
        organizationId: orgId,
        subject: "Dúvida sobre o relatório",
        description: "Onde exporto?",
        type: "usage_question",
        severity: "low",
      },
    });
    expect(later.statusCode, later.body).toBe(201);
    const subjects: Record<string, string> = {
      [ticket.id]: "Tronco SIP sem registro",
      [later.json().id]: "Dúvida sobre o relatório",
    };
    // The queue's own urgency order, as the page steps through it.
    const queue = await session.server.app.inject({
      url: "/api/v1/tickets/queue?queue=open&sort=urgency&limit=200",
      headers: adminHeaders,
    });
    const [first, second] = queue.json().items as { id: string; number: number }[];
    expect([first!.id, second!.id].sort()).toEqual(Object.keys(subjects).sort());
    const heading = (t: { id: string; number: number }) =>
      page.getByRole("heading", { name: `#${t.number} ${subjects[t.id]}` }).waitFor();
    await page.goto(`${base}/tickets/${first!.id}`);
    await heading(first!);
    await blur();
    await page.keyboard.press("j");
    await heading(second!);
    expect(new URL(page.url()).pathname).toBe(`/tickets/${second!.id}`);
    await blur();
    await page.keyboard.press("j");
    await page.getByText("Não há outro chamado na fila.").waitFor();
    await page.keyboard.press("k");
    await heading(first!);

    // S opens the status field: a pick changes it, and the history says so in words.
    await expect.poll(() => page.locator("#ticket-status").isEnabled()).toBe(true);
    await blur();
    await page.keyboard.press("s");
    await page.getByRole("option", { name: "Em espera", exact: true }).click();
    await page.getByTestId("timeline-change").filter({ hasText: "→ Em espera" }).waitFor();
  });

  it("warns when another agent starts replying on the same ticket", async () => {
    await page.goto(`${base}/tickets/${ticket.id}`);
    await page.getByTestId("composer").waitFor();
    const res = await session.server.app.inject({
      method: "PUT",
      url: `/api/v1/tickets/${ticket.id}/presence`,
      headers: brunoHeaders,
      payload: { activity: "replying" },
    });
    expect(res.statusCode).toBe(200);
    const warning = page.getByTestId("presence-warning");
    await warning.filter({ hasText: `${BRUNO.name} está respondendo este chamado agora.` }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await warning.waitFor();
    // The reply box stays in view on a phone, below the warning and the timeline.
    expect(await page.getByTestId("composer").isVisible()).toBe(true);
    await shot("ticket-console-390");
    await page.setViewportSize({ width: 1440, height: 900 });
    await session.server.app.inject({
      method: "DELETE",
      url: `/api/v1/tickets/${ticket.id}/presence`,
      headers: brunoHeaders,
    });
    await warning.waitFor({ state: "hidden" });
  });
});
