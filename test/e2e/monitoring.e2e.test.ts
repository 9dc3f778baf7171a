import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, artifacts, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

/** A state change needs a check (every 5 s, with jitter) and the event's trip over SSE; CPU may be scarce. */
const CHANGE_MS = 30_000;

/** The browser logs every 4xx answer; only the invalid monitor this flow submits on purpose is expected. */
const expectedNetworkError = (text: string, url: string) =>
  text.includes("status of 400") && url.endsWith("/api/v1/monitors");

describe.skipIf(skipBrowser)("the live monitoring dashboard in Chromium", () => {
  let session: BrowserSession;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let allowInvalid = false;
  // The monitored service: answers 200 while healthy, 500 after.
  let healthy = true;
  let target: Server;
  let targetUrl: string;
  let monitorPath = "";

  beforeAll(async () => {
    target = createServer((_req, res) => {
      res.writeHead(healthy ? 200 : 500, { "content-type": "text/plain", connection: "close" });
      res.end(healthy ? "ok" : "failing");
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/health`;
    session = await openBrowserSession({
      name: "monitoring",
      locale: "pt-BR",
      expected: (text, url) => allowInvalid && expectedNetworkError(text, url),
    });
    ({ page, base, context } = session);
  }, 240_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });

  afterAll(async () => {
    await session?.close();
    await new Promise((resolve) => target?.close(resolve));
  });

  const heading = (p: Page, name: string) => p.getByRole("heading", { name, exact: true }).waitFor();
  const shot = (p: Page, name: string) => p.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const card = (p: Page | Locator, name: string) => p.getByTestId("monitor-card").filter({ hasText: name });
  const headerStatus = (p: Page, status: string) =>
    p.locator(`[data-testid="monitor-header"] [data-testid="monitor-status"][data-status="${status}"]`);
  const pick = async (label: string, option: string) => {
    await page.getByRole("dialog").getByLabel(field(label)).click();
    await page.getByRole("option", { name: option, exact: true }).click();
  };
  const fillTimings = async () => {
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Intervalo (s)")).fill("5");
    await dialog.getByLabel(field("Tempo limite (s)")).fill("2");
    await dialog.getByLabel(field("Tentativas")).fill("0");
  };

  it("creates an HTTP monitor, after the server's error shown on the target field", async () => {
    await page.goto(`${base}/login?next=%2Fmonitoring`);
    await page.getByLabel(field("E-mail")).fill(ADMIN.email);
    await page.getByLabel(field("Senha")).fill(ADMIN.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await heading(page, "Monitoramento");
    await page.getByText("Nenhum monitor ainda.").waitFor();
    await page.getByRole("button", { name: "Novo monitor" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Nome")).fill("API do PABX");
    await dialog.getByLabel(field("Alvo")).fill("pabx sem esquema");
    await fillTimings();
    allowInvalid = true;
    await dialog.getByRole("button", { name: "Salvar" }).click();
    const targetInput = dialog.getByLabel(field("Alvo"));
    await dialog.getByText(/not a valid URL/).waitFor();
    expect(await targetInput.getAttribute("aria-invalid")).toBe("true");
    allowInvalid = false;
    await targetInput.fill(targetUrl);
    await dialog.getByLabel(field("Status aceitos")).fill("200-299");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await heading(page, "API do PABX");
    monitorPath = new URL(page.url()).pathname;
    expect(monitorPath).toMatch(/^\/monitoring\/[0-9a-f-]{36}$/);
    await headerStatus(page, "UP").waitFor({ timeout: CHANGE_MS });
  });

  it("shows it UP on the dashboard with its uptime", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Monitoramento", exact: true }).click();
    const up = card(page, "API do PABX");
    await up.and(page.locator('[data-status="UP"]')).waitFor();
    expect(await up.textContent()).toContain("Operante");
    expect(await up.textContent()).toContain("HTTP(S)");
    await up.getByTestId("uptime-24h").filter({ hasText: "100 %" }).waitFor();
    // Loaded afresh, the cards' figures come in one batch call, not several calls per card.
    const asked: string[] = [];
    const note = (request: { url(): string }) => asked.push(new URL(request.url()).pathname);
    page.on("request", note);
    await page.reload();
    await up.getByTestId("uptime-24h").filter({ hasText: "100 %" }).waitFor();
    await up.getByTestId("last-latency").filter({ hasText: " ms" }).waitFor();
    page.off("request", note);
    expect(asked.filter((path) => path === "/api/v1/monitors/overview")).toHaveLength(1);
    expect(asked.filter((path) => /\/(uptime|series)$/.test(path))).toEqual([]);
    await page.getByTestId("count-UP").filter({ hasText: "Operante: 1" }).waitFor();
    await shot(page, "monitoring-dashboard-up");
  });

  it("turns DOWN live on the card and on the monitor page when the target fails", async () => {
    const detail = await context.newPage();
    session.watch(detail);
    await detail.goto(`${base}${monitorPath}`);
    await headerStatus(detail, "UP").waitFor();
    await detail.locator('[data-testid="live-state"][data-state="connected"]').waitFor();
    await page.locator('[data-testid="live-state"][data-state="connected"]').waitFor();
    // Marks the loaded documents: a reload would lose them, so their survival proves the update came live.
    for (const p of [page, detail]) await p.evaluate(() => Object.assign(globalThis, { __sameDocument: true }));

    healthy = false;
    await card(page, "API do PABX").and(page.locator('[data-status="DOWN"]')).waitFor({ timeout: CHANGE_MS });
    await headerStatus(detail, "DOWN").waitFor({ timeout: CHANGE_MS });
    for (const p of [page, detail]) {
      expect(await p.evaluate(() => (globalThis as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    }
    expect(await card(page, "API do PABX").textContent()).toContain("Fora do ar");
    await detail.getByTestId("state-reason").filter({ hasText: "Status HTTP não aceito" }).waitFor();
    await detail.locator('[data-testid="state-change"][data-status="DOWN"]').waitFor();
    expect(await detail.locator('[data-testid="state-change"][data-status="UP"]').count()).toBe(1);
    await detail.getByTestId("latency-chart").locator("canvas").waitFor();
    await detail.getByTestId("state-timeline").locator("canvas").waitFor();
    await shot(detail, "monitoring-monitor-down");
    await shot(page, "monitoring-dashboard-down");

    healthy = true;
    await headerStatus(detail, "UP").waitFor({ timeout: CHANGE_MS });
    await detail.close();
  });

  it("creates a heartbeat monitor and shows its push URL, which turns it UP", async () => {
    await page.getByRole("button", { name: "Novo monitor" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Nome")).fill("Cron de backup do PABX");
    await pick("Tipo", "Heartbeat (push)");
    expect(await dialog.getByLabel(field("Alvo")).count()).toBe(0);
    await fillTimings();
    await dialog.getByLabel(field("Tolerância (s)")).fill("5");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await heading(page, "Cron de backup do PABX");
    const url = await page.getByTestId("push-url").textContent();
    expect(url).toMatch(new RegExp(`^${base}/api/v1/push/[A-Za-z0-9_-]+$`));
    await page.getByTestId("push-panel").getByRole("button", { name: "Copiar" }).waitFor();
    await shot(page, "monitoring-heartbeat");

    const pushed = await fetch(`${url}?status=up&msg=backup%20ok`, { method: "POST" });
    expect(pushed.status).toBe(200);
    await headerStatus(page, "UP").waitFor({ timeout: CHANGE_MS });
  });

  it("puts a monitor into a group by editing it, and shows it under the group's section", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Monitoramento", exact: true }).click();
    await page.getByRole("button", { name: "Novo monitor" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Nome")).fill("PABX São Paulo");
    await pick("Tipo", "Grupo");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await heading(page, "PABX São Paulo");
    await page.goto(`${base}${monitorPath}`);
    await heading(page, "API do PABX");
    await page.getByRole("button", { name: "Editar" }).click();
    await pick("Grupo", "PABX São Paulo");
    await shot(page, "monitoring-form");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await dialog.waitFor({ state: "hidden" });
    await page.getByRole("navigation").getByRole("link", { name: "Monitoramento", exact: true }).click();
    const section = page.getByRole("region", { name: "PABX São Paulo" });
    await card(section, "API do PABX").waitFor();
    await section.getByTestId("monitor-status").first().waitFor();
    await shot(page, "monitoring-dashboard-groups");
  });

  it("pauses a monitor into maintenance, resumes it, and deletes it after confirmation", async () => {
    await card(page, "Cron de backup do PABX").getByRole("link").click();
    await heading(page, "Cron de backup do PABX");
    await page.getByRole("button", { name: "Pausar" }).click();
    await headerStatus(page, "MAINTENANCE").waitFor();
    await page.getByTestId("state-reason").filter({ hasText: "Pausado" }).waitFor();
    await page.getByRole("button", { name: "Retomar" }).click();
    await page.getByRole("button", { name: "Pausar" }).waitFor();
    await page.getByRole("button", { name: "Excluir" }).click();
    const dialog = page.getByRole("dialog", { name: "Excluir monitor" });
    expect(await dialog.textContent()).toContain("Cron de backup do PABX");
    await dialog.getByRole("button", { name: "Excluir" }).click();
    await heading(page, "Monitoramento");
    await card(page, "API do PABX").waitFor();
    expect(await card(page, "Cron de backup do PABX").count()).toBe(0);
  });

  it("reads in English, with the same monitors and states", async () => {
    await page.getByText("EN", { exact: true }).click();
    await heading(page, "Monitoring");
    const up = card(page, "API do PABX");
    await up.and(page.locator('[data-status="UP"]')).waitFor();
    expect(await up.textContent()).toContain("Up");
    await page.getByRole("combobox", { name: "State" }).click();
    await page.getByRole("option", { name: "Down", exact: true }).click();
    await page.getByText("Nothing found.").waitFor();
    expect(await page.getByTestId("monitor-card").count()).toBe(0);
    await page.getByRole("combobox", { name: "State" }).click();
    await page.getByRole("option", { name: "Up", exact: true }).click();
    await up.waitFor();
    await page.getByText("PT", { exact: true }).click();
    await heading(page, "Monitoramento");
  });
});
