import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, artifacts, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

/** The browser logs every 4xx answer; only the one this flow provokes on purpose is expected. */
const expectedNetworkError = (text: string, url: string) =>
  text.includes("status of 400") && url.endsWith("/api/v1/runbooks");

describe.skipIf(skipBrowser)("a disaster-recovery drill in Chromium", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let allowInvalid = false;

  beforeAll(async () => {
    session = await openBrowserSession({
      name: "drill",
      locale: "pt-BR",
      expected: (text, url) => allowInvalid && expectedNetworkError(text, url),
    });
    ({ page, base } = session);
  }, 240_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });

  afterAll(() => session?.close());

  const heading = (name: string | RegExp) =>
    page.getByRole("heading", { name, exact: typeof name === "string" }).waitFor();
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  it("lists the plan's three runbooks under Continuidade", async () => {
    await page.goto(`${base}/login?next=%2Fcontinuity`);
    await page.getByLabel(field("E-mail")).fill(ADMIN.email);
    await page.getByLabel(field("Senha")).fill(ADMIN.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await heading("Continuidade de negócios");
    expect(await page.getByRole("navigation").getByRole("link", { name: "Continuidade", exact: true }).count()).toBe(1);
    const rows = page.getByTestId("runbook-row");
    await rows.first().waitFor();
    expect(await rows.allTextContents()).toEqual([
      expect.stringContaining("Recuperação completa da plataforma VoIP"),
      expect.stringContaining("Ativação do ambiente de contingência"),
      expect.stringContaining("Restauração do próprio Plantão"),
    ]);
    await shot("continuity-runbooks");
  });

  it("creates a two-step runbook, showing the field at fault first", async () => {
    await page.getByRole("link", { name: "Novo roteiro" }).click();
    await heading("Novo roteiro");
    await page.getByLabel(field("Nome")).fill("Simulado rápido");
    allowInvalid = true;
    await page.getByRole("button", { name: "Salvar" }).click();
    // The empty step title comes back as /steps/0/title and shows under that input.
    await page
      .getByTestId("step-editor")
      .first()
      .getByText(/must NOT have fewer than 1 characters/)
      .waitFor();
    allowInvalid = false;
    await page.getByTestId("step-editor").first().getByLabel(field("Título")).fill("Conferir o backup");
    await page.getByRole("button", { name: "Adicionar passo" }).click();
    const second = page.getByTestId("step-editor").nth(1);
    await second.getByLabel(field("Título")).fill("Subir o serviço");
    await second.getByLabel(field("Minutos previstos")).fill("5");
    await page.getByRole("button", { name: "Salvar" }).click();
    await heading("Simulado rápido");
    expect(await page.getByTestId("runbook-step").count()).toBe(2);
    expect(await page.getByTestId("runbook-rto").textContent()).toContain("Previsto: 15 min · RTO: 4 h");
  });

  it("runs the drill step by step with a running timer and finishes it within the RTO", async () => {
    await page.getByRole("button", { name: "Iniciar simulado" }).click();
    await page.getByRole("dialog").getByLabel(field("Notas do simulado (escopo, participantes, ambiente)")).fill("e2e");
    await page.getByRole("dialog").getByRole("button", { name: "Iniciar" }).click();
    await heading("Simulado: Simulado rápido");
    await page.getByTestId("drill-status").getByText("Em andamento").waitFor();

    await page.getByRole("button", { name: "Iniciar: Conferir o backup" }).click();
    const first = page.getByTestId("drill-step").first();
    await page.locator('[data-testid="drill-step"][data-status="started"]').waitFor();
    // The timer runs on screen without another request.
    const elapsed = page.getByTestId("drill-elapsed");
    const before = await elapsed.textContent();
    await expect.poll(() => elapsed.textContent(), { timeout: 5_000, interval: 200 }).not.toBe(before);
    await shot("drill-running");

    await page.getByRole("button", { name: "Concluir: Conferir o backup" }).click();
    await first.getByText("Feito").waitFor();
    expect(await page.getByRole("button", { name: "Concluir simulado" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Pular: Subir o serviço" }).click();
    await page.getByTestId("drill-step").nth(1).getByText("Pulado").waitFor();

    await page.getByRole("button", { name: "Concluir simulado" }).click();
    await page.getByRole("dialog").getByLabel(field("Lições aprendidas")).fill("tudo certo");
    await page.getByRole("dialog").getByRole("button", { name: "Concluir simulado" }).click();
    await page.getByTestId("drill-status").getByText("Concluído").waitFor();
    expect(await page.getByTestId("drill-verdict").textContent()).toBe("Dentro do RTO");
    expect(await page.getByRole("button", { name: /^Concluir:/ }).count()).toBe(0);
    await shot("drill-finished");

    const { items } = await (
      await page.request.get(`${base}/api/v1/drills`, { headers: { accept: "application/json" } })
    ).json();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: "finished", rtoVerdict: "within", notes: "e2e\n\ntudo certo" });
  });

  it("shows the drill in the history, and in English on request", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Continuidade", exact: true }).click();
    await page.getByRole("tab", { name: "Histórico de simulados" }).click();
    const row = page.getByTestId("drill-row");
    await row.filter({ hasText: "Simulado rápido" }).waitFor();
    expect(await row.first().textContent()).toContain("Dentro do RTO");
    await page.getByText("EN", { exact: true }).click();
    await page.getByRole("tab", { name: "Drill history" }).waitFor();
    await row.filter({ hasText: "Within the RTO" }).waitFor();
    await shot("drill-history-en");
  });
});
