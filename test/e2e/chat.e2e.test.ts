import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page, Request } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signVisitor } from "../../src/modules/chat/model.js";
import { ADMIN, type BrowserSession, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

const AGENT = { email: "agente.chat@example.com", name: "Agente Chat", password: "agent password 123" };
const VISITOR = { id: "cliente-e2e-42", name: "Ana Lima", email: "ana@acme.example" };
const SUBJECT = "Tronco SIP sem registro";
const WAIT_MS = 15_000;

/**
 * The chat acceptance line in Chromium: a visitor chats through the widget on a host page of another
 * origin, the network drops and comes back while both sides keep writing, and neither side loses or doubles a
 * message; the agent answers from the console; the closed chat's transcript becomes a ticket of channel chat.
 */
describe.skipIf(skipBrowser)("live chat widget and console in Chromium", () => {
  let session: BrowserSession;
  let host: Server;
  let hostUrl: string;
  let agent: Page;
  let visitor: { page: Page; close(): Promise<void> };
  let inject: (method: "GET" | "POST", url: string, payload?: object) => Promise<any>;

  beforeAll(async () => {
    session = await openBrowserSession({
      name: "chat",
      env: { PLANTAO_JOB_POLL_MS: "200" },
      locale: "pt-BR",
      waitMs: WAIT_MS,
      // The widget's requests fail while the visitor is offline; the browser logs each failure as an error.
      expected: (text) => /ERR_INTERNET_DISCONNECTED|Failed to load resource|net::ERR/.test(text),
    });
    const { server } = session;
    const login = await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    const headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    inject = async (method, url, payload) => {
      const res = await server.app.inject({ method, url, payload, headers });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const org = await inject("POST", "/api/v1/organizations", { name: "Acme Telecom" });
    await inject("POST", "/api/v1/users", { ...AGENT, role: "agent", tier: "L1" });
    // Attended around the clock, so the run does not depend on the hour it happens at.
    const site = await inject("POST", "/api/v1/chat/sites", {
      name: "Site da Acme",
      organizationId: org.id,
      calendar: "24x7",
    });
    // The provider's site, on another origin: it signs its logged-in visitor with the site's key.
    const signature = signVisitor(site.secret, VISITOR.id);
    const html = `<!doctype html><html lang="pt-BR"><head><meta charset="utf-8"><title>Acme</title></head>
<body><h1>Acme Telecom</h1><p>Bem-vindo ao site da Acme.</p>
<script src="${session.base}/chat/widget.js" data-site="${site.id}" data-visitor="${VISITOR.id}"
  data-signature="${signature}" data-lang="pt-BR" data-name="${VISITOR.name}" data-email="${VISITOR.email}" async></script>
</body></html>`;
    host = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html));
    await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
    hostUrl = `http://localhost:${(host.address() as AddressInfo).port}/`;
    visitor = await session.newPage({ label: "visitor" });
    agent = session.page;
  }, 180_000);

  afterEach(() => expect(session.errors).toEqual([]));
  afterAll(async () => {
    await visitor?.close();
    await session?.close();
    await new Promise((r) => host?.close(r));
  });

  /** The texts of the visitor's widget log (shadow DOM) and of the agent's console, one entry per message. */
  const visitorTexts = () =>
    visitor.page
      .locator("#plantao-chat .log .msg:not(.pending)")
      .evaluateAll((els) => els.map((e) => (e.childNodes[1]?.textContent ?? "").trim()));
  const agentTexts = () => agent.getByTestId("chat-console-log").locator("[data-seq] p:last-child").allInnerTexts();
  const count = (list: string[], text: string) => list.filter((t) => t === text).length;

  it("a visitor chats, the network drops and returns, and nothing is lost or doubled on either side", async () => {
    const page = visitor.page;
    await page.goto(hostUrl);
    await page.getByTestId("chat-launcher").click();
    const prechat = page.getByTestId("chat-prechat");
    await prechat.waitFor();
    await expect.poll(() => prechat.getByPlaceholder("Nome").inputValue()).toBe(VISITOR.name);
    await prechat.getByPlaceholder("Assunto").fill(SUBJECT);
    await prechat.getByRole("button", { name: "Iniciar conversa" }).click();
    const input = page.getByPlaceholder("Escreva uma mensagem…");
    await input.fill("Olá, o tronco caiu");
    await input.press("Enter");
    await page.locator("#plantao-chat .msg[data-seq='1']").waitFor();

    await session.signIn(agent, AGENT);
    await agent.getByRole("navigation").waitFor();
    await agent.goto(`${session.base}/chat`);
    await agent.getByTestId("chat-stream-state").getByText("Ao vivo").waitFor();
    await agent.getByRole("button", { name: `Abrir: ${VISITOR.name} — ${SUBJECT}` }).click();
    await agent.getByText("Olá, o tronco caiu").waitFor();

    // Typing shows on the other side.
    await page.getByPlaceholder("Escreva uma mensagem…").pressSequentially("di");
    await agent.getByTestId("chat-console-typing").getByText(`${VISITOR.name} está digitando…`).waitFor();
    await page.getByPlaceholder("Escreva uma mensagem…").fill("");

    const reply = agent.getByPlaceholder("Mensagem");
    await reply.fill("Bom dia! Vou verificar o registro.");
    await agent.getByRole("button", { name: "Enviar" }).click();
    await page.getByText("Bom dia! Vou verificar o registro.").waitFor();
    await page.getByText("Agente Chat entrou na conversa").waitFor();

    // The visitor's network goes away and the server drops every open connection (both sides' streams): the
    // agent's console reconnects at once, the visitor's widget only once back online; what it sends meanwhile
    // stays pending.
    await visitor.page.context().setOffline(true);
    session.server.app.server.closeAllConnections();
    await page.getByTestId("chat-status").getByText("Reconectando…").waitFor();
    await input.fill("Escrevi durante a queda");
    await input.press("Enter");
    await page.locator("#plantao-chat .msg.pending").waitFor();
    for (const text of ["Registro refeito.", "Pode testar agora?"]) {
      await reply.fill(text);
      await agent.getByRole("button", { name: "Enviar" }).click();
      await agent.getByTestId("chat-console-log").getByText(text).waitFor();
    }
    expect(await visitorTexts()).not.toContain("Registro refeito.");

    await visitor.page.context().setOffline(false);
    await page.getByText("Pode testar agora?").waitFor();
    await agent.getByTestId("chat-console-log").getByText("Escrevi durante a queda").waitFor();
    await expect.poll(() => page.locator("#plantao-chat .msg.pending").count()).toBe(0);

    const expected = [
      "Olá, o tronco caiu",
      "Bom dia! Vou verificar o registro.",
      "Registro refeito.",
      "Pode testar agora?",
      "Escrevi durante a queda",
    ];
    const seenByVisitor = await visitorTexts();
    const seenByAgent = await agentTexts();
    for (const text of expected) {
      expect(count(seenByVisitor, text), `visitor: ${text}`).toBe(1);
      expect(count(seenByAgent, text), `agent: ${text}`).toBe(1);
    }
    // Both sides show the same events in the same order: the conversation's cursor order.
    expect(seenByVisitor).toEqual(seenByAgent);
    const seqs = await page
      .locator("#plantao-chat .msg[data-seq]")
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-seq"))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it("the agent closes the chat and its transcript becomes a ticket of channel chat", async () => {
    await agent.getByRole("button", { name: "Encerrar" }).click();
    await visitor.page.getByText("Conversa encerrada. A transcrição foi registrada em um chamado.").waitFor();
    await agent.getByTestId("chat-ticket-link").click();
    await agent.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    const ticketId = agent.url().split("/").at(-1)!;
    const ticket = await inject("GET", `/api/v1/tickets/${ticketId}`);
    expect(ticket).toMatchObject({ channel: "chat", subject: SUBJECT });
    expect(ticket.requester).toMatchObject({ name: VISITOR.name, email: VISITOR.email });
    for (const text of ["Olá, o tronco caiu", "Registro refeito.", "Escrevi durante a queda"]) {
      expect(ticket.description.split(text).length - 1, text).toBe(1);
    }
    await agent.getByText("Transcrição do chat", { exact: false }).first().waitFor();
  });

  it("a widget taken off the page (the portal signing out) closes its stream and does not reconnect", async () => {
    const page = visitor.page;
    const streams: Request[] = [];
    const ended = new Set<Request>();
    page.on("request", (r) => {
      if (/\/conversations\/[^/]+\/stream\?/.test(r.url())) streams.push(r);
    });
    page.on("requestfailed", (r) => ended.add(r));
    page.on("requestfinished", (r) => ended.add(r));
    await page.goto(hostUrl);
    await page.getByTestId("chat-launcher").click();
    const prechat = page.getByTestId("chat-prechat");
    await prechat.getByPlaceholder("Assunto").fill("Outra dúvida");
    await prechat.getByRole("button", { name: "Iniciar conversa" }).click();
    await expect.poll(() => streams.length).toBeGreaterThan(0);
    await page.evaluate(`document.getElementById("plantao-chat").remove()`);
    await expect.poll(() => streams.every((r) => ended.has(r)), { timeout: 5000 }).toBe(true);
    const opened = streams.length;
    await page.waitForTimeout(1500);
    expect(streams.length).toBe(opened);
  });
});
