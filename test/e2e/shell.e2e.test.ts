import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/platform/config.js";
import { projectRoot } from "../../src/platform/version.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { builtWeb } from "../fixtures/web-build.js";
import { type ScratchDatabase, scratchDatabase } from "../harness.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const required = process.env.PLANTAO_TEST_REQUIRE_E2E === "1";
const skip = !hasChromium && !required;
if (skip) console.warn(`e2e skipped: ${CHROMIUM} is missing (set PLANTAO_TEST_REQUIRE_E2E=1 to make that a failure)`);

const artifacts = join(projectRoot, "test/e2e/artifacts");
const ADMIN = { email: "admin@example.com", password: "e2e password 123" };
/** Upper bound of every wait in the browser: a healthy run needs well under a second per step. */
const WAIT_MS = 10_000;

describe.skipIf(skip)("web shell in Chromium", () => {
  let server: RunningServer;
  let scratch: ScratchDatabase;
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    if (!hasChromium) throw new Error(`PLANTAO_TEST_REQUIRE_E2E=1 but ${CHROMIUM} is missing`);
    const webDir = await builtWeb();
    scratch = await scratchDatabase("sqlite");
    dataDir = mkdtempSync(join(tmpdir(), "plantao-e2e-"));
    server = await startServer(
      loadConfig(
        { PLANTAO_LOG_LEVEL: "silent", PLANTAO_ADMIN_EMAIL: ADMIN.email, PLANTAO_ADMIN_PASSWORD: ADMIN.password },
        { port: 0, host: "127.0.0.1", databaseUrl: scratch.url, dataDir, webDir },
      ),
    );
    base = `http://127.0.0.1:${new URL(server.url).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(WAIT_MS);
    page = await context.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") browserErrors.push(`console: ${msg.text()} (${msg.location().url})`);
    });
    page.on("pageerror", (err) => browserErrors.push(`page: ${err.message}`));
    // The shell is for signed-in users: sign in through the login page first.
    await page.goto(`${base}/login`);
    await page.getByLabel(/^E-mail/).fill(ADMIN.email);
    await page.getByLabel(/^Senha/).fill(ADMIN.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("heading", { name: "Visão geral", exact: true }).waitFor();
  }, 180_000);

  afterEach(() => {
    expect(browserErrors).toEqual([]);
  });

  afterAll(async () => {
    // The browser goes first, so its open event stream is not cut by the server shutting down.
    await browser?.close();
    await server?.close();
    await scratch?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const heading = (name: string) => page.getByRole("heading", { name, exact: true }).waitFor();
  const htmlLang = () => page.locator("html").getAttribute("lang");

  it("opens in Portuguese with the server's status", async () => {
    await page.goto(`${base}/`);
    await heading("Visão geral");
    expect(await htmlLang()).toBe("pt-BR");
    await page.getByText("SQLite", { exact: true }).waitFor();
    await page.getByText("Pronto", { exact: true }).waitFor();
    await page.getByRole("link", { name: "Eventos ao vivo" }).waitFor();
    expect(await page.getByRole("link", { name: "Documentação da API" }).getAttribute("href")).toBe("/api/docs");
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, "overview.png"), fullPage: true });
  });

  it("switches to English and keeps the choice across a reload", async () => {
    await page.getByText("EN", { exact: true }).click();
    await heading("Overview");
    expect(await htmlLang()).toBe("en");
    await page.getByText("Ready", { exact: true }).waitFor();
    await page.reload();
    await heading("Overview");
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

    const id = await server.platform.events.publish({ type: "test.ping", payload: {} });
    const row = page.getByTestId("event-row").filter({ hasText: "test.ping" });
    await row.waitFor();
    expect(await row.locator("td").first().textContent()).toBe(String(id));

    await page.screenshot({ path: join(artifacts, "live-events.png"), fullPage: true });
  });

  it("shows a not-found page for an unknown client route", async () => {
    await page.goto(`${base}/no/such/page`);
    await heading("Page not found");
    await page.getByRole("link", { name: "Back to the overview" }).click();
    await heading("Overview");
  });
});
