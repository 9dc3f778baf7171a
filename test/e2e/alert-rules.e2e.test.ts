import { join } from "node:path";
import type { Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, artifacts, type BrowserSession, field, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

const CPU = "instance:cpu_usage:percent";

/** The browser logs every 4xx answer; only the preview this flow makes invalid on purpose is expected. */
const expectedPreviewError = (text: string, url: string) =>
  text.includes("status of 400") && url.endsWith("/api/v1/alert-rules/preview");

describe.skipIf(skipBrowser)("alert rules through the editor, and the metric explorer, in Chromium", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let allowInvalid = false;

  beforeAll(async () => {
    session = await openBrowserSession({
      name: "alert-rules",
      locale: "pt-BR",
      viewport: { width: 1440, height: 900 },
      expected: (text, url) => allowInvalid && expectedPreviewError(text, url),
    });
    ({ page, base } = session);
    const { server } = session;
    // A host's CPU, as the host collector stores it: 90% for an hour, two hours ago, then 20% since.
    const login = await server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    const headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    const created = await server.app.inject({
      method: "POST",
      url: "/api/v1/scrape-targets",
      headers,
      payload: { name: "pbx-01", url: "http://127.0.0.1:1/metrics", enabled: false },
    });
    if (created.statusCode !== 201) throw new Error(`scrape target: ${created.statusCode} ${created.body}`);
    const target = { id: created.json().id as string, max_series: 100 };
    const now = Date.now();
    const start = Math.floor((now - 2 * 3600_000) / 60_000) * 60_000;
    for (let t = start; t <= now; t += 60_000)
      await server.services.metrics.ingest(
        target,
        [
          {
            name: CPU,
            type: "gauge",
            help: null,
            samples: [
              { name: CPU, labels: { instance: "pbx-01" }, value: t < start + 3600_000 ? 90 : 20, timestampMs: null },
            ],
          },
        ],
        { target: "pbx-01" },
        t,
      );
    await session.signIn(page, ADMIN);
    await page.getByRole("navigation").waitFor();
  }, 240_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });

  afterAll(async () => {
    await session?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  const row = (name: string) => page.getByTestId("rule-row").filter({ hasText: name });
  const pickMetric = async (scope: Page | Locator) => {
    await scope.getByRole("combobox", { name: field("Métrica") }).fill("cpu_usage");
    await page.getByRole("option", { name: CPU, exact: true }).click();
  };

  it("creates a CPU rule through the editor with its preview shown, edits it and deletes it", async () => {
    await page.goto(`${base}/alerts`);
    await page.getByRole("heading", { name: "Regras", exact: true }).waitFor();
    await page.getByRole("button", { name: "Nova regra" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Escolha uma métrica e informe janela e limite para ver a prévia.").waitFor();
    await dialog.getByLabel(field("Nome")).fill("CpuPbx01");
    await pickMetric(dialog);
    const match = dialog.getByTestId("rule-match");
    await match.getByRole("button", { name: "Adicionar condição" }).click();
    await match.getByLabel("Rótulo").fill("instance");
    await match.getByLabel("Valor").fill("pbx-01");
    await dialog.getByLabel(field("Pendente por")).fill("300");

    // The server's field error shows on the field at fault while the preview is asked for.
    allowInvalid = true;
    await dialog.getByLabel(field("Limite de recuperação")).fill("80");
    await dialog.getByText("must be at or below the threshold 70 for hysteresis").waitFor();
    await dialog.getByLabel(field("Limite de recuperação")).fill("60");
    await expect.poll(() => dialog.getByText(/must be at or below/).count()).toBe(0);
    allowInvalid = false;

    // The hour at 90%: pending for 5 minutes, then firing until the value fell under the recovery threshold.
    const preview = dialog.getByTestId("rule-preview");
    await preview.getByTestId("rule-preview-chart").locator("canvas").waitFor();
    const intervals = preview.getByTestId("preview-intervals");
    await intervals.getByText("Pendente").waitFor();
    await intervals.getByText("Disparado").waitFor();
    await shot("alert-rule-editor");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await dialog.waitFor({ state: "hidden" });
    await row("CpuPbx01").getByText(`avg(${CPU}{instance="pbx-01"}[300s]) > 70 ↩ 60`).waitFor();

    // Edited: at 95 it would not have fired.
    await page.getByRole("button", { name: "Editar CpuPbx01" }).click();
    await expect.poll(() => dialog.getByLabel(field("Nome")).inputValue()).toBe("CpuPbx01");
    await dialog.getByLabel(field("Limite")).fill("95");
    await dialog.getByLabel(field("Limite de recuperação")).fill("90");
    await preview.getByTestId("preview-none").waitFor();
    // For people to look at: the editor on a phone, its preview under the form.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot("alert-rule-editor-390");
    await page.setViewportSize({ width: 1440, height: 900 });
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await dialog.waitFor({ state: "hidden" });
    await row("CpuPbx01").getByText(`avg(${CPU}{instance="pbx-01"}[300s]) > 95 ↩ 90`).waitFor();
    const rules = await session.server.services.alerts.listRules();
    expect(rules.find((r) => r.name === "CpuPbx01")).toMatchObject({
      forSeconds: 300,
      expression: { match: { instance: "pbx-01" }, threshold: 95, recoveryThreshold: 90 },
    });

    // The plan's own rules are switched off, not deleted; this one goes.
    await expect(page.getByRole("button", { name: "Excluir HighCpu" }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Excluir CpuPbx01" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Excluir", exact: true }).click();
    await row("CpuPbx01").waitFor({ state: "detached" });
    expect((await session.server.services.alerts.listRules()).some((r) => r.name === "CpuPbx01")).toBe(false);
  });

  it("opens the explorer on a metric with data, draws its series, and the link reproduces the chart", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Métricas" }).click();
    await page.getByRole("heading", { name: "Métricas", exact: true }).waitFor();
    await page.getByText("Escolha uma métrica.").first().waitFor();
    await pickMetric(page);
    await page.getByRole("combobox", { name: "Período" }).click();
    await page.getByRole("option", { name: "Últimas 6 horas" }).click();
    const chart = page.getByTestId("explorer-chart");
    await chart.locator("canvas").waitFor();
    await page.getByTestId("explorer-result").getByText('instance="pbx-01", target="pbx-01"').waitFor();
    await page.getByTestId("explorer-result").getByText("1 série").waitFor();
    await shot("metric-explorer");
    const url = new URL(page.url());
    expect(url.pathname).toBe("/metric-explorer");
    expect(url.searchParams.get("metric")).toBe(CPU);
    expect(url.searchParams.get("range")).toBe("6h");

    // A matcher no series has: the empty state, and the matcher in the link too.
    await page.getByRole("button", { name: "Adicionar condição" }).click();
    const matcher = page.getByTestId("explorer-matcher");
    await matcher.getByLabel("Rótulo").fill("instance");
    await matcher.getByLabel("Valor").fill("pbx-99");
    await page.getByRole("button", { name: "Aplicar filtros" }).click();
    await page.getByTestId("explorer-empty").waitFor();
    expect(new URL(page.url()).searchParams.getAll("match")).toEqual(["instance=pbx-99"]);

    // The first link, opened afresh, draws the same chart.
    await page.goto(url.toString());
    await page.getByTestId("explorer-chart").locator("canvas").waitFor();
    await page.getByTestId("explorer-result").getByText('instance="pbx-01", target="pbx-01"').waitFor();
  });
});
