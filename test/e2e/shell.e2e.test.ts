import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.js";
import {
  ADMIN,
  artifacts,
  type BrowserSession,
  browserEngine,
  openBrowserSession,
  skipBrowser,
} from "../fixtures/browser.js";

/** The System page names the engine the suite's server runs on. */
const engineName = browserEngine === "postgres" ? "PostgreSQL" : "SQLite";

describe.skipIf(skipBrowser)("web shell in Chromium", () => {
  let session: BrowserSession;
  let server: RunningServer;
  let page: Page;
  let base: string;

  beforeAll(async () => {
    session = await openBrowserSession({ name: "shell", viewport: { width: 1280, height: 800 } });
    ({ server, page, base } = session);
    // The shell is for signed-in users: sign in through the login page first.
    await session.signIn(page, ADMIN);
    await page.getByRole("heading", { name: "Início", exact: true }).waitFor();
  }, 180_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });

  afterAll(() => session?.close());

  const heading = (name: string) => page.getByRole("heading", { name, exact: true }).waitFor();
  const htmlLang = () => page.locator("html").getAttribute("lang");

  it("opens in Portuguese with the server's status on the admin's System page", async () => {
    await page.goto(`${base}/system`);
    await heading("Sistema");
    expect(await htmlLang()).toBe("pt-BR");
    await page.getByText(engineName, { exact: true }).waitFor();
    await page.getByText("Pronto", { exact: true }).waitFor();
    await page.getByRole("link", { name: "Eventos ao vivo" }).waitFor();
    expect(await page.getByRole("link", { name: "Documentação da API" }).getAttribute("href")).toBe("/api/docs");
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "overview.png"), fullPage: true });
  });

  it("switches to English and keeps the choice across a reload", async () => {
    await page.getByText("EN", { exact: true }).click();
    await heading("System");
    expect(await htmlLang()).toBe("en");
    await page.getByText("Ready", { exact: true }).waitFor();
    await page.reload();
    await heading("System");
    expect(await htmlLang()).toBe("en");
  });

  it("toggles the dark theme and keeps it across a reload", async () => {
    const scheme = () => page.locator("html").getAttribute("data-mantine-color-scheme");
    await page.getByRole("button", { name: "Use dark theme" }).click();
    expect(await scheme()).toBe("dark");
    await page.reload();
    await page.getByRole("button", { name: "Use light theme" }).waitFor();
    expect(await scheme()).toBe("dark");
  });

  it("loads a client route from a deep link and shows events as they are published", async () => {
    await page.goto(`${base}/events`);
    await heading("Live events");
    await page.locator('[data-testid="stream-state"][data-state="connected"]').waitFor();

    const id = await server.platform.events.publish({
      type: "plan.updated",
      subjectId: "42",
      payload: { version: 42 },
    });
    const row = page.getByTestId("event-row").filter({ hasText: "plan.updated" });
    await row.waitFor();
    expect(await row.locator("td").first().textContent()).toBe(String(id));

    await page.screenshot({ path: join(artifacts, "live-events.png"), fullPage: true });
  });

  it("shows a not-found page for an unknown client route", async () => {
    await page.goto(`${base}/no/such/page`);
    await heading("Page not found");
    await page.getByRole("link", { name: "Back to the home page" }).click();
    await heading("Home");
  });
});
