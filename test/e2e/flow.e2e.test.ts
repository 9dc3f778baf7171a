import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, artifacts, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

/** The browser logs every 4xx answer; only the one this flow provokes on purpose is expected. */
const expectedNetworkError = (text: string, url: string) =>
  text.includes("status of 401") && url.endsWith("/api/v1/auth/login");

describe.skipIf(skipBrowser)("signed-in work in Chromium", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let allowLoginFailure = false;

  beforeAll(async () => {
    session = await openBrowserSession({
      name: "flow",
      locale: "pt-BR",
      viewport: { width: 1280, height: 800 },
      expected: (text, url) => allowLoginFailure && expectedNetworkError(text, url),
    });
    ({ page, base } = session);
  }, 180_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });

  afterAll(() => session?.close());

  const heading = (name: string | RegExp) =>
    page.getByRole("heading", { name, exact: typeof name === "string" }).waitFor();
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const nav = (name: string) => page.getByRole("navigation").getByRole("link", { name, exact: true }).click();
  const pick = async (label: string, option: string) => {
    await page.getByRole("dialog").getByLabel(field(label)).click();
    await page.getByRole("option", { name: option, exact: true }).click();
  };

  it("signs in from the Portuguese login page, after a translated wrong-password error", async () => {
    await page.goto(`${base}/tickets`);
    await heading("Entrar");
    expect(page.url()).toBe(`${base}/login?next=%2Ftickets`);
    expect(await page.locator("html").getAttribute("lang")).toBe("pt-BR");
    await page.getByLabel(field("E-mail")).fill(ADMIN.email);
    await page.getByLabel(field("Senha")).fill("not the password");
    allowLoginFailure = true;
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("alert").getByText("E-mail ou senha incorretos.").waitFor();
    allowLoginFailure = false;
    await shot("login-error");
    await page.getByLabel(field("Senha")).fill(ADMIN.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await heading("Chamados");
    expect(new URL(page.url()).pathname).toBe("/tickets");
  });

  it("creates a customer organization and a customer user", async () => {
    await nav("Organizações");
    await page.getByRole("button", { name: "Nova organização" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Nome")).fill("Acme Telecom");
    await dialog.getByLabel(field("Números (E.164)")).fill("+5511999990000");
    await dialog.getByLabel(field("Números (E.164)")).press("Enter");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await page.getByTestId("organization-row").filter({ hasText: "Acme Telecom" }).waitFor();

    await nav("Usuários");
    await page.getByRole("button", { name: "Novo usuário" }).click();
    await dialog.getByLabel(field("E-mail")).fill("cliente@acme.example");
    await dialog.getByLabel(field("Nome")).fill("Cliente Acme");
    await pick("Papel", "Cliente");
    await pick("Organização", "Acme Telecom");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await page.getByTestId("user-row").filter({ hasText: "cliente@acme.example" }).waitFor();
    await shot("users");
  });

  it("shows the plan and its RPO finding, written in Portuguese", async () => {
    await nav("Plano");
    await heading("Plano de suporte e manutenção");
    await page.getByRole("region", { name: "Recuperação de desastres" }).waitFor();
    await shot("plan");
    await page.getByRole("tab", { name: /Problemas/ }).click();
    const rpo = page.locator('[data-finding="rpo-backup-gap"]');
    await rpo.getByRole("heading", { name: "O agendamento de backups não atende ao RPO" }).waitFor();
    expect(await rpo.textContent()).toContain("arquivamento contínuo do WAL");
    await shot("plan-findings");
  });

  it("simulates the worked example: L1, low, Friday 17:00 in São Paulo is due Monday 09:00, breached at 11:00", async () => {
    await page.getByRole("tab", { name: "Simulador de SLA" }).click();
    await page.getByRole("combobox", { name: "Severidade" }).click();
    await page.getByRole("option", { name: "Baixo", exact: true }).click();
    await page.getByRole("combobox", { name: "Nível" }).click();
    await page.getByRole("option", { name: "Nível 1", exact: true }).click();
    await page.getByLabel(field("Aberto em")).fill("2026-11-27T17:00");
    await page.getByRole("button", { name: "Simular" }).click();
    const tier = page.locator('[data-testid="simulated-clock"][data-kind="tier_response"]');
    await tier.waitFor();
    expect(await page.getByTestId("simulated-clock").count()).toBe(4);
    expect(await tier.getByTestId("target").textContent()).toBe("seg., 30/11/2026, 09:00");
    expect(await tier.getByTestId("breach").textContent()).toBe("seg., 30/11/2026, 11:00");
    expect(await tier.textContent()).toContain("Resposta do nível · Nível 1");
    await shot("plan-simulator");
  });

  it("creates an API token and shows its secret once", async () => {
    await page.getByRole("button", { name: /Menu de/ }).click();
    await page.getByRole("menuitem", { name: "Meu perfil" }).click();
    await heading("Meu perfil");
    await page.getByLabel(field("Nome")).last().fill("ci");
    await page.getByLabel(field("Chamados: leitura")).check();
    await page.getByRole("button", { name: "Criar token" }).click();
    const secret = await page.getByTestId("token-secret").textContent();
    expect(secret?.length).toBeGreaterThan(20);
    await page.getByTestId("token-row").filter({ hasText: "ci" }).waitFor();
    await shot("profile-token");
    await page.reload();
    await page.getByTestId("token-row").filter({ hasText: "ci" }).waitFor();
    expect(await page.getByTestId("token-secret").count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it("opens a ticket for the customer and replies to it", async () => {
    await nav("Chamados");
    await page.getByRole("button", { name: "Novo chamado" }).click();
    await pick("Organização", "Acme Telecom");
    const dialog = page.getByRole("dialog");
    // The requester is found among the organization's contacts by a part of their address.
    await dialog.getByTestId("requester-select").fill("cliente@acme");
    await page.getByRole("option", { name: "Cliente Acme <cliente@acme.example>" }).click();
    await pick("Canal", "Telefone");
    await dialog.getByLabel(field("Responsável")).click();
    await page.getByRole("option").first().click();
    await dialog.getByLabel(field("Assunto")).fill("Tronco SIP sem registro");
    await dialog.getByLabel(field("Descrição")).fill("O tronco principal parou de registrar às 09h.");
    await dialog.getByRole("button", { name: "Abrir chamado" }).click();
    await heading(/^#\d+ Tronco SIP sem registro$/);
    // The header names the organization and the requester, who watches the ticket.
    await page.getByText("Acme Telecom — Cliente Acme · cliente@acme.example").waitFor();
    await page.getByTestId("ticket-watcher").filter({ hasText: "cliente@acme.example" }).waitFor();
    await page.getByLabel(field("Resposta")).fill("Estamos verificando o registro do tronco.");
    await page.getByRole("button", { name: "Enviar resposta" }).click();
    await page.getByTestId("timeline-message").filter({ hasText: "Estamos verificando" }).waitFor();
    // The reply opened the ticket: the history says so in words, not ids.
    await page.getByTestId("timeline-change").filter({ hasText: "Novo → Aberto" }).waitFor();
    const sla = page.getByRole("region", { name: "SLA" });
    const tierClock = sla.locator('[data-testid="sla-clock"][data-kind="tier_response"]');
    await tierClock.filter({ hasText: "Cumprido" }).waitFor();
    expect(await tierClock.textContent()).toContain("Resposta do nível · Nível 1");
    await sla
      .locator('[data-kind="resolution"]')
      .filter({ hasText: /faltam .+ úteis/ })
      .waitFor();
    await shot("ticket");
  });

  it("shows the next SLA breach in the queue and filters by SLA", async () => {
    await nav("Chamados");
    const row = page.getByTestId("ticket-row").filter({ hasText: "Tronco SIP sem registro" });
    // The countdown to the next breach: "h:mm:ss", or "Nd Nh" beyond two days; not yet breached.
    expect(await row.getByTestId("sla-countdown").textContent()).toMatch(/^(\d+:\d\d:\d\d|\d+d \d+h)$/);
    await shot("queue-sla");
    await page.getByTestId("queue-breached").click();
    await page.getByText("Nenhum chamado.").waitFor();
    await page.getByTestId("queue-open").click();
    await row.waitFor();
    // A resolution budget is longer than an hour of wall time, so a ticket opened now is not due within the hour.
    await page.getByTestId("queue-breaching").click();
    await page.getByText("Nenhum chamado.").waitFor();
    await page.getByTestId("queue-open").click();
    await row.getByRole("link").click();
    await heading(/^#\d+ Tronco SIP sem registro$/);
  });

  it("switches to English and logs out", async () => {
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("button", { name: "Send reply" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.getByRole("region", { name: "SLA" }).getByText("Level response · Level 1").waitFor();
    await page.getByRole("button", { name: /menu$/ }).click();
    await page.getByRole("menuitem", { name: "Log out", exact: true }).click();
    await heading("Sign in");
    await page.goto(`${base}/plan`);
    await heading("Sign in");
    await shot("logged-out");
  });
});
