import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  artifacts,
  type BrowserSession,
  field,
  openBrowserSession,
  skipBrowser,
  skipWithout,
} from "../fixtures/browser.js";

const skip = skipBrowser || skipWithout("/usr/bin/restic");

/** Real restic runs through the job queue: backups and restore tests get longer. */
const RESTIC_MS = 60_000;

describe.skipIf(skip)("the backups pages in Chromium, over real restic", () => {
  let session: BrowserSession;
  let page: Page;
  let base: string;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "plantao-e2e-pbx-"));
    mkdirSync(join(work, "pbx"));
    writeFileSync(join(work, "pbx", "extensions.conf"), "[default]\nexten => 100,1,Dial(PJSIP/100)\n");
    session = await openBrowserSession({ name: "backups", locale: "pt-BR" });
    ({ page, base } = session);
  }, 240_000);

  afterEach(() => {
    expect(session.errors).toEqual([]);
  });

  afterAll(async () => {
    await session?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const heading = (name: string | RegExp) =>
    page.getByRole("heading", { name, exact: typeof name === "string" }).waitFor();
  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

  it("creates a files job from the form", async () => {
    await page.goto(`${base}/login?next=%2Fbackups`);
    await page.getByLabel(field("E-mail")).fill(ADMIN.email);
    await page.getByLabel(field("Senha")).fill(ADMIN.password);
    await page.getByRole("button", { name: "Entrar" }).click();
    await heading("Backups");
    await page.getByRole("button", { name: "Novo job de backup" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Nome")).fill("Configuração do PABX");
    await dialog.getByLabel(field("Origem")).click();
    await page.getByRole("option", { name: "Arquivos", exact: true }).click();
    await dialog.getByLabel(field("Caminhos")).fill(join(work, "pbx"));
    await dialog.getByLabel(field("Repositório")).fill(join(work, "repo"));
    await dialog.getByLabel(field("Senha do repositório")).fill("e2e repository password");
    await dialog.getByLabel(field("Classe de dados")).fill("pbx-config");
    await dialog.getByRole("button", { name: "Salvar" }).click();
    await heading("Configuração do PABX");
  });

  it("runs a full backup and shows the snapshot kept by its retention rule", async () => {
    await page.getByRole("button", { name: "Executar agora" }).click();
    await page.getByRole("menuitem", { name: "Completo" }).click();
    await page.locator('[data-testid="backup-run-row"][data-status="succeeded"]').waitFor({ timeout: RESTIC_MS });
    await page.getByRole("tab", { name: "Snapshots" }).click();
    const row = page.locator('[data-testid="snapshot-row"][data-keep="true"]');
    await row.waitFor();
    expect(await row.textContent()).toContain("Completo");
    expect(await page.locator('[data-testid="snapshot-timeline"] circle[data-keep="true"]').count()).toBe(1);
    // The measured RPO follows the run without a reload.
    await page.locator('[data-testid="rpo-gauge"][data-status="ok"]').waitFor();
    await shot("backup-snapshots");
  });

  it("runs a restore test and shows its checks and the measured RTO", async () => {
    await page.getByRole("button", { name: "Testar restauração" }).click();
    const passed = page.locator('[data-testid="restore-test-row"][data-status="passed"]');
    await passed.waitFor({ timeout: RESTIC_MS });
    expect(await passed.textContent()).toContain("✓");
    await page.locator('[data-testid="rto-gauge"][data-status="ok"]').waitFor();
    await shot("backup-restore-tests");
  });

  it("restores the snapshot to another directory from its row", async () => {
    await page.getByRole("tab", { name: "Snapshots" }).click();
    const shortId = (await page.getByTestId("snapshot-row").first().locator("td").first().textContent()) ?? "";
    await page.getByRole("button", { name: `Restaurar o snapshot ${shortId}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel(field("Diretório de destino")).fill(join(work, "restored"));
    await dialog.getByRole("button", { name: "Restaurar" }).click();
    const restore = page.locator('[data-testid="backup-run-row"][data-status="succeeded"]').filter({
      hasText: "Restauração",
    });
    await restore.waitFor({ timeout: RESTIC_MS });
    const restored = readdirSync(join(work, "restored"), { recursive: true }).map(String);
    expect(restored.some((f) => f.endsWith("extensions.conf"))).toBe(true);
    await page.getByRole("tab", { name: "Travas" }).click();
    await page.getByText("Nenhuma trava no repositório.").waitFor();
  });

  it("shows the job's RPO and RTO on the overview", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Backups", exact: true }).click();
    await page.getByTestId("backup-job-row").filter({ hasText: "Configuração do PABX" }).waitFor();
    await page.locator('[data-testid="rpo-gauge"][data-status="ok"]').waitFor();
    expect(await page.getByTestId("data-class").filter({ hasText: "pbx-config" }).count()).toBe(1);
    await shot("backups-overview");
  });
});
