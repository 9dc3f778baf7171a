import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/platform/version.js";
import { ADMIN, type BrowserSession, networkQuiet, openBrowserSession, skipBrowser } from "../fixtures/browser.js";

/**
 * The incident screens in a real Chromium: the board by stage and the incident page (stepper, clocks, timeline,
 * linked tickets, postmortem, security evidence), in both languages at 1440 and 390 px; a stage moved in the UI;
 * an API token linked to a security incident through the token picker.
 */
const screens = join(projectRoot, "test-results/screens");

const scrollsSideways = (page: Page) =>
  page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth") as Promise<boolean>;

describe.skipIf(skipBrowser)("incident screens", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let headers: Record<string, string>;
  let operational: string;
  let security: string;

  const api = async (method: "POST" | "GET", url: string, payload?: object) => {
    const res = await session.server.app.inject({ method, url, payload, headers });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };

  beforeAll(async () => {
    mkdirSync(screens, { recursive: true });
    session = await openBrowserSession({ name: "incidents", viewport: { width: 1440, height: 900 } });
    ({ page, base } = session);
    const login = await session.server.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: ADMIN });
    headers = {
      cookie: login.cookies.map((c) => `${c.name}=${c.value}`).join("; "),
      "x-csrf-token": login.json().csrfToken as string,
    };
    const trunk = await api("POST", "/api/v1/components", { name: "Tronco SIP" });
    operational = (
      await api("POST", "/api/v1/incidents", {
        title: "Tronco SIP da operadora fora do ar",
        severity: "critical",
        description: "Chamadas de saída falham com 503.",
        componentIds: [trunk.id],
      })
    ).id;
    await api("POST", `/api/v1/incidents/${operational}/updates`, {
      body: "Estamos investigando falhas em chamadas de saída.",
      visibility: "public",
    });
    await api("POST", "/api/v1/incidents", { title: "Fila de correio de voz lenta", severity: "medium" });
    security = (
      await api("POST", "/api/v1/incidents", {
        title: "Fraude de tarifação no ramal 2001",
        severity: "high",
        kind: "security",
      })
    ).id;
    await api("POST", `/api/v1/incidents/${security}/evidence`, {
      filename: "cdr-2001.csv",
      data: Buffer.from("calldate,dst\n2026-12-01,00999\n").toString("base64"),
    });
    await session.signIn(page, ADMIN);
    await page.getByRole("navigation").waitFor();
  }, 240_000);

  afterAll(async () => {
    await session?.close();
  });

  it("shows the board and the incident pages in both languages, wide and narrow", async () => {
    const problems: string[] = [];
    for (const lang of ["pt-BR", "en"] as const) {
      await page.goto(`${base}/profile`);
      await page.getByText(lang === "en" ? "EN" : "PT", { exact: true }).click();
      await page.locator(`html[lang="${lang}"]`).waitFor({ state: "attached" });
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        for (const [name, path] of [
          ["board", "/incidents"],
          ["incident", `/incidents/${operational}`],
          ["security", `/incidents/${security}`],
        ] as const) {
          await page.goto(`${base}${path}`);
          await page.locator("main h2, main h3").first().waitFor();
          await networkQuiet(page);
          if (await scrollsSideways(page)) problems.push(`${lang} ${name} @${width} scrolls sideways`);
          await page.screenshot({ path: join(screens, `${lang}-${width}-incidents-${name}.png`), fullPage: true });
        }
      }
    }
    expect(problems).toEqual([]);
    expect(session.errors).toEqual([]);
  }, 240_000);

  it("moves the incident to classification from its page, the stage's fields asked for", async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${base}/profile`);
    await page.getByText("PT", { exact: true }).click();
    await page.goto(`${base}/incidents/${operational}`);
    await page.getByText("Passar para Classificação").waitFor();
    // The stage form comes before the postmortem, which has an "Impacto" of its own.
    await page.getByRole("textbox", { name: "Impacto" }).first().fill("Todas as chamadas de saída falham");
    await page.getByRole("button", { name: "Avançar" }).click();
    await page.getByText("Passar para Diagnóstico").waitFor();
    const incident = await api("GET", `/api/v1/incidents/${operational}`);
    expect(incident).toMatchObject({
      stage: "classification",
      details: { impact: "Todas as chamadas de saída falham" },
    });
    expect(incident.acknowledgedAt).not.toBeNull();
    await page.goto(`${base}/incidents`);
    await page.getByTestId("incident-card").first().waitFor();
    expect(await page.getByTestId("board-column").count()).toBe(6);
    expect(session.errors).toEqual([]);
  }, 120_000);

  it("links an API token to the security incident, found by its name in the token picker", async () => {
    const token = await api("POST", "/api/v1/tokens", { name: "Integração do PABX", scopes: ["tickets:read"] });
    await api("POST", "/api/v1/tokens", { name: "Relatórios", scopes: ["tickets:read"] });
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(`${base}/profile`);
    await page.getByText("PT", { exact: true }).click();
    await page.locator('html[lang="pt-BR"]').waitFor({ state: "attached" });
    await page.goto(`${base}/incidents/${security}`);
    // The row that links an account (the page has another "Vincular", for tickets).
    const linker = page
      .getByLabel("Tipo", { exact: true })
      .locator("xpath=ancestor::div[contains(@class, 'mantine-Group-root')][1]");
    await linker.getByLabel("Tipo", { exact: true }).click();
    await page.getByRole("option", { name: "Token", exact: true }).click();
    // Searched on the server as typed: every active token at first, then only the matching one.
    await linker.getByLabel("Token", { exact: true }).click();
    await page.getByRole("option", { name: /^Relatórios/ }).waitFor();
    await linker.getByLabel("Token", { exact: true }).fill("PABX");
    await page.getByRole("option", { name: /^Relatórios/ }).waitFor({ state: "detached", timeout: 10_000 });
    await page.getByRole("option", { name: /^Integração do PABX \(/ }).click();
    await linker.getByRole("button", { name: "Vincular" }).click();
    await expect
      .poll(async () => (await api("GET", `/api/v1/incidents/${security}/accounts`)).items)
      .toEqual([expect.objectContaining({ kind: "token", refId: token.id })]);
    expect(session.errors).toEqual([]);
  }, 60_000);
});
