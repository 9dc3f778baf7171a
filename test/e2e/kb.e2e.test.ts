import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";
import { MP4_HEAD, PNG_HEAD } from "../kb/media-fixtures.js";

const AGENT = { email: "agente@example.com", name: "Agente Souza", password: "agent password 123" };
const CUSTOMER = { email: "cliente@acme.example", name: "Ana Lima", password: "customer password 123" };
const ARTICLE = "Correio de voz: como ouvir as mensagens";
const SUPPORT_ARTICLE = "Correio de voz: limpar a caixa pelo servidor";
/** Generous: the machine the suite runs on may be shared and loaded. */
const WAIT_MS = 30_000;

/**
 * The suggestion lines in Chromium (pt-BR): a customer types a new ticket's subject in the portal, sees a
 * suggested article (never the support team's), reads it and leaves without opening the ticket, and the
 * deflection is counted; an agent inserts a suggested article into a reply, which the customer then reads. Also
 * the console's editor: an article opened at its own address, an image attached, a translation written.
 */
describe.skipIf(skipBrowser)("knowledge-base suggestions and deflection in Chromium", () => {
  let session: BrowserSession;
  let customer: { page: Page; close(): Promise<void> };
  let base: string;
  let headers: Record<string, string>;
  let articleId = "";
  let videoId = "";

  const inject = async (method: "GET" | "POST", url: string, payload?: object) => {
    const res = await session.server.app.inject({ method, url, payload, headers });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    session = await openBrowserSession({
      name: "kb",
      locale: "pt-BR",
      waitMs: WAIT_MS,
      // The agent tries a support-team article on a customer's ticket on purpose: the server answers 409.
      expected: (text, url) => text.includes("status of 409 (Conflict)") && url.endsWith("/reply"),
    });
    base = session.base;
    const login = await session.server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    const org = await inject("POST", "/api/v1/organizations", { name: "Acme Telecom" });
    await inject("POST", "/api/v1/users", { ...AGENT, role: "agent", tier: "L1" });
    await inject("POST", "/api/v1/users", { ...CUSTOMER, role: "customer", organizationId: org.id });
    const supportId = (
      await inject("POST", "/api/v1/kb/articles", {
        title: SUPPORT_ARTICLE,
        body: "Procedimento interno do correio de voz no servidor.",
        audience: "support",
        purpose: "procedure",
        status: "published",
      })
    ).id;
    articleId = (
      await inject("POST", "/api/v1/kb/articles", {
        title: ARTICLE,
        // The link to the support team's article: a customer reads "unavailable", never its title.
        body: `Disque **\\*97** do seu ramal e informe a senha do correio de voz.\n\n## Pelo aplicativo\n\nAbra a aba Mensagens.\n\nSuporte: [${SUPPORT_ARTICLE}](kb:${supportId}).`,
        audience: "customers",
        purpose: "faq",
        status: "published",
      })
    ).id;
    // A video tutorial on the article (the bytes start as an MP4 does; the player is what is checked).
    const video = await session.server.app.inject({
      method: "POST",
      url: `/api/v1/kb/videos?articleId=${articleId}&title=${encodeURIComponent("Ouvir o correio de voz")}`,
      headers: { ...headers, "content-type": "video/mp4" },
      payload: Buffer.concat([Buffer.from(MP4_HEAD), Buffer.alloc(4000)]),
    });
    if (video.statusCode !== 201) throw new Error(`video upload: ${video.statusCode} ${video.body}`);
    videoId = video.json().id;
    customer = await session.newPage({ label: "customer" });
  }, 180_000);

  afterEach(() => expect(session.errors).toEqual([]));
  afterAll(async () => {
    await customer?.close();
    await session?.close();
  });

  it("a customer types a subject, sees a suggested article, reads it and leaves: the deflection is counted", async () => {
    const page = customer.page;
    await session.signIn(page, CUSTOMER);
    await page.waitForURL(`${base}/portal`);
    await page.goto(`${base}/portal/tickets/new`);
    await page.getByRole("heading", { name: "Abrir chamado" }).waitFor();
    await page.getByLabel(field("Assunto")).pressSequentially("Não consigo ouvir o correio de voz", { delay: 20 });
    const suggestion = page.getByTestId("kb-suggestion").filter({ hasText: ARTICLE });
    await suggestion.waitFor();
    expect(await page.getByTestId("kb-suggestions").textContent()).not.toContain(SUPPORT_ARTICLE);
    await suggestion.click();
    const article = page.getByTestId("kb-article");
    await article.getByRole("heading", { name: ARTICLE }).waitFor();
    await article.getByText("do seu ramal e informe a senha").waitFor();
    await article.getByText("artigo indisponível").waitFor();
    expect(await article.textContent()).not.toContain(SUPPORT_ARTICLE);
    await article.getByText("Ouvir o correio de voz").waitFor();
    expect(await article.locator("video source").getAttribute("src")).toBe(`/api/v1/kb/videos/${videoId}/stream`);
    await page.getByTestId("kb-feedback").getByRole("button", { name: "Sim" }).click();
    await page.getByRole("button", { name: "Enviar" }).click();
    await page.getByText("Obrigado pela avaliação.").waitFor();
    await page.keyboard.press("Escape");
    // Leaves the form without opening the ticket.
    await page.getByRole("navigation", { name: "Navegação do portal" }).getByRole("link", { name: "Início" }).click();
    await page.waitForURL(`${base}/portal`);
    const deadline = Date.now() + WAIT_MS;
    let summary = await inject("GET", "/api/v1/kb/deflections/summary");
    while (summary.sessions === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      summary = await inject("GET", "/api/v1/kb/deflections/summary");
    }
    expect(summary).toMatchObject({ sessions: 1, deflected: 1, submitted: 0, deflectionRate: 1 });
    const feedback = await inject("GET", `/api/v1/kb/articles/${articleId}/feedback`);
    expect(feedback.helpful).toBe(1);
  }, 120_000);

  it("an admin opens an article at its address, attaches an image and writes its English translation", async () => {
    const admin = await session.newPage({ label: "admin" });
    try {
      const page = admin.page;
      await session.signIn(page, ADMIN);
      await page.getByRole("navigation").first().waitFor();
      // Links between articles point here for staff.
      await page.goto(`${base}/kb/articles/${articleId}`);
      const dialog = page.getByRole("dialog");
      await dialog.getByText(ARTICLE).first().waitFor();
      await dialog.getByRole("button", { name: "Editar" }).click();
      const editor = page.getByRole("dialog", { name: "Editar" });
      await editor.getByLabel(field("Texto (Markdown)")).waitFor();
      const chooser = page.waitForEvent("filechooser");
      await editor.getByRole("button", { name: "Anexar imagem ou arquivo" }).click();
      await (await chooser).setFiles({
        name: "tela.png",
        mimeType: "image/png",
        buffer: Buffer.concat([Buffer.from(PNG_HEAD), Buffer.alloc(64)]),
      });
      await editor.getByText("Anexado: o Markdown está no fim do texto.").waitFor();
      const body = editor.getByLabel(field("Texto (Markdown)"));
      await expect
        .poll(() => body.inputValue(), { timeout: WAIT_MS })
        .toMatch(/!\[tela\.png\]\(\/api\/v1\/kb\/attachments\/[0-9a-f-]+\)/);
      // The preview shows the image from the server.
      await editor.locator('img[alt="tela.png"]').waitFor();
      await page.keyboard.press("Escape");
      await dialog.getByRole("button", { name: "Traduzir para en" }).click();
      const translation = page.getByRole("dialog", { name: "Editar" });
      await translation.getByLabel(field("Título")).fill("Voicemail: listening to your messages");
      await translation.getByRole("button", { name: "Salvar rascunho" }).click();
      await translation.waitFor({ state: "detached" });
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const list = await inject("GET", "/api/v1/kb/articles?limit=50&locale=en");
        const en = list.items.find((a: { title: string }) => a.title === "Voicemail: listening to your messages");
        if (en) {
          expect(en).toMatchObject({ locale: "en", translationGroupId: articleId, status: "draft" });
          break;
        }
        if (Date.now() > deadline) throw new Error("the translation was not saved");
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await admin.close();
    }
  }, 120_000);

  it("an agent sees articles suggested for a ticket and inserts one into the reply", async () => {
    const res = await session.server.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { email: CUSTOMER.email, password: CUSTOMER.password },
    });
    const asCustomer = {
      cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": res.json().csrfToken as string,
    };
    const created = await session.server.app.inject({
      method: "POST",
      url: "/api/v1/portal/tickets",
      headers: asCustomer,
      payload: {
        subject: "Correio de voz sem mensagens",
        description: "Como ouço as mensagens do correio de voz?",
        type: "question",
        severity: "low",
      },
    });
    expect(created.statusCode).toBe(201);
    const tickets = await inject("GET", "/api/v1/tickets?limit=5");
    const ticket = tickets.items.find((t: { number: number }) => t.number === created.json().number);

    const agent = session.page;
    await session.signIn(agent, AGENT);
    await agent.getByRole("navigation").waitFor();
    await agent.goto(`${base}/tickets/${ticket.id}`);
    const panel = agent.getByTestId("kb-agent-suggestions");
    await panel.waitFor();
    await panel.getByText(ARTICLE).waitFor();
    expect(await panel.textContent()).toContain(SUPPORT_ARTICLE);
    await panel.getByTestId("kb-agent-suggestion").filter({ hasText: ARTICLE }).getByTestId("kb-insert").click();
    await panel.getByText("Artigo inserido na resposta.").waitFor();
    const reply = agent.getByRole("textbox", { name: "Resposta", exact: true });
    await expect.poll(() => reply.inputValue(), { timeout: WAIT_MS }).toContain(`[${ARTICLE}](`);
    expect(await reply.inputValue()).toContain("Disque *97 do seu ramal");
    // The support team's article cannot go to this customer.
    await panel
      .getByTestId("kb-agent-suggestion")
      .filter({ hasText: SUPPORT_ARTICLE })
      .getByTestId("kb-insert")
      .click();
    await panel.getByText("O solicitante não pode ler este artigo: ele não vai na resposta.").waitFor();
    await agent.getByRole("button", { name: "Enviar resposta" }).click();
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const portal = await session.server.app.inject({
        url: `/api/v1/portal/tickets/${created.json().number}`,
        headers: asCustomer,
      });
      const bodies = (portal.json().messages ?? []).map((m: { body: string }) => m.body).join("\n");
      if (bodies.includes(`/portal/kb/articles/${articleId}`)) break;
      if (Date.now() > deadline) throw new Error(`the reply with the article did not reach the portal: ${bodies}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 120_000);
});
