import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signature } from "../../src/modules/webhooks/signature.js";
import { ADMIN, artifacts, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

const AGENT = { email: "agente@example.com", name: "Agente Silva", password: "agent password 123" };
const CUSTOMER = { email: "cliente@acme.example", name: "Cliente Acme", password: "customer password 123" };
/** Small, so a refused upload costs nothing: 4 KiB passes the body limit and fails the size check; 200 KiB does not. */
const MAX_ATTACHMENT = 4096;
const WAIT_MS = 10_000;

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A webhook receiver: refuses the first test delivery with a 503 and a body (so the log shows the answer's
 * excerpt), accepts everything after.
 */
async function receiver() {
  const tests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.headers["x-plantao-event"] !== "webhook.test") return void res.writeHead(204).end();
      tests.push({ headers: req.headers, body });
      if (tests.length === 1) return void res.writeHead(503, { "content-type": "text/plain" }).end("receiver says no");
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/plantao`,
    tests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(skipBrowser)("ticket collaboration and webhooks in Chromium", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const tickets: Record<"a" | "b" | "c", { id: string; number: number; subject: string }> = {} as never;
  /** Answers a test provokes on purpose: the browser logs each failed request as a console error. */
  let expectedFailures: { status: number; path: RegExp }[] = [];
  let customerId: string;
  let adminPost: (url: string, payload: object) => Promise<{ items?: unknown[] }>;

  beforeAll(async () => {
    hook = await receiver();
    session = await openBrowserSession({
      name: "collab",
      env: { PLANTAO_ATTACHMENT_MAX_BYTES: String(MAX_ATTACHMENT), PLANTAO_JOB_POLL_MS: "200" },
      locale: "pt-BR",
      waitMs: WAIT_MS,
      expected: (text, url) => {
        const status = Number(/status of (\d{3})/.exec(text)?.[1]);
        return expectedFailures.some((f) => f.status === status && f.path.test(new URL(url, base).pathname));
      },
    });
    const { server } = session;
    ({ page, base } = session);

    // Fixtures through the API, as the admin: an organization, three of its tickets and an agent.
    const login = await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    const headers = { cookie, "x-csrf-token": login.json().csrfToken as string };
    const post = async (url: string, payload: object) => {
      const res = await server.app.inject({ method: "POST", url, payload, headers });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    const org = await post("/api/v1/organizations", { name: "Acme Telecom" });
    await post("/api/v1/users", { ...AGENT, role: "agent", tier: "L1" });
    customerId = (await post("/api/v1/users", { ...CUSTOMER, role: "customer", organizationId: org.id })).id;
    adminPost = post;
    const subjects = { a: "Tronco SIP sem registro", b: "Tronco SIP caiu de novo", c: "Ramal 201 mudo" };
    for (const [key, subject] of Object.entries(subjects) as ["a" | "b" | "c", string][]) {
      const t = await post("/api/v1/tickets", {
        subject,
        description: "Relato do cliente.",
        organizationId: org.id,
        type: "sip_trunk_integration",
        severity: "medium",
      });
      tickets[key] = { id: t.id, number: t.number, subject };
    }

    await session.signIn(page, ADMIN);
    await page.getByRole("navigation").waitFor();
  }, 180_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
    expectedFailures = [];
  });

  afterAll(async () => {
    await session?.close();
    await hook?.close();
  });

  const open = async (key: "a" | "b" | "c") => {
    const t = tickets[key];
    await page.goto(`${base}/tickets/${t.id}`);
    await page.getByRole("heading", { name: `#${t.number} ${t.subject}`, exact: true }).waitFor();
  };
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  it("links two tickets by number, explains refused links next to the number, and removes a link", async () => {
    const { a, b, c } = tickets;
    await open("a");
    const links = page.getByRole("region", { name: "Vínculos" });
    await links.getByText("Nenhum vínculo.").waitFor();
    const number = links.getByLabel("Número do chamado");

    await number.fill("99999");
    await links.getByRole("button", { name: "Vincular" }).click();
    await links.getByText("Nenhum chamado visível com o número 99999.").waitFor();

    // The server's field error (pointer /ticketId) lands on the number input.
    expectedFailures = [{ status: 400, path: /\/links$/ }];
    await number.fill(`#${a.number}`);
    await links.getByRole("button", { name: "Vincular" }).click();
    await links.getByText("a ticket cannot be linked to itself").waitFor();
    expect(await number.getAttribute("aria-invalid")).toBe("true");

    await number.fill(String(b.number));
    await links.getByRole("button", { name: "Vincular" }).click();
    const row = links.getByTestId("ticket-link").filter({ hasText: `#${b.number} ${b.subject}` });
    await row.waitFor();
    expect(await row.textContent()).toContain("Relacionado a");

    expectedFailures = [{ status: 409, path: /\/links$/ }];
    await number.fill(String(b.number));
    await links.getByRole("button", { name: "Vincular" }).click();
    await links.getByRole("alert").getByText("Estes chamados já estão vinculados assim.").waitFor();

    await links.getByRole("combobox", { name: "Tipo de vínculo" }).click();
    await page.getByRole("option", { name: "Pai de", exact: true }).click();
    await number.fill(String(c.number));
    await links.getByRole("button", { name: "Vincular" }).click();
    await links
      .getByTestId("ticket-link")
      .filter({ hasText: `#${c.number}` })
      .waitFor();
    await shot("ticket-links");
    await links.getByRole("button", { name: `Remover vínculo com #${c.number}` }).click();
    await links
      .getByTestId("ticket-link")
      .filter({ hasText: `#${c.number}` })
      .waitFor({ state: "detached" });

    // Seen from the other ticket, the link reads the same way back, and leads there.
    await row.getByRole("link").click();
    await page.getByRole("heading", { name: `#${b.number} ${b.subject}`, exact: true }).waitFor();
    const back = page.getByRole("region", { name: "Vínculos" }).getByTestId("ticket-link");
    await back.first().waitFor();
    expect(await back.count()).toBe(1);
    expect(await back.textContent()).toContain(`#${a.number} ${a.subject}`);
  });

  it("uploads attachments on the ticket and on a reply, downloads one intact, and shows the size-limit refusal", async () => {
    await open("a");
    const panel = page.getByRole("region", { name: "Anexos" });
    const trace = Buffer.from("INVITE sip:201@pbx.acme.example SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5\r\n\r\n");
    const [chooser] = await Promise.all([
      page.waitForEvent("filechooser"),
      panel.getByRole("button", { name: "Anexar arquivo" }).click(),
    ]);
    await chooser.setFiles({ name: "trace sip.txt", mimeType: "text/plain", buffer: trace });
    const line = panel.getByTestId("attachment").filter({ hasText: "trace sip.txt" });
    await line.waitFor();
    expect(await line.textContent()).toContain(`text/plain; charset=utf-8 · ${trace.length} B`);

    const [download] = await Promise.all([page.waitForEvent("download"), line.getByRole("link").click()]);
    expect(download.suggestedFilename()).toBe("trace sip.txt");
    expect(readFileSync(await download.path())).toEqual(trace);

    // Just over the limit: the server names the field (/data) and the limit.
    expectedFailures = [{ status: 400, path: /\/attachments$/ }];
    const [chooser2] = await Promise.all([
      page.waitForEvent("filechooser"),
      panel.getByRole("button", { name: "Anexar arquivo" }).click(),
    ]);
    await chooser2.setFiles({ name: "big.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(5000, 7) });
    const refused = panel.getByTestId("upload-error");
    await refused.waitFor();
    expect(await refused.textContent()).toContain(`is larger than ${MAX_ATTACHMENT} bytes`);

    // Far over it: refused before the body is read (413), said in the reader's words.
    expectedFailures = [{ status: 413, path: /\/attachments$/ }];
    const [chooser3] = await Promise.all([
      page.waitForEvent("filechooser"),
      panel.getByRole("button", { name: "Anexar arquivo" }).click(),
    ]);
    await chooser3.setFiles({ name: "huge.bin", mimeType: "application/octet-stream", buffer: Buffer.alloc(200_000) });
    await panel.getByText("O arquivo é maior do que o servidor aceita.").waitFor();
    expect(await panel.getByTestId("attachment").count()).toBe(1);

    // A file sent with a reply is shown under that message.
    await page.getByLabel(field("Resposta")).fill("Segue o PDF com a configuração.");
    const [chooser4] = await Promise.all([
      page.waitForEvent("filechooser"),
      page.getByLabel("Anexos da resposta").click(),
    ]);
    await chooser4.setFiles({
      name: "config.pdf",
      mimeType: "application/pdf",
      buffer: Buffer.from("%PDF-1.4\n%%EOF\n"),
    });
    await page.getByRole("button", { name: "Enviar resposta" }).click();
    const message = page.getByTestId("timeline-message").filter({ hasText: "Segue o PDF" });
    await message.getByTestId("attachment").filter({ hasText: "config.pdf" }).waitFor();
    expect(await message.getByTestId("attachment").textContent()).toContain("application/pdf");
    await panel.getByTestId("attachment").filter({ hasText: "config.pdf" }).waitFor();
    await shot("ticket-attachments");
  });

  it("watches a ticket, and adds and removes another watcher", async () => {
    await open("a");
    const watchers = page.getByRole("region", { name: "Observadores" });
    // The admin opened the ticket with no other requester, so watches it from the start: stop, then watch again.
    await watchers.getByTestId("ticket-watcher").filter({ hasText: "(você)" }).waitFor();
    await watchers.getByRole("button", { name: "Deixar de observar" }).click();
    await watchers.getByText("Ninguém observa este chamado.").waitFor();
    await watchers.getByRole("button", { name: "Observar", exact: true }).click();
    await watchers.getByTestId("ticket-watcher").filter({ hasText: "(você)" }).waitFor();
    await watchers.getByRole("button", { name: "Deixar de observar" }).waitFor();

    await watchers.getByRole("combobox", { name: "Adicionar observador" }).click();
    await page.getByRole("option", { name: AGENT.name, exact: true }).click();
    await watchers.getByRole("button", { name: "Adicionar", exact: true }).click();
    await watchers.getByTestId("ticket-watcher").filter({ hasText: AGENT.email }).waitFor();
    expect(await watchers.getByTestId("ticket-watcher").count()).toBe(2);
    await shot("ticket-watchers");

    await watchers.getByRole("button", { name: `Remover ${AGENT.name} dos observadores` }).click();
    await watchers.getByTestId("ticket-watcher").filter({ hasText: AGENT.email }).waitFor({ state: "detached" });
    // The watch survives a reload: it is the server's, not the page's.
    await page.reload();
    await page
      .getByRole("region", { name: "Observadores" })
      .getByRole("button", { name: "Deixar de observar" })
      .waitFor();
  });

  it("merges one ticket into another: a banner leads to the target and replies are closed", async () => {
    const { a, b } = tickets;
    await open("b");
    await page.getByRole("button", { name: "Mesclar em outro chamado" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Chamado de destino").fill(`#${a.number}`);
    await dialog.getByRole("button", { name: "Buscar" }).click();
    const target = dialog.getByTestId("merge-target");
    await target.getByText(`Mesclar #${b.number} em #${a.number} ${a.subject} (Aberto)?`).waitFor();
    await dialog.getByRole("button", { name: `Mesclar em #${a.number}` }).click();

    const banner = page.getByTestId("merged-banner");
    await banner.getByRole("link", { name: `#${a.number} ${a.subject}` }).waitFor();
    expect(await page.getByLabel(field("Resposta")).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Enviar resposta" }).isDisabled()).toBe(true);
    await page.getByTestId("reply-closed").waitFor();
    expect(await page.getByRole("button", { name: "Mesclar em outro chamado" }).count()).toBe(0);
    // The history names the target by number, and the status change that came with the merge.
    await page
      .getByTestId("timeline-change")
      .filter({ hasText: `#${a.number}` })
      .waitFor();
    await page.getByTestId("timeline-change").filter({ hasText: "→ Fechado" }).waitFor();
    await shot("ticket-merged");

    await banner.getByRole("link").click();
    await page.getByRole("heading", { name: `#${a.number} ${a.subject}`, exact: true }).waitFor();
    await page
      .getByTestId("timeline-message")
      .filter({ hasText: `#${b.number} foi mesclado neste chamado` })
      .waitFor();
  });

  it("creates a webhook, shows its secret once, and logs test deliveries with the receiver's answer; redelivers", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Webhooks", exact: true }).click();
    await page.getByRole("heading", { name: "Webhooks", exact: true }).waitFor();
    await page.getByText("Nenhum webhook.").waitFor();

    // A bad URL is refused by the server on its field; nothing is created.
    expectedFailures = [{ status: 400, path: /^\/api\/v1\/webhooks$/ }];
    await page.getByRole("button", { name: "Novo webhook" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Nome")).fill("ERP da Acme");
    await dialog.getByLabel(field("URL")).fill("ftp://erp.acme.example/hook");
    await dialog.getByRole("button", { name: "Criar webhook" }).click();
    await dialog.getByText("must be an http or https URL").waitFor();

    await dialog.getByLabel(field("URL")).fill(hook.url);
    await dialog.getByRole("button", { name: "Criar webhook" }).click();
    const secret = (await page.getByTestId("webhook-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole("button", { name: "Copiar" }).waitFor();
    const row = page.getByTestId("webhook-row").filter({ hasText: "ERP da Acme" });
    await row.getByText("ticket.*").waitFor();
    await shot("webhooks");

    await row.getByRole("button", { name: "Enviar teste para ERP da Acme" }).click();
    await page.getByRole("link", { name: "Ver o registro de entregas" }).click();
    await page.getByRole("heading", { name: "ERP da Acme", exact: true }).waitFor();
    expect(await page.content()).not.toContain(secret);

    const log = page.getByRole("region", { name: "Registro de entregas" });
    const failed = log.locator('[data-testid="delivery-row"][data-status="failed"]');
    await failed.waitFor();
    expect(await failed.getByTestId("delivery-error").textContent()).toBe("HTTP 503: receiver says no");
    expect(await failed.getByTestId("delivery-attempts").textContent()).toBe("1");
    expect(await failed.getByRole("button", { name: /^Reenviar/ }).count()).toBe(0);

    await page.getByRole("button", { name: "Enviar teste", exact: true }).click();
    const delivered = log.locator('[data-testid="delivery-row"][data-status="succeeded"]');
    await delivered.waitFor();
    expect(await delivered.getByTestId("delivery-answer").textContent()).toMatch(/^HTTP 200 · \d+ ms$/);
    await delivered.getByRole("button", { name: /^Reenviar webhook\.test/ }).click();
    await log
      .locator('[data-testid="delivery-row"][data-status="succeeded"]')
      .filter({ has: page.getByTestId("delivery-attempts").getByText("2", { exact: true }) })
      .waitFor();
    await shot("webhook-log");

    // The receiver got three tests, each signed with the secret the page showed once.
    expect(hook.tests).toHaveLength(3);
    for (const { headers, body } of hook.tests) {
      const expected = Buffer.from(signature(secret, String(headers["x-plantao-timestamp"]), body));
      const got = Buffer.from(String(headers["x-plantao-signature"]));
      expect(got.length === expected.length && timingSafeEqual(got, expected)).toBe(true);
    }
    expect(hook.tests[1]!.headers["x-plantao-delivery"]).toBe(hook.tests[2]!.headers["x-plantao-delivery"]);

    // Disabling waits for the server's answer; the list then shows it off (after its refetch).
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().includes("/api/v1/webhooks/")),
      page.getByRole("switch", { name: "Ativo" }).click(),
    ]);
    await page.getByRole("link", { name: "← Webhooks" }).click();
    const toggle = page.getByRole("switch", { name: "ERP da Acme ativo" });
    await expect.poll(() => toggle.isChecked(), { timeout: WAIT_MS }).toBe(false);
  });

  /** A second browser context signed in as someone else, closed by the caller. */
  const signIn = async (who: { email: string; password: string }, locale = "pt-BR") => {
    const other = await session.newPage({ label: who.email, locale });
    await session.signIn(other.page, who);
    await other.page.getByRole("navigation").getByRole("link", { name: "Chamados", exact: true }).waitFor();
    return other;
  };

  it("shows the webhooks area to admins only: an agent has no entry and the API refuses it", async () => {
    const agent = await signIn(AGENT);
    expect(await agent.page.getByRole("navigation").getByRole("link", { name: "Webhooks" }).count()).toBe(0);
    const res = await agent.page.request.get(`${base}/api/v1/webhooks`);
    expect(res.status()).toBe(403);
    expect(await res.text()).not.toContain("ERP da Acme");
    await agent.close();
  });

  it("lets a customer follow a ticket shared with it in the portal and read its attachments, without staff controls", async () => {
    const { a } = tickets;
    // A plain customer sees the tickets it requested or watches: the staff shares this one by adding it as a watcher.
    await adminPost(`/api/v1/tickets/${a.id}/watchers`, { userId: customerId });
    const customer = await signIn(CUSTOMER);
    const p = customer.page;
    // The staff URL sends a customer to the portal, where its tickets are.
    await p.goto(`${base}/tickets/${a.id}`);
    await p.waitForURL(`${base}/portal`);
    await p.goto(`${base}/portal/tickets/${a.number}`);
    await p.getByRole("heading", { name: `#${a.number} ${a.subject}`, exact: true }).waitFor();
    await p.getByRole("link", { name: "trace sip.txt" }).waitFor();
    expect(await p.getByRole("button", { name: "Mesclar em outro chamado" }).count()).toBe(0);
    expect(await p.getByRole("region", { name: "Observadores" }).count()).toBe(0);
    expect(await p.getByRole("region", { name: "Vínculos" }).count()).toBe(0);
    expect(await p.getByTestId("canned-select").count()).toBe(0);
    expect(await p.getByRole("navigation").getByRole("link", { name: "Webhooks" }).count()).toBe(0);
    await customer.close();
  });

  it("reads in English too", async () => {
    const admin = await signIn(ADMIN);
    const p = admin.page;
    await p.getByText("EN", { exact: true }).click();
    await p.goto(`${base}/tickets/${tickets.b.id}`);
    await p.getByTestId("merged-banner").getByText("Merged ticket").waitFor();
    await p.getByRole("region", { name: "Links" }).getByText("Duplicate of").waitFor();
    await p.getByRole("region", { name: "Watchers" }).waitFor();
    await p.getByRole("region", { name: "Attachments" }).getByText("No attachments.").waitFor();
    await p.goto(`${base}/webhooks`);
    await p.getByRole("button", { name: "New webhook" }).waitFor();
    await admin.close();
  });
});
